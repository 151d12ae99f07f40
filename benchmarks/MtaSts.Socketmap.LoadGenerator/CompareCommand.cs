using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>
/// <c>compare</c>: starts the world, our server (<c>mta-sts serve-postfix</c>) and postfix-mta-sts-resolver against it,
/// checks that both give the same answers, then runs every cell of the matrix (cached, negative and mixed lookups; 1, 4
/// and 16 connections; one request in flight and pipelined) on one server and then the other, back to back, and prints
/// both with their ratios. Root only (port 443 and 53, a mount namespace for the resolver's resolv.conf).
/// </summary>
internal static class CompareCommand
{
    public static async Task<int> RunAsync(CompareSettings settings)
    {
        Console.Error.WriteLine($"Starting the world ({settings.Domains} policy domains, {settings.Domains} without policy)...");
        await using var world = await BenchmarkWorld.StartAsync(settings.Domains);
        var work = Directory.CreateTempSubdirectory("mtasts-compare-").FullName;

        var ourPort = FreePort();
        var ourUnix = Path.Combine(work, "serve-postfix.sock");
        var ourInet = new IPEndPoint(IPAddress.Loopback, ourPort);
        await using var ours = await ServerUnderTest.StartAsync(
            "mta-sts serve-postfix",
            "dotnet",
            [settings.ToolPath, "serve-postfix", "--listen", $"inet:127.0.0.1:{ourPort}", "--listen", "unix:" + ourUnix,
             "--dns-server", world.DnsEndPoint.ToString(), "--trust-root", world.TrustRootPath, "--allow-private-addresses", "--log-level", "Warning"],
            ourInet,
            settings.OurEnvironment);

        var resolvConf = Path.Combine(work, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, $"nameserver {world.DnsEndPoint.Address}\n");
        var rows = new List<ComparisonRow>();
        var mismatches = 0;
        foreach (var transport in settings.Transports)
        {
            // postfix-mta-sts-resolver listens on one endpoint: one process per transport, each with its own cache.
            var theirPort = FreePort();
            var theirUnix = Path.Combine(work, "resolver.sock");
            var config = Path.Combine(work, $"mta-sts-daemon-{transport}.yml");
            var listen = transport == Transport.Unix ? $"path: {theirUnix}" : $"host: 127.0.0.1\nport: {theirPort}\nreuse_port: true";
            await File.WriteAllTextAsync(config, listen + """

                cache:
                  type: internal
                  options:
                    cache_size: 10000
                default_zone:
                  strict_testing: false
                  timeout: 4
                """);
            var (ourEndPoint, theirEndPoint) = transport == Transport.Unix
                ? ((EndPoint)new UnixDomainSocketEndPoint(ourUnix), (EndPoint)new UnixDomainSocketEndPoint(theirUnix))
                : (ourInet, new IPEndPoint(IPAddress.Loopback, theirPort));
            await using var theirs = await ServerUnderTest.StartAsync(
                "postfix-mta-sts-resolver",
                "unshare",
                ["--mount", "--propagation", "private", "/bin/sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec mta-sts-daemon -c \"$1\" -v warn", resolvConf, config],
                theirEndPoint,
                new Dictionary<string, string> { ["SSL_CERT_FILE"] = world.TrustRootPath });

            Console.Error.WriteLine($"[{Describe(transport)}] Checking that both servers give the same answers (this also fills their caches)...");
            mismatches += await CompareAnswersAsync(world, ourEndPoint, theirEndPoint);
            var cached = world.PolicyDomains.ToArray();
            var negative = world.NoPolicyDomains.ToArray();
            var mixed = cached.Zip(negative, (p, n) => new[] { p, n }).SelectMany(x => x).ToArray();
            var kinds = new (string Name, string[] Keys)[] { ("cached", cached), ("negative", negative), ("mixed", mixed) };

            // Both servers run the same load for a while before anything is measured: .NET compiles its hot code again
            // with full optimisation after the first calls (tiered compilation), which a fresh process has not done yet.
            Console.Error.WriteLine($"[{Describe(transport)}] Warming both servers up for {settings.Prewarm.TotalSeconds:0} s each...");
            foreach (var endPoint in new[] { ourEndPoint, theirEndPoint })
            {
                LoadRunner.Run(new LoadSettings(endPoint, 4, LoadMode.OneInFlight, mixed, settings.Prewarm / 2, TimeSpan.Zero, settings.Depth));
                LoadRunner.Run(new LoadSettings(endPoint, 4, LoadMode.Pipelined, cached, settings.Prewarm / 2, TimeSpan.Zero, settings.Depth));
            }

            foreach (var (kind, keys) in kinds)
            {
                foreach (var mode in new[] { LoadMode.OneInFlight, LoadMode.Pipelined })
                {
                    foreach (var connections in settings.Connections)
                    {
                        var row = new ComparisonRow(transport, kind, connections, mode);
                        var clientCpu = new double[2];
                        foreach (var (server, endPoint) in new[] { (ours, ourEndPoint), (theirs, theirEndPoint) })
                        {
                            var before = server.ProcessorTime;
                            var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
                            var result = LoadRunner.Run(new LoadSettings(endPoint, connections, mode, keys, settings.Duration, settings.Warmup, settings.Depth));
                            var seconds = (settings.Duration + settings.Warmup).TotalSeconds;
                            var cpu = (server.ProcessorTime - before).TotalSeconds / seconds;
                            clientCpu[server == ours ? 0 : 1] = (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalSeconds / seconds;
                            if (server == ours)
                            {
                                row.Ours = result;
                                row.OurCpu = cpu;
                            }
                            else
                            {
                                row.Theirs = result;
                                row.TheirCpu = cpu;
                            }
                        }

                        row.ClientCpu = (clientCpu[0], clientCpu[1]);
                        rows.Add(row);
                        Console.Error.WriteLine(row.ToProgressLine());
                    }
                }
            }
        }

        var report = Report(settings, rows, mismatches);
        Console.WriteLine(report);
        if (settings.OutputPath is { } output)
        {
            await File.WriteAllTextAsync(output, report);
        }

        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static async Task<int> CompareAnswersAsync(BenchmarkWorld world, EndPoint ours, EndPoint theirs)
    {
        var mismatches = 0;
        using var a = ServerUnderTest.Connect(ours);
        using var b = ServerUnderTest.Connect(theirs);
        var keys = world.PolicyDomains.Concat(world.NoPolicyDomains).Concat(["[192.0.2.1]:25", ".bench.test", world.PolicyDomains[0].ToUpperInvariant() + "."]);
        foreach (var key in keys)
        {
            var ourReply = await QueryAsync(a, "postfix " + key);
            var theirReply = await QueryAsync(b, "postfix " + key);
            if (Normalize(ourReply) != Normalize(theirReply))
            {
                mismatches++;
                Console.Error.WriteLine($"  {key}: ours '{ourReply}', theirs '{theirReply}'");
            }
        }

        return mismatches;
    }

    /// <summary>postfix-mta-sts-resolver writes the match patterns in the order of a Python set: compare them as a set.</summary>
    private static string Normalize(string reply)
    {
        const string Prefix = "OK secure match=";
        if (!reply.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return reply;
        }

        var space = reply.IndexOf(' ', Prefix.Length);
        var patterns = reply[Prefix.Length..(space < 0 ? reply.Length : space)].Split(':').Order(StringComparer.Ordinal);
        return Prefix + string.Join(':', patterns) + (space < 0 ? "" : reply[space..]);
    }

    private static async Task<string> QueryAsync(Socket socket, string request)
    {
        await socket.SendAsync(LoadRunner.Encode(request));
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(filled));
            if (received == 0)
            {
                throw new IOException("closed");
            }

            filled += received;
            var text = Encoding.UTF8.GetString(buffer, 0, filled);
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(text[..colon], CultureInfo.InvariantCulture, out var length) && filled >= colon + length + 2)
            {
                return text.Substring(colon + 1, length);
            }
        }
    }

    private static string Report(CompareSettings settings, List<ComparisonRow> rows, int mismatches)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine()}");
        if (settings.OurEnvironment.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"serve-postfix environment: {string.Join(", ", settings.OurEnvironment.Select(e => e.Key + "=" + e.Value))}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Each cell: {settings.Warmup.TotalSeconds:0.#} s warm-up, {settings.Duration.TotalSeconds:0.#} s measured; pipelined depth {settings.Depth} per connection; {settings.Domains} domains of each kind; answers that differ between the servers: {mismatches}.");
        text.AppendLine();
        text.AppendLine("CPU: cores used by the server + by the load generator during the cell (Knot, Kestrel and the load generator share the machine's cores with the server).");
        text.AppendLine();
        foreach (var transport in settings.Transports)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Over {Describe(transport)}:");
            text.AppendLine();
            text.AppendLine("| lookups | connections | in flight | serve-postfix q/s | p50 µs | p99 µs | CPU | resolver q/s | p50 µs | p99 µs | CPU | throughput | p99 | target |");
            text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
            foreach (var row in rows.Where(r => r.Transport == transport))
            {
                text.AppendLine(row.ToMarkdown());
            }
        }

        return text.ToString();
    }

    private static string Describe(Transport transport) =>
        transport == Transport.Unix ? "a unix socket (socketmap:unix:…)" : "TCP on loopback (socketmap:inet:127.0.0.1:…)";

    private static string Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        return $"{cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; {Version("postfix-mta-sts-resolver")}, {Version("python3-uvloop")}, {Version("python3")}";
    }

    private static string Version(string package)
    {
        try
        {
            var start = new ProcessStartInfo("dpkg-query", ["-W", "-f=${Package} ${Version}", package]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output.Length > 0 ? output : package + " ?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return package + " ?";
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
