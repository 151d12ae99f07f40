using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A private Knot DNS authoritative server (<c>knotd</c>) on 127.0.0.1, fronted by a <see cref="DnsCountingProxy"/> that
/// counts every query that reaches it. Everything (configuration, zone files, control socket, run directory, databases,
/// log) lives in a temporary directory that is deleted on disposal. Zones are added, replaced and removed at run time
/// through <c>knotc</c> configuration transactions; every change is waited for by querying knotd directly (uncounted)
/// until it serves the new SOA serial, or answers REFUSED for a removed zone.
/// </summary>
/// <remarks>
/// Usable as an xUnit class or collection fixture (<see cref="IAsyncLifetime"/>) or standalone through
/// <see cref="StartAsync"/> and <c>await using</c>. The binaries default to <c>/usr/sbin/knotd</c> and
/// <c>/usr/sbin/knotc</c> (Debian package <c>knot</c>); the <c>KNOTD_PATH</c> and <c>KNOTC_PATH</c> environment
/// variables override them.
/// </remarks>
public sealed partial class KnotDnsServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan DirectQueryTimeout = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _control = new(1, 1);
    private readonly HashSet<string> _zones = new(StringComparer.Ordinal);
    private readonly string _identity = Guid.NewGuid().ToString("N");
    private readonly StringBuilder _consoleOutput = new();
    private string _directory = string.Empty;
    private Process? _process;
    private DnsCountingProxy? _proxy;
    private LookupClient? _direct;
    private IPEndPoint? _knotEndPoint;
    private IPEndPoint? _additionalListen;
    private int _disposed;

    /// <summary>Path of the <c>knotd</c> binary.</summary>
    public static string KnotdPath => Environment.GetEnvironmentVariable("KNOTD_PATH") ?? "/usr/sbin/knotd";

    /// <summary>Path of the <c>knotc</c> binary.</summary>
    public static string KnotcPath => Environment.GetEnvironmentVariable("KNOTC_PATH") ?? "/usr/sbin/knotc";

    /// <summary>The port clients should query (UDP and TCP); it belongs to the counting proxy.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The endpoint clients should query (UDP and TCP): the counting proxy in front of knotd.</summary>
    public IPEndPoint EndPoint => Proxy.EndPoint;

    /// <summary>knotd's own endpoint; queries sent here are answered but not counted.</summary>
    public IPEndPoint KnotEndPoint => _knotEndPoint ?? throw NotStarted();

    /// <summary>The counting proxy, for <see cref="DnsCountingProxy.ResponseDelay"/> and <see cref="DnsCountingProxy.DropQuery"/>.</summary>
    public DnsCountingProxy Proxy => _proxy ?? throw NotStarted();

    /// <summary>The temporary directory that holds the configuration, zones, sockets and databases.</summary>
    public string WorkingDirectory => _directory;

    /// <summary>Every query received so far, in arrival order.</summary>
    public IReadOnlyList<ObservedDnsQuery> Queries => Proxy.Queries;

    /// <summary>Number of queries received so far.</summary>
    public int TotalQueryCount => Proxy.TotalQueryCount;

    /// <summary>Starts a server with no zones.</summary>
    public static async Task<KnotDnsServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new KnotDnsServer();
        await server.StartCoreAsync(cancellationToken);
        return server;
    }

    /// <summary>
    /// Starts a server with no zones that also answers on <paramref name="additionalListen"/> (such as port 53 of a
    /// loopback address, for programs that can only ask resolv.conf's name servers), without the counting proxy there.
    /// </summary>
    public static async Task<KnotDnsServer> StartAsync(IPEndPoint additionalListen, CancellationToken cancellationToken = default)
    {
        var server = new KnotDnsServer { _additionalListen = additionalListen };
        await server.StartCoreAsync(cancellationToken);
        return server;
    }

    /// <summary>A DnsClient lookup client for <see cref="EndPoint"/>: no cache, no retries.</summary>
    public LookupClient CreateClient(TimeSpan? timeout = null) =>
        new(new LookupClientOptions(new NameServer(EndPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
        });

    /// <summary>Number of queries received for <paramref name="name"/> (case-insensitive, trailing dot optional).</summary>
    /// <param name="name">The question name.</param>
    /// <param name="type">A DNS type mnemonic such as <c>TXT</c> or <c>A</c>.</param>
    public int QueryCount(string name, string type) => Proxy.QueryCount(name, Enum.Parse<QueryType>(type, ignoreCase: true));

    /// <summary>Number of queries received for <paramref name="name"/> (case-insensitive, trailing dot optional).</summary>
    public int QueryCount(string name, QueryType type) => Proxy.QueryCount(name, type);

    /// <summary>Forgets every query received so far.</summary>
    public void ResetQueryCounts() => Proxy.ResetQueryCounts();

    /// <summary>Builds the zone with <see cref="ZoneText.Build(string, string[])"/> and serves it (see <see cref="SetZoneAsync"/>).</summary>
    public Task SetZoneRecordsAsync(string zoneName, params string[] records) =>
        SetZoneAsync(zoneName, ZoneText.Build(zoneName, records));

    /// <summary>
    /// Writes the zone file and adds the zone (or reloads it when already served), then waits until knotd answers with
    /// the SOA serial found in <paramref name="zoneFileBody"/>. Use a serial higher than the previous one for the zone
    /// (<see cref="ZoneText"/> does this).
    /// </summary>
    public async Task SetZoneAsync(string zoneName, string zoneFileBody, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(zoneFileBody);
        var zone = ValidateZoneName(zoneName);
        var match = SoaSerialPattern().Match(zoneFileBody);
        if (!match.Success)
        {
            throw new ArgumentException("The zone text has no SOA record with a numeric serial.", nameof(zoneFileBody));
        }

        var serial = uint.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        await _control.WaitAsync(cancellationToken);
        try
        {
            var file = ZoneFilePath(zone);
            var temporary = file + ".tmp";
            await File.WriteAllTextAsync(temporary, zoneFileBody, cancellationToken);
            File.Move(temporary, file, overwrite: true);
            if (_zones.Contains(zone))
            {
                await KnotcAsync(cancellationToken, "zone-reload", zone);
            }
            else
            {
                await ConfigureAsync(cancellationToken, ["conf-set", $"zone[{zone}]"], ["conf-set", $"zone[{zone}].file", file]);
                _zones.Add(zone);
            }

            await WaitUntilAsync(
                async ct => (await QuerySoaSerialAsync(zone, ct)) == serial,
                $"zone {zone} to be served with serial {serial}",
                cancellationToken);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Stops serving the zone and waits until knotd answers REFUSED for it.</summary>
    public async Task RemoveZoneAsync(string zoneName, CancellationToken cancellationToken = default)
    {
        var zone = ValidateZoneName(zoneName);
        await _control.WaitAsync(cancellationToken);
        try
        {
            if (_zones.Remove(zone))
            {
                await ConfigureAsync(cancellationToken, ["conf-unset", $"zone[{zone}]"]);
                File.Delete(ZoneFilePath(zone));
            }

            await WaitUntilAsync(
                async ct => (await QueryResponseCodeAsync(zone, QueryType.SOA, QueryClass.IN, ct)) == DnsResponseCode.Refused,
                $"zone {zone} to be refused",
                cancellationToken);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>The knotd log so far (also included in the exceptions this fixture throws).</summary>
    public string ReadLog()
    {
        var log = new StringBuilder();
        var path = Path.Combine(_directory, "knotd.log");
        if (File.Exists(path))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            log.Append(reader.ReadToEnd());
        }

        lock (_consoleOutput)
        {
            log.Append(_consoleOutput);
        }

        return log.ToString();
    }

    /// <inheritdoc />
    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <summary>Stops the proxy, kills knotd and deletes the temporary directory.</summary>
    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await StopKnotdAsync();
        if (_directory.Length > 0)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover temp directory must not fail the test run.
            }
        }
    }

    /// <inheritdoc />
    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    private static InvalidOperationException NotStarted() => new("The Knot DNS server has not been started.");

    private static string ValidateZoneName(string zoneName)
    {
        var zone = DnsWire.Normalize(zoneName);
        if (!ZoneNamePattern().IsMatch(zone))
        {
            throw new ArgumentException($"'{zoneName}' is not a zone name this fixture accepts.", nameof(zoneName));
        }

        return zone;
    }

    [GeneratedRegex(@"\bSOA\s+\S+\s+\S+\s+\(?\s*(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SoaSerialPattern();

    [GeneratedRegex(@"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ZoneNamePattern();

    private string ZoneFilePath(string zone) => Path.Combine(_directory, "zones", zone + ".zone");

    private string ConfigPath => Path.Combine(_directory, "knot.conf");

    private string SocketPath => Path.Combine(_directory, "run", "knot.sock");

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (_process is not null || _disposed != 0)
        {
            throw new InvalidOperationException("The Knot DNS server has already been started.");
        }

        try
        {
            await StartKnotdAndProxyAsync(cancellationToken);
        }
        catch
        {
            // xUnit does not dispose a fixture whose initialisation failed: never leave knotd or the directory behind.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartKnotdAndProxyAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(KnotdPath) || !File.Exists(KnotcPath))
        {
            throw new InvalidOperationException(
                $"Knot DNS is not installed ({KnotdPath}, {KnotcPath}); on Debian: apt-get install knot knot-dnsutils.");
        }

        _directory = Directory.CreateTempSubdirectory("mtasts-knot-").FullName;
        foreach (var sub in new[] { "run", "zones", "db" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, sub));
        }

        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        for (var attempt = 1; ; attempt++)
        {
            var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort.GetUdpAndTcpPort());
            await File.WriteAllTextAsync(ConfigPath, BuildConfig(endPoint.Port), cancellationToken);
            StartKnotd();
            _direct = CreateDirectClient(endPoint);
            try
            {
                await WaitUntilAsync(IsReadyAsync, $"knotd to answer on {endPoint}", cancellationToken, StartTimeout);
                _knotEndPoint = endPoint;
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // Most likely another process took the port between the probe and knotd's bind: try another one.
                await StopKnotdAsync();
            }
        }

        _proxy = DnsCountingProxy.Start(_knotEndPoint);
    }

    private string BuildConfig(int port)
    {
        static string Quote(string path) => "\"" + path + "\"";
        var db = Path.Combine(_directory, "db");
        return string.Join(
            '\n',
            "server:",
            $"    identity: {Quote(_identity)}",
            $"    rundir: {Quote(Path.Combine(_directory, "run"))}",
            $"    pidfile: {Quote(Path.Combine(_directory, "run", "knot.pid"))}",
            _additionalListen is { } extra
                ? $"    listen: [ 127.0.0.1@{port.ToString(CultureInfo.InvariantCulture)}, {extra.Address}@{extra.Port.ToString(CultureInfo.InvariantCulture)} ]"
                : $"    listen: 127.0.0.1@{port.ToString(CultureInfo.InvariantCulture)}",
            "    udp-workers: 2",
            "    tcp-workers: 2",
            "    background-workers: 1",
            "control:",
            $"    listen: {Quote(SocketPath)}",
            "log:",
            $"  - target: {Quote(Path.Combine(_directory, "knotd.log"))}",
            "    any: info",
            "database:",
            $"    storage: {Quote(db)}",
            $"    kasp-db: {Quote(Path.Combine(db, "kasp"))}",
            $"    journal-db: {Quote(Path.Combine(db, "journal"))}",
            $"    timer-db: {Quote(Path.Combine(db, "timer"))}",
            $"    catalog-db: {Quote(Path.Combine(db, "catalog"))}",
            "template:",
            "  - id: default",
            $"    storage: {Quote(Path.Combine(_directory, "zones"))}",
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: none",
            "    semantic-checks: off",
            "policy:",
            $"  - id: {SigningPolicy}",
            "    algorithm: ecdsap256sha256",
            "    single-type-signing: on",
            "    nsec3: off",
            "    dnskey-ttl: 1",
            string.Empty);
    }

    private void StartKnotd()
    {
        var startInfo = new ProcessStartInfo(KnotdPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(ConfigPath);
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += OnConsoleOutput;
        process.ErrorDataReceived += OnConsoleOutput;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void OnConsoleOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            lock (_consoleOutput)
            {
                _consoleOutput.Append(e.Data).Append('\n');
            }
        }
    }

    private Task StopKnotdAsync()
    {
        var process = _process;
        _process = null;
        return ChildProcess.KillAsync(process);
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Nothing left to clean up.
        }
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        if (_process is null || _process.HasExited)
        {
            throw new TimeoutException("knotd exited during start-up.");
        }

        if (!File.Exists(SocketPath))
        {
            return false;
        }

        // The identity proves that the answer comes from this instance, not from another server on the same port.
        var response = await QueryDirectAsync("id.server", QueryType.TXT, QueryClass.CH, cancellationToken);
        return response?.Answers.TxtRecords().Any(r => r.Text.Contains(_identity)) == true;
    }

    private static LookupClient CreateDirectClient(IPEndPoint endPoint) =>
        new(new LookupClientOptions(new NameServer(endPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = DirectQueryTimeout,
            ContinueOnDnsError = false,
            ThrowDnsErrors = false,
        });

    private async Task<IDnsQueryResponse?> QueryDirectAsync(string name, QueryType type, QueryClass queryClass, CancellationToken cancellationToken)
    {
        try
        {
            return await _direct!.QueryAsync(name, type, queryClass, cancellationToken);
        }
        catch (DnsResponseException)
        {
            return null;
        }
    }

    private async Task<uint?> QuerySoaSerialAsync(string zone, CancellationToken cancellationToken)
    {
        var response = await QueryDirectAsync(zone, QueryType.SOA, QueryClass.IN, cancellationToken);
        return response is { HasError: false } ? response.Answers.SoaRecords().FirstOrDefault()?.Serial : null;
    }

    private async Task<DnsResponseCode?> QueryResponseCodeAsync(string name, QueryType type, QueryClass queryClass, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _direct!.QueryAsync(name, type, queryClass, cancellationToken);
            return (DnsResponseCode)response.Header.ResponseCode;
        }
        catch (DnsResponseException ex)
        {
            return ex.Code;
        }
    }

    private async Task WaitUntilAsync(
        Func<CancellationToken, Task<bool>> condition,
        string description,
        CancellationToken cancellationToken,
        TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? ChangeTimeout);
        try
        {
            while (!await condition(deadline.Token))
            {
                await Task.Delay(PollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out waiting for {description}. knotd log:\n{ReadLog()}");
        }
    }

    private async Task ConfigureAsync(CancellationToken cancellationToken, params string[][] changes)
    {
        await KnotcAsync(cancellationToken, "conf-begin");
        try
        {
            foreach (var change in changes)
            {
                await KnotcAsync(cancellationToken, change);
            }

            await KnotcAsync(cancellationToken, "conf-commit");
        }
        catch
        {
            await KnotcAsync(CancellationToken.None, "conf-abort");
            throw;
        }
    }

    private async Task KnotcAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(KnotcPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-c", ConfigPath, "-s", SocketPath, "-t", "10", .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("knotc did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"knotc {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await output}{await error}\nknotd log:\n{ReadLog()}");
        }
    }
}
