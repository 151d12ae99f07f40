using System.Globalization;
using System.Net;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>
/// The world the tool runs against, all on loopback: the delivery tests' <see cref="DeliveryEnvironment"/> (Knot DNS,
/// the test CA with its CRL server, Kestrel serving policies, Postfix with good, expired, self-signed and other
/// certificates per SNI name, the STARTTLS-stripping and TLS-intercepting proxies, one address per MX host), plus a
/// forwarder on port 443 of a loopback address of its own in front of Kestrel, because the tool, as a sender does,
/// fetches policies from port 443 only.
/// </summary>
/// <remarks>Binding port 443 needs root, as Postfix does.</remarks>
public sealed class ToolEnvironment : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mtasts-tool-").FullName;
    private MxHostForwarder? _policyHost;
    private Task<(ServerProcess Server, int Port)>? _server;

    public DeliveryEnvironment World { get; } = new();

    public MtaStsEnvironment Mta => World.Mta;

    /// <summary>The address every <c>mta-sts.&lt;domain&gt;</c> of the tests resolves to (port 443 forwards to Kestrel).</summary>
    public IPAddress PolicyHostAddress => _policyHost!.Address;

    /// <summary>A PEM file holding the test CA's root: the tool's <c>--trust-root</c>.</summary>
    public string TrustRootPath => Path.Combine(_directory, "root.pem");

    /// <summary>A directory of the test's own, deleted with the environment.</summary>
    public string TempDirectory => _directory;

    public async Task InitializeAsync()
    {
        await World.InitializeAsync();
        _policyHost = MxHostForwarder.Start(443, Mta.Https.EndPoint);
        await File.WriteAllTextAsync(TrustRootPath, Mta.Ca.RootCertificate.ExportCertificatePem());
    }

    public async Task DisposeAsync()
    {
        if (_server is { IsCompletedSuccessfully: true })
        {
            await _server.Result.Server.DisposeAsync();
        }

        if (_policyHost is not null)
        {
            await _policyHost.DisposeAsync();
        }

        await World.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A tool process that a failed test left behind may still hold a file; the OS cleans temp eventually.
        }
    }

    /// <summary>The shared options that point the tool at this world.</summary>
    public string[] Options(double timeoutSeconds = 15) =>
    [
        "--dns-server", Mta.Dns.EndPoint.ToString(),
        "--trust-root", TrustRootPath,
        "--allow-private-addresses",
        "--smtp-port", World.SmtpPort.ToString(CultureInfo.InvariantCulture),
        "--timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>
    /// The options of <c>mta-sts serve-postfix</c> that point it at this world and listen on <paramref name="port"/>, then
    /// <paramref name="extra"/>.
    /// </summary>
    public string[] ServeArgs(int port, params string[] extra) =>
    [
        "--listen", $"inet:127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        "--dns-server", Mta.Dns.EndPoint.ToString(),
        "--trust-root", TrustRootPath,
        "--allow-private-addresses",
        "--timeout", "10",
        .. extra,
    ];

    /// <summary>A server with the default settings shared by the tests that do not change it (started on first use).</summary>
    public Task<(ServerProcess Server, int Port)> DefaultServerAsync() => _server ??= StartDefaultServerAsync();

    /// <summary>Runs <c>mta-sts</c> with <paramref name="args"/> followed by <see cref="Options"/>.</summary>
    public Task<ToolResult> RunAsync(params string[] args) => ToolRunner.RunAsync([.. args, .. Options()]);

    private async Task<(ServerProcess Server, int Port)> StartDefaultServerAsync()
    {
        var port = FreePort.GetTcpPort();
        return (await ServerProcess.StartAsync(ServeArgs(port)), port);
    }

    /// <summary>
    /// Publishes a fresh policy domain: MX records for <paramref name="mxHosts"/> (preferences 10, 20, …), and unless
    /// <see cref="PolicyCase.NoPolicy"/> the TXT record and a policy of that mode listing <paramref name="policyMx"/>,
    /// served with a certificate from the test CA; <paramref name="response"/> replaces the policy response.
    /// </summary>
    public async Task<string> AddDomainAsync(
        PolicyCase policy,
        IEnumerable<string> mxHosts,
        IEnumerable<string>? policyMx = null,
        string id = "id1",
        PolicyResponse? response = null,
        IEnumerable<string>? extraRecords = null)
    {
        var domain = MtaStsEnvironment.NewDomainName("tool");
        var records = new List<string> { $"mta-sts 1 IN A {PolicyHostAddress}" };
        records.AddRange(mxHosts.Select((host, i) => $"@ 1 IN MX {((i + 1) * 10).ToString(CultureInfo.InvariantCulture)} {host}."));
        records.AddRange(extraRecords ?? []);
        if (policy != PolicyCase.NoPolicy)
        {
            records.Add($"_mta-sts 1 IN TXT \"v=STSv1; id={id}\"");
            var mode = policy switch
            {
                PolicyCase.Enforce => "enforce",
                PolicyCase.Testing => "testing",
                _ => "none",
            };
            Mta.Https.SetCertificate("mta-sts." + domain, Mta.Ca.IssueServerCertificate("mta-sts." + domain));
            Mta.Https.SetResponse("mta-sts." + domain, response ?? PolicyResponse.Policy(MtaStsEnvironment.Policy(mode, 86400, [.. policyMx ?? ["*." + MxHosts.Zone]])));
        }

        await Mta.Dns.SetZoneRecordsAsync(domain, [.. records]);
        return domain;
    }
}
