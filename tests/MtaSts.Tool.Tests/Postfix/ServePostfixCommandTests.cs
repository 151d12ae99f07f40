using System.Globalization;
using System.Net.Sockets;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Redis.IntegrationTests.Infrastructure;
using MtaSts.Sqlite;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// The serve-postfix command as an operator runs it: configuration file and options, checks at start, unix sockets and
/// their permissions, SIGTERM, stores, systemd socket activation, per-name settings and the TLS-RPT attributes.
/// </summary>
[Collection(ToolCollection.Name)]
public sealed class ServePostfixCommandTests(ToolEnvironment env)
{
    private const string PolicyLine = "OK secure match=mx.example.net:.example.net servername=hostname";

    [Fact]
    public async Task Serve_ConfigFile_SetsListenTestingAndNames()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Testing, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        var port = FreePort.GetTcpPort();
        var config = await WriteAsync($$"""
            {
              "Listen": [ "inet:127.0.0.1:{{port}}" ],
              "Testing": "ReportOnly",
              "Names": { "strict": { "Testing": "Enforce" }, "old": { "Testing": "Enforce", "RequireSni": false } }
            }
            """);
        await using var server = await ServerProcess.StartAsync(["--config", config, .. WorldArgs()]);
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal("NOTFOUND ", await client.QueryAsync("postfix " + domain));
        Assert.Equal(PolicyLine, await client.QueryAsync("strict " + domain));
        Assert.Equal("OK secure match=mx.example.net:.example.net", await client.QueryAsync("old " + domain));
    }

    [Fact]
    public async Task Serve_SampleConfiguration_LoadsAndAppliesItsNames()
    {
        // samples/postfix/serve-postfix.json as shipped; only where it listens and its store (a system path) are replaced.
        var sample = Path.Combine(AppContext.BaseDirectory, "serve-postfix.json");
        var domain = await env.AddDomainAsync(PolicyCase.Testing, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        var port = FreePort.GetTcpPort();
        await using var server = await ServerProcess.StartAsync(["--config", sample, "--store", "none", .. env.ServeArgs(port)]);
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal("NOTFOUND ", await client.QueryAsync("postfix " + domain));
        Assert.Equal(PolicyLine, await client.QueryAsync("strict " + domain));
    }

    [Fact]
    public async Task Serve_TestingEnforceOnTheCommandLine_OverridesTheFile()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Testing, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        var port = FreePort.GetTcpPort();
        var config = await WriteAsync("""{ "Listen": [ "inet:127.0.0.1:1" ], "Testing": "ReportOnly" }""");
        await using var server = await ServerProcess.StartAsync(["--config", config, .. env.ServeArgs(port, "--testing", "enforce")]);
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal(PolicyLine, await client.QueryAsync("postfix " + domain));
    }

    [Fact]
    public async Task Serve_TlsRpt_AddsThePostfix310Attributes()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        var port = FreePort.GetTcpPort();
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--tls-rpt"));
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal(
            PolicyLine + $" policy_type=sts policy_domain={domain} policy_ttl=86400 mx_host_pattern=mx.example.net mx_host_pattern=*.example.net"
                + " { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = max_age: 86400 }"
                + " { policy_string = mx: mx.example.net } { policy_string = mx: *.example.net }",
            await client.QueryAsync("postfix " + domain));
    }

    [Theory]
    [InlineData("""{ "Limits": { "MaxConnections": 0 } }""", "Limits:MaxConnections: 0 is not between 1 and 1000000.")]
    [InlineData("""{ "Limits": { "IdleTimeout": "120" } }""", "Limits:IdleTimeout: 120.00:00:00 is not between")]
    [InlineData("""{ "Listen": [ "tcp:127.0.0.1:8461" ] }""", "Listen[0]: 'tcp:127.0.0.1:8461' is not inet:HOST:PORT or unix:PATH.")]
    [InlineData("""{ "Listen": [ "inet:127.0.0.1:99999" ] }""", "Listen[0]: 'inet:127.0.0.1:99999' needs a port 1-65535")]
    [InlineData("""{ "Listen": [ "unix:relative.sock" ] }""", "Listen[0]: 'unix:relative.sock' needs an absolute socket file path")]
    [InlineData("""{ "Socket": { "Mode": "0999" } }""", "Socket:Mode: '0999' is not an octal mode")]
    [InlineData("""{ "Socket": { "Group": "no-such-group-here" } }""", "Socket:Group: 'no-such-group-here' is not a group of this system.")]
    [InlineData("""{ "Store": { "Type": "Sqlite" } }""", "Store:Path: a SQLite store needs the path of its file.")]
    [InlineData("""{ "Store": { "Type": "Redis" } }""", "Store:Configuration: a Redis store needs its configuration string")]
    [InlineData("""{ "Store": { "Type": "Sqlite", "Path": "/no/such/directory/p.db" } }""", "Store:Path: the directory of '/no/such/directory/p.db' does not exist.")]
    [InlineData("""{ "Resolver": { "NameServers": [ "not a host!" ] } }""", "Resolver:NameServers[0]:")]
    [InlineData("""{ "Resolver": { "TrustRoots": [ "/no/such/root.pem" ] } }""", "Resolver:TrustRoots[0]: '/no/such/root.pem' does not exist.")]
    [InlineData("""{ "Names": { "has space": { } } }""", "Names: 'has space' is not a socketmap name")]
    [InlineData("""{ "Testing": "Sometimes" }""", "invalid configuration:")]
    [InlineData("""{ "Listen": [ """, "cannot be read")]
    public async Task Serve_BadConfiguration_ExitsTwoNamingTheSetting(string json, string expected)
    {
        var config = await WriteAsync(json);
        await using var server = await ServerProcess.StartAsync(["--config", config], expectedEndpoints: 1);

        Assert.Equal(2, await server.WaitForExitAsync());
        Assert.Contains(expected, server.Output, StringComparison.Ordinal);
        Assert.Single(server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("mta-sts: ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--testing", "sometimes", "--testing: 'sometimes' is not report-only or enforce.")]
    [InlineData("--store", "mysql:x", "--store: 'mysql:x' is not sqlite:PATH, redis:CONFIGURATION or none.")]
    [InlineData("--config", "/no/such/config.json", "--config: '/no/such/config.json' does not exist.")]
    [InlineData("--max-connections", "-5", "Limits:MaxConnections: -5 is not between 1 and 1000000.")]
    public async Task Serve_BadOption_ExitsTwo(string option, string value, string expected)
    {
        await using var server = await ServerProcess.StartAsync([option, value], expectedEndpoints: 1);

        Assert.Equal(2, await server.WaitForExitAsync());
        Assert.Contains(expected, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PortInUse_ExitsThree()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;

        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port));

        Assert.Equal(3, await server.WaitForExitAsync());
        Assert.Contains($"mta-sts: cannot listen on inet:127.0.0.1:{port}: Address already in use", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnixSocket_HasTheModeAndGroupAndIsRemovedOnSigterm()
    {
        var path = Path.Combine(env.TempDirectory, $"sm-{Guid.NewGuid():N}.sock");
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        await using var server = await ServerProcess.StartAsync(
            ["--listen", "unix:" + path, "--socket-mode", "0660", "--socket-owner", "nobody", "--socket-group", "65534", .. WorldArgs()]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
        Assert.Equal(65534u, FileOwnership(path, "%g"));
        Assert.Equal(65534u, FileOwnership(path, "%u"));
        using (var client = await SocketmapClient.ConnectAsync(new UnixDomainSocketEndPoint(path)))
        {
            Assert.Equal(PolicyLine, await client.QueryAsync("postfix " + domain));
        }

        Assert.Equal(0, await server.StopAsync());
        Assert.False(File.Exists(path));
        Assert.Contains("Stopped", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_StaleUnixSocketFile_IsReplacedButALiveOneIsNot()
    {
        var path = Path.Combine(env.TempDirectory, $"sm-{Guid.NewGuid():N}.sock");
        await using (var crashed = await ServerProcess.StartAsync(["--listen", "unix:" + path, .. WorldArgs()]))
        {
            // Killed, as a crash would: nothing removes the socket file.
        }

        Assert.True(File.Exists(path));
        await using var first = await ServerProcess.StartAsync(["--listen", "unix:" + path, .. WorldArgs()]);
        Assert.False(first.HasExited, first.Output);

        await using var second = await ServerProcess.StartAsync(["--listen", "unix:" + path, .. WorldArgs()]);
        Assert.Equal(3, await second.WaitForExitAsync());
        Assert.Contains("another server is listening on it", second.Output, StringComparison.Ordinal);
        using var client = await SocketmapClient.ConnectAsync(new UnixDomainSocketEndPoint(path));
        Assert.Equal("NOTFOUND ", await client.QueryAsync("postfix [192.0.2.1]"));
    }

    [Fact]
    public async Task Serve_UnixPathIsARegularFile_RefusesToStartAndLeavesTheFileAlone()
    {
        var path = Path.Combine(env.TempDirectory, $"sm-{Guid.NewGuid():N}.cf");
        await File.WriteAllTextAsync(path, "smtp_tls_policy_maps = socketmap:unix:x:postfix\n");

        await using var server = await ServerProcess.StartAsync(["--listen", "unix:" + path, .. WorldArgs()]);

        Assert.Equal(3, await server.WaitForExitAsync());
        Assert.Contains("exists and is not a socket", server.Output, StringComparison.Ordinal);
        Assert.Equal("smtp_tls_policy_maps = socketmap:unix:x:postfix\n", await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public async Task Sigterm_RequestBeingResolved_GetsItsReplyBeforeTheServerExits(int dedicatedThreads)
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net"]);
        env.Mta.Https.SetResponse("mta-sts." + domain, new PolicyResponse
        {
            Body = System.Text.Encoding.UTF8.GetBytes(MtaStsEnvironment.Policy("enforce", 86400, "mx.example.net")),
            Delay = TimeSpan.FromSeconds(3),
        });
        var port = FreePort.GetTcpPort();
        var config = await WriteAsync($$"""{ "Limits": { "DedicatedThreads": {{dedicatedThreads}} } }""");
        await using var server = await ServerProcess.StartAsync(["--config", config, .. env.ServeArgs(port)]);
        using var client = await SocketmapClient.ConnectAsync(port);
        using var idle = await SocketmapClient.ConnectAsync(port);
        Assert.Equal("NOTFOUND ", await idle.QueryAsync("postfix [192.0.2.1]"));

        await client.SendRawAsync(SocketmapClient.Encode("postfix " + domain));
        await Poll.UntilAsync(() => env.Mta.Https.RequestCount("mta-sts." + domain) > 0, "the policy fetch to start", TimeSpan.FromSeconds(30));
        var stopped = server.StopAsync();

        Assert.Equal("OK secure match=mx.example.net servername=hostname", await client.ReadReplyAsync());
        Assert.True(await idle.WaitForCloseAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await stopped);
        Assert.Contains("Stopping: no new connections", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SqliteStore_KeepsThePolicyAcrossARestart()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        var store = Path.Combine(env.TempDirectory, $"store-{Guid.NewGuid():N}.db");
        var port = FreePort.GetTcpPort();
        await using (var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--store", "sqlite:" + store)))
        {
            using var client = await SocketmapClient.ConnectAsync(port);
            Assert.Equal(PolicyLine, await client.QueryAsync("postfix " + domain));
            Assert.Equal(0, await server.StopAsync());
        }

        using (var reader = SqlitePolicyStore.OpenReadOnly(store))
        {
            Assert.NotNull(await reader.GetAsync(domain));
        }

        // The policy host now fails: a server that kept the policy still enforces it after a restart.
        env.Mta.Https.SetResponse("mta-sts." + domain, PolicyResponse.Status(500));
        port = FreePort.GetTcpPort();
        await using var restarted = await ServerProcess.StartAsync(env.ServeArgs(port, "--store", "sqlite:" + store));
        using var again = await SocketmapClient.ConnectAsync(port);
        var reply = await again.QueryAsync("postfix " + domain);
        Assert.True(reply == PolicyLine, reply + "\n" + restarted.Output);
    }

    [Fact]
    public async Task Serve_RedisStore_WritesThePolicyToRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);
        var port = FreePort.GetTcpPort();
        var config = await WriteAsync($$"""{ "Store": { "Type": "Redis", "Configuration": "{{redis.EndPoint}}", "InstanceName": "pf-test:" } }""");
        await using var server = await ServerProcess.StartAsync(["--config", config, .. env.ServeArgs(port)]);
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal(PolicyLine, await client.QueryAsync("postfix " + domain));
        await Poll.UntilAsync(() => redis.CommandAsync("KEYS", "pf-test:*").GetAwaiter().GetResult().Contains(domain, StringComparison.Ordinal), "the policy in Redis", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Serve_SystemdSocketActivation_UsesThePassedSocket()
    {
        const string Activate = "/usr/bin/systemd-socket-activate";
        Assert.True(File.Exists(Activate), "systemd-socket-activate (Debian package systemd) is needed; test.sh installs it.");
        var port = FreePort.GetTcpPort();
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net", "*.example.net"]);

        // systemd-socket-activate listens, and on the first connection starts the server with the socket as fd 3. The
        // server's own --listen (another port) is ignored.
        await using var activator = await ServerProcess.StartAsync(
            env.ServeArgs(FreePort.GetTcpPort()),
            expectedEndpoints: 0,
            prefix: [Activate, "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"]);
        await Poll.UntilAsync(() => IsListening(port), "systemd-socket-activate to listen", TimeSpan.FromSeconds(10));
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal(PolicyLine, await client.QueryAsync("postfix " + domain, TimeSpan.FromSeconds(60)));
        await activator.WaitForOutputAsync("Using 1 listening sockets passed by systemd");
    }

    private static uint FileOwnership(string path, string format)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/stat") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(format);
        start.ArgumentList.Add(path);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return uint.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private string[] WorldArgs() =>
    [
        "--dns-server", env.Mta.Dns.EndPoint.ToString(),
        "--trust-root", env.TrustRootPath,
        "--allow-private-addresses",
        "--timeout", "10",
    ];

    private async Task<string> WriteAsync(string json)
    {
        var path = Path.Combine(env.TempDirectory, $"serve-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }
}
