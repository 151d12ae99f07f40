using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// <c>mta-sts serve-postfix</c> as a process, spoken to over raw sockets: the replies Postfix gets for each kind of
/// domain (byte for byte those of postfix-mta-sts-resolver), lookup keys, and requests Postfix would never send.
/// </summary>
[Collection(ToolCollection.Name)]
public sealed partial class SocketmapProtocolTests(ToolEnvironment env)
{
    private static readonly string[] PolicyMx = ["mx1.example.net", "*.Example.NET", "mx1.example.net", "mx2.example.org"];

    [Fact]
    public async Task Query_EnforcePolicy_RepliesOkSecureWithWildcardAsLeadingDotAndSni()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], PolicyMx);
        var (_, port) = await env.DefaultServerAsync();
        using var client = await SocketmapClient.ConnectAsync(port);

        var reply = await client.QueryAsync("postfix " + domain);

        Assert.Equal("OK secure match=mx1.example.net:.Example.NET:mx2.example.org servername=hostname", reply);
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("{0}.")]
    [InlineData("[{0}]")]
    [InlineData("[{0}]:25")]
    [InlineData("{0}:587")]
    [InlineData("  {0}  ")]
    public async Task Query_KeyForms_AreNormalisedToThePolicyDomain(string form)
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net"]);
        var (_, port) = await env.DefaultServerAsync();
        using var client = await SocketmapClient.ConnectAsync(port);

        var reply = await client.QueryAsync("postfix " + string.Format(System.Globalization.CultureInfo.InvariantCulture, form, domain.ToUpperInvariant()));

        Assert.Equal("OK secure match=mx.example.net servername=hostname", reply);
    }

    [Theory]
    [InlineData(PolicyCase.Testing)]
    [InlineData(PolicyCase.None)]
    [InlineData(PolicyCase.NoPolicy)]
    public async Task Query_NothingToEnforce_RepliesNotFoundWithItsSpace(PolicyCase policy)
    {
        var domain = await env.AddDomainAsync(policy, [MxHosts.Valid], ["mx.example.net"]);
        var (_, port) = await env.DefaultServerAsync();
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal("NOTFOUND ", await client.QueryAsync("postfix " + domain));
    }

    [Theory]
    [InlineData("[192.0.2.1]")]
    [InlineData("[192.0.2.1]:25")]
    [InlineData("192.0.2.1")]
    [InlineData("[::1]:25")]
    [InlineData("[ipv6:2001:db8::1]")]
    [InlineData("2001:db8::1")]
    [InlineData(".example.com")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("under_score.example")]
    [InlineData("example.com:smtp")]
    [InlineData("[example.com")]
    [InlineData("a..b.example")]
    public async Task Query_KeyThatIsNotAPolicyDomain_RepliesNotFound(string key)
    {
        var (server, port) = await env.DefaultServerAsync();
        var dnsQueries = env.Mta.Dns.TotalQueryCount;
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal("NOTFOUND ", await client.QueryAsync("postfix " + key));
        Assert.False(server.HasExited);
        Assert.Equal(dnsQueries, env.Mta.Dns.TotalQueryCount);
    }

    [Fact]
    public async Task Query_RequestWithoutSpace_RepliesPermAndKeepsTheConnection()
    {
        var domain = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Valid], []);
        var (_, port) = await env.DefaultServerAsync();
        using var client = await SocketmapClient.ConnectAsync(port);

        Assert.Equal("PERM malformed request: expected 'name key'", await client.QueryAsync("no-space-here"));
        Assert.Equal("NOTFOUND ", await client.QueryAsync("postfix " + domain));
    }

    [Theory]
    [InlineData("abc:", "PERM bad netstring: the length is not digits followed by ':'")]
    [InlineData(":x,", "PERM bad netstring: the length is not digits followed by ':'")]
    [InlineData("5:hello!", "PERM bad netstring: no ',' after the payload")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "PERM bad netstring: the length is not digits followed by ':'")]
    [InlineData("1025:", "PERM request larger than 1024 bytes")]
    [InlineData("99999999999:", "PERM request larger than 1024 bytes")]
    public async Task Send_MalformedNetstring_RepliesPermThenCloses(string bytes, string expected)
    {
        var (server, port) = await env.DefaultServerAsync();
        using var client = await SocketmapClient.ConnectAsync(port);

        await client.SendRawAsync(System.Text.Encoding.ASCII.GetBytes(bytes));

        Assert.Equal(expected, await client.ReadReplyAsync());
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        await server.WaitForOutputAsync("answered PERM and closed");
        using var next = await SocketmapClient.ConnectAsync(port);
        Assert.Equal("NOTFOUND ", await next.QueryAsync("postfix [192.0.2.1]"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    public async Task Send_RequestsBeforeAMalformedOne_AreAnsweredInOrderFirst(int dedicatedThreads)
    {
        var domain = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Valid], []);
        var slow = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net"]);
        env.Mta.Https.SetResponse("mta-sts." + slow, new PolicyResponse
        {
            Body = System.Text.Encoding.UTF8.GetBytes(MtaStsEnvironment.Policy("enforce", 86400, "mx.example.net")),
            Delay = TimeSpan.FromSeconds(1),
        });
        var port = FreePort.GetTcpPort();
        var config = Path.Combine(env.TempDirectory, $"serve-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, $$"""{ "Limits": { "DedicatedThreads": {{dedicatedThreads}} } }""");
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--config", config));
        using var client = await SocketmapClient.ConnectAsync(port);

        // The first waits for a slow policy fetch; the others, answered at once, must still come after it.
        await client.SendRawAsync([
            .. SocketmapClient.Encode("postfix " + slow),
            .. SocketmapClient.Encode("postfix [192.0.2.1]"),
            .. SocketmapClient.Encode("postfix " + domain),
            .. "7:garbage!"u8.ToArray()]);

        Assert.Equal("OK secure match=mx.example.net servername=hostname", await client.ReadReplyAsync());
        Assert.Equal("NOTFOUND ", await client.ReadReplyAsync());
        Assert.Equal("NOTFOUND ", await client.ReadReplyAsync());
        Assert.Equal("PERM bad netstring: no ',' after the payload", await client.ReadReplyAsync());
        Assert.True(await client.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Send_RequestInSingleBytes_IsAnsweredWhenComplete()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["mx.example.net"]);
        var (_, port) = await env.DefaultServerAsync();
        using var client = await SocketmapClient.ConnectAsync(port);

        foreach (var b in SocketmapClient.Encode("postfix " + domain))
        {
            await client.SendRawAsync([b]);
        }

        Assert.Equal("OK secure match=mx.example.net servername=hostname", await client.ReadReplyAsync());
    }

    [Fact]
    public async Task Query_ClientClosesMidRequest_ServerCarriesOn()
    {
        var (server, port) = await env.DefaultServerAsync();
        using (var client = await SocketmapClient.ConnectAsync(port))
        {
            await client.SendRawAsync("20:postfix exa"u8.ToArray());
        }

        using var next = await SocketmapClient.ConnectAsync(port);
        Assert.Equal("NOTFOUND ", await next.QueryAsync("postfix [192.0.2.1]"));
        Assert.False(server.HasExited);
    }
}
