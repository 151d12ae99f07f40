using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Fakes;

/// <summary>A <see cref="PolicyResolver"/> over fakes at its seams, with fake time.</summary>
internal sealed class ResolverHarness : IDisposable
{
    public ResolverHarness(Action<MtaStsOptions>? configure = null, IMtaStsPolicyStore? durable = null, FakeTimeProvider? time = null, bool coarseClock = false)
    {
        configure?.Invoke(Options);
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        Clock = new PolicyClock(Time, coarse: coarseClock);
        Resolver = new PolicyResolver(Dns, Fetcher, Store, Options, Clock, Telemetry, NullLogger<PolicyResolver>.Instance, durable);
    }

    public MtaStsOptions Options { get; } = new();

    public FakeTimeProvider Time { get; }

    public FakeDns Dns { get; } = new();

    public FakeFetcher Fetcher { get; } = new();

    public MemoryPolicyStore Store { get; } = new();

    public MtaStsTelemetry Telemetry { get; } = new(null);

    public PolicyClock Clock { get; }

    public PolicyResolver Resolver { get; }

    /// <summary>Waits until the resolver has no work in flight (background TXT re-checks included); bounded.</summary>
    public async Task WaitIdleAsync()
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!Resolver.IsIdle)
        {
            Assert.True(Environment.TickCount64 < deadline, "The resolver did not become idle within 10 s.");
            await Task.Delay(1);
        }
    }

    public void Dispose()
    {
        Resolver.Dispose();
        Clock.Dispose();
        Telemetry.Dispose();
    }
}
