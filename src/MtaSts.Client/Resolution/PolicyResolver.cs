using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MtaSts;

/// <summary>
/// The policy resolver: cache first, then discovery and fetch, with single-flight per domain, fetch back-off,
/// background TXT re-checks and proactive refresh (RFC 8461 §3, §3.3, §5.1; Decisions 1–6 and 19–27).
/// </summary>
internal sealed partial class PolicyResolver : IMtaStsPolicyResolver, IDisposable
{
    private readonly IMtaStsDns _dns;
    private readonly IPolicyFetcher _fetcher;
    private readonly MemoryPolicyStore _store;
    private readonly IMtaStsPolicyStore? _durable;
    private readonly MtaStsOptions _options;
    private readonly PolicyClock _clock;
    private readonly MtaStsTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly FetchBackoff _backoff;
    private readonly PolicyInterner _policies = new();
    private readonly ConcurrentDictionary<(string PolicyDomain, bool Proactive), Task<PolicyResolution>> _inflight = new();
    private readonly CancellationTokenSource _lifetime = new();
    private int _disposed;

    public PolicyResolver(
        IMtaStsDns dns,
        IPolicyFetcher fetcher,
        MemoryPolicyStore store,
        MtaStsOptions options,
        PolicyClock clock,
        MtaStsTelemetry telemetry,
        ILogger<PolicyResolver> logger,
        IMtaStsPolicyStore? durable = null)
    {
        _durable = durable;
        _dns = dns;
        _fetcher = fetcher;
        _store = store;
        _options = options;
        _clock = clock;
        _clock.SteppedBack += OnClockSteppedBack;
        _telemetry = telemetry;
        _logger = logger;
        _backoff = new FetchBackoff(options.FetchBackoff);
    }

    /// <inheritdoc/>
    public ValueTask<PolicyResolution> ResolveAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        // The cache-hit path: no I/O, no allocation, no lock (Decision 25). Only normalised names are stored, so a
        // name found as given is already normalised; any other form takes the slow path once to be normalised.
        if (policyDomain is not null && _store.TryGet(policyDomain, out var entry))
        {
            var now = _clock.CoarseUtcTicks;
            if (now < entry.SoftExpiresAtUtcTicks || entry.IsValidAt(now = _clock.UtcNow.UtcTicks))
            {
                entry.Touch(now);
                if (now >= entry.NextRecordCheckUtcTicks)
                {
                    // Never for a cached "no policy" answer: its next check is at the end of time.
                    StartBackgroundRecordCheck((PolicyCacheEntry)entry);
                }

                _telemetry.CacheHit(entry);
                return new ValueTask<PolicyResolution>(entry.Current);
            }
        }

        return ResolveSlowAsync(policyDomain!, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<PolicyResolution> RecheckAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        var domain = PolicyDomainName.Normalize(policyDomain, nameof(policyDomain));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // Decision 26 (RFC 8461 §5.1 step 3): look at the TXT record now, whatever the re-check interval says.
        var resolution = await RunSharedAsync(domain, RefreshKind.RecordCheck, cancellationToken).ConfigureAwait(false);
        LogRechecked(_logger, domain, resolution.Status, resolution.PolicyId);
        return resolution;
    }

    /// <summary>Gets a value indicating whether no resolution, re-check or refresh is in flight (for tests).</summary>
    internal bool IsIdle => _inflight.IsEmpty && _store.Snapshot().All(e => !e.IsRecordCheckRunning);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _clock.SteppedBack -= OnClockSteppedBack;
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    /// <summary>
    /// The clock was stepped back: a "no policy" answer cached after the new time would otherwise live on by the size of
    /// the step and hide a policy published meanwhile. Such answers end now (their <see cref="CacheEntry.NotBeforeUtcTicks"/>).
    /// </summary>
    private void OnClockSteppedBack(long nowUtcTicks) => _store.RemoveExpiredNegatives(nowUtcTicks);

    private async ValueTask<PolicyResolution> ResolveSlowAsync(string policyDomain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policyDomain);
        var domain = PolicyDomainName.Normalize(policyDomain, nameof(policyDomain));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        if (!ReferenceEquals(domain, policyDomain) && _store.TryGet(domain, out var entry) && entry.IsValidAt(_clock.UtcNow.UtcTicks))
        {
            // A valid entry reached through a name that was not in normal form (upper case, U-labels, trailing dot).
            var now = _clock.UtcNow.UtcTicks;
            entry.Touch(now);
            if (now >= entry.NextRecordCheckUtcTicks)
            {
                StartBackgroundRecordCheck((PolicyCacheEntry)entry);
            }

            _telemetry.CacheHit(entry);
            return entry.Current;
        }

        _telemetry.CacheMiss();
        return await RunSharedAsync(domain, RefreshKind.OnDemand, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Single-flight per kind of work (issue-8 rule 11): concurrent lookups and TXT re-checks of one domain share one TXT
    /// query and one fetch; a proactive refresh, which must fetch whatever the TXT record says, never joins a re-check
    /// (and so is never answered by one that found the id unchanged). The shared work runs under the resolver's lifetime,
    /// so one caller's cancellation does not cancel it for the others.
    /// </summary>
    private Task<PolicyResolution> RunSharedAsync(string domain, RefreshKind kind, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<PolicyResolution>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = (domain, kind == RefreshKind.Proactive);
        var shared = _inflight.GetOrAdd(key, completion.Task);
        if (ReferenceEquals(shared, completion.Task))
        {
            _ = RunAsync();
        }

        return shared.WaitAsync(cancellationToken);

        async Task RunAsync()
        {
            try
            {
                completion.SetResult(await ResolveFromNetworkAsync(domain, kind, _lifetime.Token).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
            finally
            {
                _inflight.TryRemove(new KeyValuePair<(string, bool), Task<PolicyResolution>>(key, completion.Task));
            }
        }
    }

    private void StartBackgroundRecordCheck(PolicyCacheEntry entry)
    {
        if (!entry.TryBeginRecordCheck())
        {
            return;
        }

        _ = CheckAsync();

        async Task CheckAsync()
        {
            try
            {
                await RunSharedAsync(entry.PolicyDomain, RefreshKind.RecordCheck, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A background check must never fault unobserved; the cached policy stays in force (Decision 24).
                LogBackgroundCheckFailed(_logger, entry.PolicyDomain, ex);
            }
            finally
            {
                entry.EndRecordCheck((_clock.UtcNow + _options.RecordCheckInterval).UtcTicks);
            }
        }
    }
}
