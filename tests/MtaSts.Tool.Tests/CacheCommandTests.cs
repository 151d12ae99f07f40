using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Sqlite;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests;

/// <summary><c>mta-sts cache</c> against a real SQLite store file, and refresh against Knot and Kestrel.</summary>
[Collection(ToolCollection.Name)]
public sealed class CacheCommandTests(ToolEnvironment env) : IDisposable
{
    // Two days ago, to the second: a one-day policy has expired, a one-year policy has not, and the record is recent
    // enough that a resolver's store does not drop it as unused.
    private static readonly DateTimeOffset FetchedAt = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().AddDays(-2).ToUnixTimeSeconds());
    private readonly string _directory = Directory.CreateTempSubdirectory("mtasts-cache-").FullName;

    private string StorePath => Path.Combine(_directory, "policies.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task List_ShowsEveryRecordWithItsStateAndChangesNothing()
    {
        await WriteStoreAsync(
            Record("a.example", "A1", 86400, FetchedAt),
            Record("b.example", "B2", 31557600, FetchedAt),
            Record("c.example", "C3", 86400, FetchedAt) with { ExpiresAt = FetchedAt.AddDays(3) });
        var before = Snapshot();

        var human = await ToolRunner.RunAsync("cache", "list", "--store", StorePath);
        var json = await ToolRunner.RunAsync("cache", "list", "--store", StorePath, "--json");

        Assert.True(human.ExitCode == 1, human.ToString());
        Assert.Contains("a.example  A1  enforce  expired", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("b.example  B2  enforce  valid", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("c.example  C3  enforce  invalid", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Result: 3 policies, 1 invalid", human.StandardOutput, StringComparison.Ordinal);

        var root = json.Json();
        Assert.Equal(3, root.GetProperty("count").GetInt32());
        var policies = root.GetProperty("policies");
        Assert.Equal("a.example", policies[0].GetProperty("domain").GetString());
        Assert.Equal(FetchedAt, policies[0].GetProperty("fetchedAt").GetDateTimeOffset());
        Assert.Equal("the expiry does not match the policy's max_age", policies[2].GetProperty("problem").GetString());
        Assert.Equal(["mx.b.example"], policies[1].GetProperty("mx").EnumerateArray().Select(m => m.GetString()));

        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Show_ExistingAndMissingDomains()
    {
        await WriteStoreAsync(Record("a.example", "A1", 31557600, FetchedAt));
        var before = Snapshot();

        var shown = await ToolRunner.RunAsync("cache", "show", "A.Example.", "--store", StorePath);
        var json = await ToolRunner.RunAsync("cache", "show", "a.example", "--store", StorePath, "--json");
        var missing = await ToolRunner.RunAsync("cache", "show", "b.example", "--store", StorePath);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("Stored policy of a.example", shown.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("policy id:     A1", shown.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("mode: enforce", shown.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("valid", json.Json().GetProperty("state").GetString());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("holds no policy for b.example", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Theory]
    [InlineData("list")]
    [InlineData("show")]
    [InlineData("purge")]
    [InlineData("refresh")]
    public async Task AnyCacheCommand_StoreThatDoesNotExist_OneLineExit2AndCreatesNothing(string command)
    {
        string[] args = command == "list" ? ["cache", "list"] : ["cache", command, "a.example"];

        var result = await ToolRunner.RunAsync([.. args, "--store", StorePath]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"mta-sts: the policy store '{StorePath}' does not exist.", Assert.Single(result.ErrorLines));
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task List_FileThatIsNotAStore_OneLineExit2AndLeftUntouched()
    {
        await File.WriteAllTextAsync(StorePath, "just some text, not a database");
        var before = Snapshot();

        var result = await ToolRunner.RunAsync("cache", "list", "--store", StorePath);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(StorePath, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task CacheWithoutStore_IsUsageError()
    {
        var result = await ToolRunner.RunAsync("cache", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--store", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_RemovesOnlyThatDomain()
    {
        await WriteStoreAsync(Record("a.example", "A1", 86400, FetchedAt), Record("b.example", "B2", 86400, FetchedAt));

        var purged = await ToolRunner.RunAsync("cache", "purge", "a.example", "--store", StorePath, "--json");
        var again = await ToolRunner.RunAsync("cache", "purge", "a.example", "--store", StorePath);

        Assert.Equal(0, purged.ExitCode);
        Assert.True(purged.Json().GetProperty("removed").GetBoolean());
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("held no policy for a.example; nothing to remove", again.StandardOutput, StringComparison.Ordinal);
        using var store = SqlitePolicyStore.OpenReadOnly(StorePath);
        Assert.Null(await store.GetAsync("a.example"));
        Assert.NotNull(await store.GetAsync("b.example"));
    }

    [Fact]
    public async Task Refresh_FetchesNowAndStoresWhatTheResolverWould()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], id: "fresh1");
        await WriteStoreAsync(Record(domain, "old1", 86400, FetchedAt));

        var result = await env.RunAsync("cache", "refresh", domain, "--store", StorePath, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("stored", result.Json().GetProperty("outcome").GetString());
        using var store = SqlitePolicyStore.OpenReadOnly(StorePath);
        var record = await store.GetAsync(domain);
        Assert.NotNull(record);
        Assert.Equal("fresh1", record.PolicyId);
        Assert.Equal(MtaStsEnvironment.Policy("enforce", 86400, "*." + MxHosts.Zone), record.PolicyText);
        Assert.Equal(TimeSpan.FromSeconds(86400), record.ExpiresAt - record.FetchedAt);
        Assert.Equal(FetchedAt, record.LastUsed);
        Assert.True(record.FetchedAt > FetchedAt);

        // The resolver accepts what the tool stored: a resolver on the same store serves it without fetching.
        env.Mta.Https.ResetCounts();
        var services = new ServiceCollection();
        services.AddMtaSts(o =>
        {
            o.NameServers.Add(env.Mta.Dns.EndPoint);
            o.RecordCheckInterval = TimeSpan.FromDays(1);
        }).AddSqlitePolicyStore(StorePath);
        await using var provider = services.BuildServiceProvider();
        var resolver = provider.GetRequiredService<IMtaStsPolicyResolver>();
        var resolution = await resolver.ResolveAsync(domain);
        Assert.Equal("fresh1", resolution.PolicyId);
        Assert.Equal(0, env.Mta.Https.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task Refresh_FetchFails_KeepsTheStoredRecordAndExits1()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], response: PolicyResponse.Status(404));
        var kept = Record(domain, "old1", 86400, FetchedAt);
        await WriteStoreAsync(kept);

        var result = await env.RunAsync("cache", "refresh", domain, "--store", StorePath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("could not be fetched (sts-policy-fetch-error, http-status-404); the stored record was kept", result.StandardOutput, StringComparison.Ordinal);
        using var store = SqlitePolicyStore.OpenReadOnly(StorePath);
        Assert.Equal(kept, await store.GetAsync(domain));
    }

    private static StoredPolicyRecord Record(string domain, string id, long maxAge, DateTimeOffset fetchedAt) =>
        new(domain, id, $"version: STSv1\nmode: enforce\nmx: mx.{domain}\nmax_age: {maxAge}\n", fetchedAt, fetchedAt.AddSeconds(maxAge), fetchedAt);

    private async Task WriteStoreAsync(params StoredPolicyRecord[] records)
    {
        using var store = new SqlitePolicyStore(StorePath);
        foreach (var record in records)
        {
            await store.SetAsync(record);
        }
    }

    private string Snapshot() => string.Join(
        "\n",
        Directory.GetFiles(_directory).Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));
}
