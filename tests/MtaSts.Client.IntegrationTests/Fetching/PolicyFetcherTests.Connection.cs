using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>Connections that fail or end early: never a policy from a partial body, and the budget covers a slow trickle.</summary>
public sealed partial class PolicyFetcherTests
{
    [Fact]
    public async Task ResolveAsync_ConnectionRefused_TransientFetchErrorRetried()
    {
        // A port bound on 127.0.0.1 but not listening refuses every connection, and no other process can take it meanwhile.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var domain = await env.AddDomainAsync();
        await using var sut = env.CreateResolver(o =>
        {
            o.PolicyHostPort = ((IPEndPoint)closed.LocalEndPoint!).Port;
            o.FetchRetryCount = 2;
            o.FetchRetryDelay = TimeSpan.FromMilliseconds(10);
        });

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "http-connectionerror");
        Assert.Equal(3, env.Dns.QueryCount(PolicyHost(domain), "A"));
    }

    [Fact]
    public async Task ResolveAsync_BodyShorterThanContentLength_NoPolicyFromTheTruncatedBody()
    {
        // The part that arrives is itself a valid policy (one mx line of two): it must not be taken for the whole.
        var full = Encoding.UTF8.GetBytes(MtaStsEnvironment.Policy(mx: ["mx1.example.net", "mx2.example.net"]));
        var truncated = Encoding.UTF8.GetByteCount(MtaStsEnvironment.Policy(mx: ["mx1.example.net"]));
        var resolution = await ResolveWithHandlerAsync(async context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = full.Length;
            await context.Response.Body.WriteAsync(full.AsMemory(0, truncated), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        });

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, resolution.FailureResultType);
        Assert.Null(resolution.Policy);
    }

    [Fact]
    public async Task ResolveAsync_ChunkedBodyEndingWithoutLastChunk_NoPolicyFromTheTruncatedBody()
    {
        var part = Encoding.UTF8.GetBytes(MtaStsEnvironment.Policy(mx: ["mx1.example.net"]));
        var resolution = await ResolveWithHandlerAsync(async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.Body.WriteAsync(part, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
        });

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, resolution.FailureResultType);
        Assert.Null(resolution.Policy);
    }

    [Fact]
    public async Task ResolveAsync_BodyTricklesPastTheBudget_TimeoutAlthoughNoSingleReadStalls()
    {
        // Decision 19: one overall budget for the fetch, not an idle timeout per read. The server sends a byte every
        // 50 ms, which would take about 5 s for this body.
        var body = Encoding.UTF8.GetBytes(PaddedPolicy(100));
        var started = TimeProvider.System.GetTimestamp();
        var resolution = await ResolveWithHandlerAsync(
            async context =>
            {
                context.Response.ContentType = "text/plain";
                context.Response.ContentLength = body.Length;
                for (var i = 0; i < body.Length; i++)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(i, 1), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(TimeSpan.FromMilliseconds(50), context.RequestAborted);
                }
            },
            o => o.FetchTimeout = Budget);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "timeout");
        Assert.InRange(elapsed, Budget * 0.9, Budget * 4);
    }

    /// <summary>Resolves a new domain whose policy host is answered by <paramref name="handler"/> on a <see cref="RecordingPolicyServer"/>.</summary>
    private async Task<PolicyResolution> ResolveWithHandlerAsync(Func<Microsoft.AspNetCore.Http.HttpContext, Task> handler, Action<MtaStsOptions>? configure = null)
    {
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        server.SetHandler(host, (context, _) => handler(context));
        await using var sut = env.CreateResolver(o =>
        {
            o.PolicyHostPort = server.Port;
            configure?.Invoke(o);
        });

        var resolution = await sut.ResolveAsync(domain);
        Assert.Single(server.RequestsFor(host));
        return resolution;
    }
}
