// Resolves the MTA-STS policy of a domain: DNS discovery, HTTPS fetch, validation.
//
//   dotnet run --project samples/ResolvePolicy -- <domain> [--dns <ip:port>] [--trust-root <pem-file>] [--allow-private]
//
// Exit codes: 0 a policy applies, 1 no policy applies, 2 the domain name is invalid.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MtaSts;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: ResolvePolicy <domain> [--dns <ip:port>] [--trust-root <pem-file>] [--allow-private]");
    return 64;
}

var domain = args[0];
try
{
    await using var resolver = MtaStsResolver.Create(options => Configure(options, args));
    var resolution = await resolver.ResolveAsync(domain);
    Console.WriteLine(resolution); // example.com: Fetched, mode Enforce, id 20160831085700Z

    if (resolution.Policy is { } policy)
    {
        Console.WriteLine($"expires: {resolution.ExpiresAt:u}");
        foreach (var line in policy.Lines)
        {
            Console.WriteLine($"  {line}");
        }
    }

    return resolution.Policy is null ? 1 : 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

static void Configure(MtaStsOptions options, string[] args)
{
    for (var i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--dns":
                options.NameServers.Add(IPEndPoint.Parse(args[++i]));
                break;
            case "--trust-root":
                options.TrustRoots.Add(X509Certificate2.CreateFromPem(File.ReadAllText(args[++i])));
                break;
            case "--allow-private":
                options.AllowPrivateAddresses = true;
                break;
        }
    }
}
