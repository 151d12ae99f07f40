using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>
/// Races between a lookup and a proactive refresh of the same domain (review finding): a fresh policy a refresh stored
/// is never replaced by the "no policy" a slower, spoofed lookup came back with.
/// </summary>
public sealed class ResolverRaceTests : IDisposable
{
    private const string Domain = "race.example";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly ScriptedDns _dns = new();
    private readonly FakeFetcher _fetcher = new();
    private readonly MemoryPolicyStore _store = new();
    private readonly PolicyClock _clock;
    private readonly MtaStsTelemetry _telemetry = new(null);
    private readonly PolicyResolver _sut;

    public ResolverRaceTests()
    {
        _clock = new PolicyClock(_time);
        _sut = new PolicyResolver(_dns, _fetcher, _store, new MtaStsOptions(), _clock, _telemetry, NullLogger<PolicyResolver>.Instance);
    }

    public void Dispose()
    {
        _sut.Dispose();
        _clock.Dispose();
        _telemetry.Dispose();
    }

    [Fact]
    public async Task ResolveAsync_SpoofedNxDomainSlowerThanAConcurrentRefresh_TheRefreshedPolicyStays()
    {
        _fetcher.SetPolicy(Domain, maxAge: 3600);
        _dns.Next(new TxtLookupResult(DnsLookupStatus.Found, ["v=STSv1; id=a"]));
        await _sut.ResolveAsync(Domain);
        _time.Advance(TimeSpan.FromHours(2));

        // The lookup (policy expired) asks first, and its answer is held back; then the refresh asks and is answered.
        var spoofed = _dns.Hold();
        var lookup = _sut.ResolveAsync(Domain).AsTask();
        await _dns.WaitForQueriesAsync(2);
        _dns.Next(new TxtLookupResult(DnsLookupStatus.Found, ["v=STSv1; id=a"]));
        var refresh = _sut.RefreshDueAsync(CancellationToken.None);
        Assert.Equal(1, await refresh);

        spoofed.SetResult(TxtLookupResult.NotFound);
        var seenByLookup = await lookup;
        var afterwards = await _sut.ResolveAsync(Domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, seenByLookup.Status);
        Assert.True(afterwards.IsEnforced);
        Assert.True(_store.TryGetPolicy(Domain, out _));
    }

    /// <summary>A DNS whose TXT answers are given one by one by the test, in order.</summary>
    private sealed class ScriptedDns : IMtaStsDns
    {
        private readonly ConcurrentQueue<TaskCompletionSource<TxtLookupResult>> _answers = new();
        private int _queries;

        public void Next(TxtLookupResult result)
        {
            var answer = new TaskCompletionSource<TxtLookupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            answer.SetResult(result);
            _answers.Enqueue(answer);
        }

        public TaskCompletionSource<TxtLookupResult> Hold()
        {
            var answer = new TaskCompletionSource<TxtLookupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answers.Enqueue(answer);
            return answer;
        }

        public async Task WaitForQueriesAsync(int count)
        {
            var deadline = Environment.TickCount64 + 10_000;
            while (Volatile.Read(ref _queries) < count)
            {
                Assert.True(Environment.TickCount64 < deadline, "The queries did not come.");
                await Task.Delay(1);
            }
        }

        public Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _queries);
            return _answers.TryDequeue(out var answer) ? answer.Task : Task.FromResult(TxtLookupResult.NotFound);
        }

        public Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken = default) => Task.FromResult(MxLookupResult.Implicit(domain));

        public Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken = default) => Task.FromResult(AddressLookupResult.NotFound);
    }
}
