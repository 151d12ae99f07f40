using System.Globalization;
using System.Net.Sockets;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>Limits: stalled and idle clients, many connections, long pipelines; the server stays up and its memory bounded.</summary>
public sealed partial class SocketmapProtocolTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public async Task Send_ClientStallsMidRequest_IsClosedAfterTheRequestTimeoutWhileOthersAreServed(int dedicatedThreads)
    {
        var port = FreePort.GetTcpPort();
        var config = await WriteConfigAsync($$"""{ "Limits": { "RequestTimeout": "00:00:02", "IdleTimeout": "00:10:00", "DedicatedThreads": {{dedicatedThreads}} } }""");
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--config", config));
        using var stalled = await SocketmapClient.ConnectAsync(port);
        await stalled.SendRawAsync("20:postfix exam"u8.ToArray());

        using var other = await SocketmapClient.ConnectAsync(port);
        Assert.Equal("NOTFOUND ", await other.QueryAsync("postfix [192.0.2.1]"));

        Assert.True(await stalled.WaitForCloseAsync(TimeSpan.FromSeconds(30)), server.Output);
        await server.WaitForOutputAsync("waited 2 s for an incomplete request; closed");
        Assert.Equal("NOTFOUND ", await other.QueryAsync("postfix [192.0.2.2]"));
    }

    [Fact]
    public async Task Send_ClientDripsARequestByteByByte_IsClosedAtTheRequestTimeoutAnyway()
    {
        var port = FreePort.GetTcpPort();
        var config = await WriteConfigAsync("""{ "Limits": { "RequestTimeout": "00:00:02" } }""");
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--config", config));
        using var client = await SocketmapClient.ConnectAsync(port);
        await client.SendRawAsync("1000:"u8.ToArray());

        // One byte every 100 ms would take 100 s to finish the request; the timeout counts from its first byte.
        var closed = false;
        for (var i = 0; i < 600 && !closed; i++)
        {
            try
            {
                await client.SendRawAsync("x"u8.ToArray());
                closed = await client.WaitForCloseAsync(TimeSpan.FromMilliseconds(100));
            }
            catch (SocketException)
            {
                closed = true;
            }
        }

        Assert.True(closed, server.Output);
    }

    [Fact]
    public async Task Connection_IdleLongerThanTheIdleTimeout_IsClosedButABusyOneIsNot()
    {
        var port = FreePort.GetTcpPort();
        var config = await WriteConfigAsync("""{ "Limits": { "IdleTimeout": "00:00:02" } }""");
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--config", config));
        using var idle = await SocketmapClient.ConnectAsync(port);
        using var busy = await SocketmapClient.ConnectAsync(port);

        var idleClosed = idle.WaitForCloseAsync(TimeSpan.FromSeconds(30));
        while (!idleClosed.IsCompleted)
        {
            Assert.Equal("NOTFOUND ", await busy.QueryAsync("postfix [192.0.2.1]"));
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.True(await idleClosed);
        Assert.Equal("NOTFOUND ", await busy.QueryAsync("postfix [192.0.2.1]"));
    }

    [Fact]
    public async Task Connect_ThousandClientsAtOnce_AllAnsweredWithBoundedMemory()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net"]);
        var (server, port) = await env.DefaultServerAsync();
        using (var warm = await SocketmapClient.ConnectAsync(port))
        {
            Assert.StartsWith("OK ", await warm.QueryAsync("postfix " + domain), StringComparison.Ordinal);
        }

        var clients = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => SocketmapClient.ConnectAsync(port)));
        try
        {
            var replies = await Task.WhenAll(clients.Select((c, i) => c.QueryAsync(i % 2 == 0 ? "postfix " + domain : "postfix [192.0.2.1]")));

            Assert.All(replies.Where((_, i) => i % 2 == 0), r => Assert.Equal("OK secure match=mx.example.net servername=hostname", r));
            Assert.All(replies.Where((_, i) => i % 2 == 1), r => Assert.Equal("NOTFOUND ", r));
            Assert.True(server.ResidentBytes() < 400L * 1024 * 1024, $"resident memory {server.ResidentBytes()} bytes");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        Assert.False(server.HasExited);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public async Task Send_TenThousandPipelinedRequests_AllAnsweredInOrder(int dedicatedThreads)
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net"]);
        var port = FreePort.GetTcpPort();
        var config = await WriteConfigAsync($$"""{ "Limits": { "DedicatedThreads": {{dedicatedThreads}} } }""");
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--config", config));
        using var client = await SocketmapClient.ConnectAsync(port);
        string Request(int i) => (i % 3) switch
        {
            0 => "postfix " + domain,
            1 => "postfix [192.0.2." + (i % 250).ToString(CultureInfo.InvariantCulture) + "]",
            _ => "malformed" + i.ToString(CultureInfo.InvariantCulture),
        };
        string Expected(int i) => (i % 3) switch
        {
            0 => "OK secure match=mx.example.net servername=hostname",
            1 => "NOTFOUND ",
            _ => "PERM malformed request: expected 'name key'",
        };
        var all = Enumerable.Range(0, 10_000).SelectMany(i => SocketmapClient.Encode(Request(i))).ToArray();

        // Written in one go while the replies are read: a client that never read would block the server's writes, and
        // the server then stops reading (memory stays bounded), so reading must go on at the same time.
        var writing = client.SendRawAsync(all);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(Expected(i), await client.ReadReplyAsync());
        }

        await writing;
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Send_PipelineNeverRead_ServerStopsReadingInsteadOfBuffering()
    {
        var (server, port) = await env.DefaultServerAsync();
        var before = server.ResidentBytes();
        using var client = await SocketmapClient.ConnectAsync(port);
        client.Socket.ReceiveBufferSize = 4096;
        var request = SocketmapClient.Encode("postfix [192.0.2.1]");
        var batch = Enumerable.Repeat(request, 1000).SelectMany(r => r).ToArray();

        // Keep writing without reading until the kernel buffers on both sides are full and the write stalls.
        var sent = 0L;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (sent < 200L * 1024 * 1024)
            {
                await client.Socket.SendAsync(batch, SocketFlags.None, cancellation.Token);
                sent += batch.Length;
            }
        }
        catch (OperationCanceledException)
        {
            // The write stalled: the server no longer reads.
        }

        Assert.True(sent < 200L * 1024 * 1024, "the server kept reading requests whose replies nobody took");
        Assert.True(server.ResidentBytes() - before < 100L * 1024 * 1024, $"resident memory grew from {before} to {server.ResidentBytes()}");
        using var other = await SocketmapClient.ConnectAsync(port);
        Assert.Equal("NOTFOUND ", await other.QueryAsync("postfix [192.0.2.1]"));
    }

    [Fact]
    public async Task Connect_BeyondMaxConnections_IsClosedAtOnceAndAFreedSlotIsReused()
    {
        var port = FreePort.GetTcpPort();
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--max-connections", "3"));
        var open = new List<SocketmapClient>();
        for (var i = 0; i < 3; i++)
        {
            open.Add(await SocketmapClient.ConnectAsync(port));
            Assert.Equal("NOTFOUND ", await open[^1].QueryAsync("postfix [192.0.2.1]"));
        }

        using (var refused = await SocketmapClient.ConnectAsync(port))
        {
            Assert.True(await refused.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        }

        await server.WaitForOutputAsync("Connection refused: 3 connections are open");
        open[0].Dispose();
        await Poll.UntilAsync(() => TryQuery(port), "a connection slot to be freed", TimeSpan.FromSeconds(10));
        foreach (var client in open)
        {
            client.Dispose();
        }
    }

    private static bool TryQuery(int port)
    {
        try
        {
            using var client = SocketmapClient.ConnectAsync(port).GetAwaiter().GetResult();
            return client.QueryAsync("postfix [192.0.2.1]", TimeSpan.FromSeconds(2)).GetAwaiter().GetResult() == "NOTFOUND ";
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<string> WriteConfigAsync(string json)
    {
        var path = Path.Combine(env.TempDirectory, $"serve-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }
}
