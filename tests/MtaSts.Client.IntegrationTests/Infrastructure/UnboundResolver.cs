using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using DnsClient;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A private Unbound validating resolver (Debian package <c>unbound</c>) on 127.0.0.1: stub zones point it at the test's
/// authoritative servers (Knot, through its counting proxy), the given trust anchors make zones under them secure or
/// bogus, and everything else is insecure (no root anchor). Configuration, log and pid file live in a temporary
/// directory deleted on disposal; no system service, no control socket. <c>UNBOUND_PATH</c> overrides the binary.
/// </summary>
public sealed class UnboundResolver : IAsyncDisposable
{
    private readonly StringBuilder _console = new();
    private Process? _process;
    private string _directory = string.Empty;

    private UnboundResolver()
    {
    }

    /// <summary>Path of the <c>unbound</c> binary.</summary>
    public static string UnboundPath => Environment.GetEnvironmentVariable("UNBOUND_PATH") ?? "/usr/sbin/unbound";

    /// <summary>The endpoint clients query (UDP and TCP).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>Starts the resolver.</summary>
    /// <param name="stubZones">Zone names and the authoritative server each is asked at (an address where nothing listens makes the zone unreachable).</param>
    /// <param name="trustAnchors">Trust anchors in zone-file form, such as <c>signed.example. DS 12345 13 2 ABCD…</c>.</param>
    public static async Task<UnboundResolver> StartAsync(IEnumerable<(string Zone, IPEndPoint Server)> stubZones, IEnumerable<string> trustAnchors)
    {
        if (!File.Exists(UnboundPath))
        {
            throw new InvalidOperationException($"Unbound is not installed ({UnboundPath}); on Debian: apt-get install unbound.");
        }

        var resolver = new UnboundResolver { _directory = Directory.CreateTempSubdirectory("mtasts-unbound-").FullName };
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                resolver.EndPoint = new IPEndPoint(IPAddress.Loopback, FreePort.GetUdpAndTcpPort());
                await File.WriteAllTextAsync(resolver.ConfigPath, resolver.BuildConfig(stubZones, trustAnchors));
                resolver.Start();
                if (await resolver.WaitReadyAsync())
                {
                    return resolver;
                }

                await resolver.StopAsync();
                if (attempt == 3)
                {
                    throw new TimeoutException($"unbound did not answer on {resolver.EndPoint}:\n{resolver.ReadLog()}");
                }
            }
        }
        catch
        {
            await resolver.DisposeAsync();
            throw;
        }
    }

    /// <summary>The resolver's log so far (validation failures are logged at <c>val-log-level: 2</c>).</summary>
    public string ReadLog()
    {
        var path = Path.Combine(_directory, "unbound.log");
        var log = File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        lock (_console)
        {
            return log + _console;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_directory.Length > 0)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
        }
    }

    private string ConfigPath => Path.Combine(_directory, "unbound.conf");

    private string BuildConfig(IEnumerable<(string Zone, IPEndPoint Server)> stubZones, IEnumerable<string> trustAnchors)
    {
        static string Quote(string text) => "\"" + text + "\"";
        var port = EndPoint.Port.ToString(CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            "server:",
            "    verbosity: 1",
            $"    interface: 127.0.0.1@{port}",
            $"    port: {port}",
            "    do-ip6: no",
            "    username: \"\"",
            "    chroot: \"\"",
            $"    directory: {Quote(_directory)}",
            $"    pidfile: {Quote(Path.Combine(_directory, "unbound.pid"))}",
            $"    logfile: {Quote(Path.Combine(_directory, "unbound.log"))}",
            "    use-syslog: no",
            "    num-threads: 1",
            "    so-reuseport: no",
            "    access-control: 127.0.0.0/8 allow",
            "    do-not-query-localhost: no",
            "    module-config: \"validator iterator\"",
            "    val-log-level: 2",
            "    cache-max-ttl: 1",
            "    cache-max-negative-ttl: 1",
            "    val-bogus-ttl: 1",
            "    aggressive-nsec: no",
            "    qname-minimisation: no",
            "    prefetch: no",
            "    serve-expired: no",
            "    local-zone: \"test.\" nodefault",
            "    local-zone: \"invalid.\" nodefault",
        };
        lines.AddRange(trustAnchors.Select(a => $"    trust-anchor: {Quote(a)}"));
        lines.Add("remote-control:");
        lines.Add("    control-enable: no");
        foreach (var (zone, server) in stubZones)
        {
            lines.Add("stub-zone:");
            lines.Add($"    name: {Quote(zone.TrimEnd('.') + ".")}");
            lines.Add($"    stub-addr: {server.Address}@{server.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        return string.Join('\n', lines) + "\n";
    }

    private void Start()
    {
        var startInfo = new ProcessStartInfo(UnboundPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-d", "-c", ConfigPath])
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += OnOutput;
        process.ErrorDataReceived += OnOutput;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            lock (_console)
            {
                _console.Append(e.Data).Append('\n');
            }
        }
    }

    private async Task<bool> WaitReadyAsync()
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(EndPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromMilliseconds(500),
            ThrowDnsErrors = false,
        });
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process is null || _process.HasExited)
            {
                return false;
            }

            try
            {
                // Any answer at all (NXDOMAIN for a name no zone has) proves this instance listens.
                await client.QueryAsync("ready.invalid", QueryType.A);
                return true;
            }
            catch (DnsResponseException)
            {
                await Task.Delay(20);
            }
        }

        return false;
    }

    private Task StopAsync()
    {
        var process = _process;
        _process = null;
        return ChildProcess.KillAsync(process);
    }
}
