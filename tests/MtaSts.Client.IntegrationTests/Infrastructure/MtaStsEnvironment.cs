using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// One real MTA-STS world on loopback, shared by a test collection: a Knot DNS server, a test CA (with a CRL
/// server) and a Kestrel HTTPS policy server. Each test makes its own policy domains with <see cref="AddDomainAsync"/>
/// (unique names, one DNS zone each), so tests never see each other's records or counts.
/// </summary>
public sealed class MtaStsEnvironment : IAsyncLifetime
{
    private static int _nextDomain;

    public KnotDnsServer Dns { get; private set; } = null!;

    public HttpsPolicyServer Https { get; private set; } = null!;

    public TestCrlServer Crl { get; private set; } = null!;

    public TestCertificateAuthority Ca { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Dns = await KnotDnsServer.StartAsync();
        Crl = await TestCrlServer.StartAsync();
        Ca = TestCertificateAuthority.Create("MTA-STS test root", Crl);
        Https = await HttpsPolicyServer.StartAsync(Ca.IssueServerCertificate("default.invalid"));
    }

    public async Task DisposeAsync()
    {
        await Https.DisposeAsync();
        await Crl.DisposeAsync();
        await Dns.DisposeAsync();
        Ca.Dispose();
    }

    /// <summary>A fresh policy domain name, unique in this process, such as <c>d7.mtasts.test</c>.</summary>
    public static string NewDomainName(string prefix = "d") => $"{prefix}{Interlocked.Increment(ref _nextDomain)}.mtasts.test";

    /// <summary>The RFC 8461 §3.2 example policy for <paramref name="domain"/>'s MX names.</summary>
    public static string Policy(string mode = "enforce", long maxAge = 86400, params string[] mx)
    {
        var lines = $"version: STSv1\nmode: {mode}\nmax_age: {maxAge}\n";
        foreach (var m in mx.Length == 0 && mode != "none" ? ["mx.example.net"] : mx)
        {
            lines += $"mx: {m}\n";
        }

        return lines;
    }

    /// <summary>
    /// Creates a policy domain: a zone with <c>_mta-sts TXT "v=STSv1; id=…"</c> (unless <paramref name="txt"/> is given)
    /// and <c>mta-sts A 127.0.0.1</c>, a certificate for <c>mta-sts.&lt;domain&gt;</c> from the test CA (unless
    /// <paramref name="certificate"/> is given), and the policy served.
    /// </summary>
    public async Task<string> AddDomainAsync(string id = "id1", string? policy = null, X509Certificate2? certificate = null, string[]? txt = null, string[]? extraRecords = null)
    {
        var domain = NewDomainName();
        await SetRecordsAsync(domain, txt ?? [$"v=STSv1; id={id}"], extraRecords);
        Https.SetCertificate("mta-sts." + domain, certificate ?? Ca.IssueServerCertificate("mta-sts." + domain));
        Https.SetPolicy("mta-sts." + domain, policy ?? Policy());
        return domain;
    }

    /// <summary>Rewrites <paramref name="domain"/>'s zone with these <c>_mta-sts</c> TXT records (none: the record is gone).</summary>
    public Task SetRecordsAsync(string domain, string[] txt, string[]? extraRecords = null)
    {
        var records = new List<string> { "mta-sts 1 IN A 127.0.0.1" };
        records.AddRange(txt.Select(t => $"_mta-sts 1 IN TXT \"{t.Replace("\"", "\\\"", StringComparison.Ordinal)}\""));
        records.AddRange(extraRecords ?? []);
        return Dns.SetZoneRecordsAsync(domain, [.. records]);
    }

    public Task SetIdAsync(string domain, string id) => SetRecordsAsync(domain, [$"v=STSv1; id={id}"]);

    /// <summary>
    /// Wires <paramref name="options"/> to this world: Knot as the only name server, the test CA as the only trust root,
    /// private (loopback) addresses allowed, the HTTPS server's port, no revocation check, no fetch retry, and a short DNS
    /// timeout.
    /// </summary>
    public void ConfigureOptions(MtaStsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.NameServers.Add(Dns.EndPoint);
        options.TrustRoots.Add(Ca.RootCertificate);
        options.AllowPrivateAddresses = true;
        options.PolicyHostPort = Https.Port;
        options.RevocationMode = X509RevocationMode.NoCheck;
        options.FetchRetryCount = 0;
        options.DnsTimeout = TimeSpan.FromSeconds(2);
    }

    /// <summary>A resolver wired to this world (<see cref="ConfigureOptions"/>), and optionally fake time.</summary>
    public MtaStsResolver CreateResolver(Action<MtaStsOptions>? configure = null, TimeProvider? timeProvider = null) =>
        MtaStsResolver.Create(
            options =>
            {
                ConfigureOptions(options);
                configure?.Invoke(options);
            },
            services =>
            {
                if (timeProvider is not null)
                {
                    services.AddSingleton(timeProvider);
                }
            });

    /// <summary>The address the policy hosts resolve to.</summary>
    public static IPAddress Loopback => IPAddress.Loopback;
}
