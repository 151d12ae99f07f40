using Microsoft.Extensions.DependencyInjection;
using MtaSts;

// Policies kept in one SQLite file survive a restart, so the first message after it is already protected.
var directory = Directory.CreateTempSubdirectory("mta-sts-");
var services = new ServiceCollection();
services.AddMtaSts().AddSqlitePolicyStore(Path.Combine(directory.FullName, "policies.db"));

await using (var before = services.BuildServiceProvider())
{
    // The resolver writes every policy it fetches through to the file; here one is written by hand instead.
    var text = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";
    var fetchedAt = TimeProvider.System.GetUtcNow();
    var store = before.GetRequiredService<IMtaStsPolicyStore>();
    await store.SetAsync(new StoredPolicyRecord("example.com", "20240101", text, fetchedAt, fetchedAt.AddSeconds(604800), fetchedAt));
}

await using (var after = services.BuildServiceProvider())
{
    // After the "restart": answered from the file, with no DNS query and no HTTPS fetch.
    var resolver = after.GetRequiredService<IMtaStsPolicyResolver>();
    var resolution = await resolver.ResolveAsync("example.com");
    Console.WriteLine(resolution); // example.com: Cached, mode Enforce, id 20240101
}

directory.Delete(recursive: true);
