using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>The overall fetch budget (K.29, B.9, Decision 19).</summary>
public sealed partial class PolicyFetcherTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ResolveAsync_ServerStallsBeforeResponding_TimeoutWithinTheBudget()
    {
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        env.Https.SetResponse(host, new PolicyResponse { Body = PolicyResponse.Policy(MtaStsEnvironment.Policy()).Body, Delay = Stall });
        await using var sut = env.CreateResolver(o => o.FetchTimeout = Budget);

        var started = TimeProvider.System.GetTimestamp();
        var resolution = await sut.ResolveAsync(domain);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "timeout");
        Assert.InRange(elapsed, Budget * 0.9, Budget * 4);
        Assert.Equal(1, env.Https.RequestCount(host));
    }

    [Fact]
    public async Task ResolveAsync_ServerStallsInTheBody_TimeoutWithinTheBudget()
    {
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        env.Https.SetResponse(host, new PolicyResponse { Body = PolicyResponse.Policy(MtaStsEnvironment.Policy()).Body, BodyDelay = Stall });
        await using var sut = env.CreateResolver(o => o.FetchTimeout = Budget);

        var started = TimeProvider.System.GetTimestamp();
        var resolution = await sut.ResolveAsync(domain);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "timeout");
        Assert.InRange(elapsed, Budget * 0.9, Budget * 4);
    }

    // Regression tests for an exception escaping the resolver: SocketsHttpHandler.ConnectTimeout is set to FetchTimeout,
    // so a connection that cannot be established within the budget races two timers of equal length, the fetch budget
    // (a Polly timeout on the injected TimeProvider, mapped to "timeout") and the handler's own connect timeout (on the
    // real clock), whose TaskCanceledException nothing catches. With the real clock either may win. Here the fake clock
    // stands still until the real connect timeout has had its chance, and only then runs the budget out as well, so the
    // outcome does not depend on which of the two a fix relies on.

    [Fact]
    public async Task ResolveAsync_TlsHandshakeStallsPastConnectTimeout_FetchErrorInsteadOfThrowing()
    {
        // A TCP listener on 127.0.0.1 that accepts connections and never answers the ClientHello.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var accepted = new List<Socket>();
        var accepting = AcceptForeverAsync(listener, accepted, stop.Token);
        try
        {
            var domain = await env.AddDomainAsync();
            var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
            await using var sut = env.CreateResolver(
                o =>
                {
                    o.PolicyHostPort = ((IPEndPoint)listener.LocalEndpoint).Port;
                    o.FetchTimeout = Budget;
                },
                time);

            var resolution = await ResolveAfterBothTimersAsync(sut.ResolveAsync(domain), time);

            Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
            Assert.Equal(TlsRptResultType.StsPolicyFetchError, resolution.FailureResultType);
            Assert.Single(accepted);
        }
        finally
        {
            await stop.CancelAsync();
            await accepting;
            accepted.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task RecheckAsync_PolicyHostLookupStallsPastConnectTimeout_KeepsCachedPolicyInsteadOfThrowing()
    {
        var domain = await env.AddDomainAsync(id: "A");
        var host = PolicyHost(domain);

        // "Connection: close" so that the fetch of the new id has to connect (and so resolve the host) again.
        env.Https.SetResponse(host, new PolicyResponse
        {
            Body = PolicyResponse.Policy(MtaStsEnvironment.Policy()).Body,
            Headers = new Dictionary<string, string> { ["Connection"] = "close" },
        });
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var sut = env.CreateResolver(o => o.FetchTimeout = Budget, time);
        AssertFetched(await sut.ResolveAsync(domain), "A");
        await env.SetIdAsync(domain, "B");
        var previous = env.Dns.Proxy.DropQuery;
        env.Dns.Proxy.DropQuery = q => q.Name == host || (previous?.Invoke(q) ?? false);
        try
        {
            var resolution = await ResolveAfterBothTimersAsync(sut.RecheckAsync(domain), time);

            Assert.Equal(PolicyResolutionStatus.Cached, resolution.Status);
            Assert.True(resolution.IsEnforced);
            Assert.Equal("A", resolution.PolicyId);
            Assert.Equal(TlsRptResultType.StsPolicyFetchError, resolution.FailureResultType);
        }
        finally
        {
            env.Dns.Proxy.DropQuery = previous;
        }
    }

    /// <summary>Waits for <paramref name="pending"/>; if the real-clock connect timeout has not ended it, runs the fake-clock budget out.</summary>
    private static async Task<PolicyResolution> ResolveAfterBothTimersAsync(ValueTask<PolicyResolution> pending, FakeTimeProvider time)
    {
        var task = pending.AsTask();
        if (await Task.WhenAny(task, Task.Delay(Budget * 2)) != task)
        {
            time.Advance(Budget);
        }

        return await task;
    }

    private static async Task AcceptForeverAsync(TcpListener listener, List<Socket> accepted, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                accepted.Add(await listener.AcceptSocketAsync(cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by the test.
        }
    }
}
