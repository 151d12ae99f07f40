using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;

namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>
/// The DNS and HTTPS servers both policy servers resolve against, on loopback: Knot with one zone <c>bench.test</c>
/// holding <see cref="PolicyDomains"/> (enforce policies, served by Kestrel behind port 443 with certificates of the test
/// CA) and <see cref="NoPolicyDomains"/> (no <c>_mta-sts</c> record). Knot also listens on port 53 of a loopback address of
/// its own (<see cref="DnsEndPoint"/>): postfix-mta-sts-resolver can only ask resolv.conf's name servers on port 53, and
/// both servers ask Knot there, directly.
/// </summary>
internal sealed class BenchmarkWorld : IAsyncDisposable
{
    public const string Zone = "bench.test";
    public const string Policy = "version: STSv1\nmode: enforce\nmx: mx1.example.net\nmx: *.example.net\nmax_age: 86400\n";

    private MxHostForwarder? _policyHost;

    public KnotDnsServer Knot { get; private set; } = null!;

    public TestCrlServer Crl { get; private set; } = null!;

    public TestCertificateAuthority Ca { get; private set; } = null!;

    public HttpsPolicyServer Https { get; private set; } = null!;

    /// <summary>Gets port 53 of the loopback address where Knot answers both servers.</summary>
    public IPEndPoint DnsEndPoint { get; private set; } = null!;

    public IReadOnlyList<string> PolicyDomains { get; private set; } = [];

    public IReadOnlyList<string> NoPolicyDomains { get; private set; } = [];

    public string TrustRootPath { get; } = Path.Combine(Directory.CreateTempSubdirectory("mtasts-bench-").FullName, "root.pem");

    public static async Task<BenchmarkWorld> StartAsync(int domains)
    {
        var world = new BenchmarkWorld();
        (world.Knot, world.DnsEndPoint) = await StartKnotAsync();
        world.Crl = await TestCrlServer.StartAsync();
        world.Ca = TestCertificateAuthority.Create("MTA-STS benchmark root", world.Crl);
        world.Https = await HttpsPolicyServer.StartAsync(world.Ca.IssueServerCertificate("default.invalid"));
        world._policyHost = MxHostForwarder.Start(443, world.Https.EndPoint);
        await File.WriteAllTextAsync(world.TrustRootPath, world.Ca.RootCertificate.ExportCertificatePem());

        var records = new List<string>();
        var policies = new List<string>();
        var none = new List<string>();
        for (var i = 0; i < domains; i++)
        {
            var p = $"p{i.ToString(CultureInfo.InvariantCulture)}";
            var n = $"n{i.ToString(CultureInfo.InvariantCulture)}";
            records.Add($"{p} 1 IN MX 10 mx1.example.net.");
            records.Add($"_mta-sts.{p} 1 IN TXT \"v=STSv1; id=bench1\"");
            records.Add($"mta-sts.{p} 1 IN A {world._policyHost.Address}");
            records.Add($"{n} 1 IN MX 10 mx1.example.net.");
            var host = $"mta-sts.{p}.{Zone}";
            world.Https.SetCertificate(host, world.Ca.IssueServerCertificate(host));
            world.Https.SetPolicy(host, Policy);
            policies.Add($"{p}.{Zone}");
            none.Add($"{n}.{Zone}");
        }

        await world.Knot.SetZoneRecordsAsync(Zone, [.. records]);
        world.PolicyDomains = policies;
        world.NoPolicyDomains = none;
        return world;
    }

    public async ValueTask DisposeAsync()
    {
        if (_policyHost is not null)
        {
            await _policyHost.DisposeAsync();
        }

        await Https.DisposeAsync();
        await Crl.DisposeAsync();
        await Knot.DisposeAsync();
        Ca.Dispose();
    }

    private static async Task<(KnotDnsServer Knot, IPEndPoint EndPoint)> StartKnotAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var endPoint = new IPEndPoint(new IPAddress([127, 53, (byte)Random.Shared.Next(1, 250), (byte)Random.Shared.Next(1, 250)]), 53);
            if (!IsFree(endPoint) && attempt < 50)
            {
                continue;
            }

            return (await KnotDnsServer.StartAsync(endPoint), endPoint);
        }
    }

    private static bool IsFree(IPEndPoint endPoint)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(endPoint);
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
