using System.Collections.Concurrent;

namespace MtaSts;

/// <summary>
/// The TLS-RPT collector: counts every SMTP session's outcome per policy domain, policy applied and UTC day
/// (RFC 8460 §4.2, §4.3), and merges failures by their identifying fields (§4.4). Sessions that deliver TLS
/// reports are never counted (RFC 8460 §3). Counts live in memory and are added to the <see cref="ITlsReportStore"/>
/// by <see cref="FlushAsync"/>.
/// </summary>
/// <remarks>
/// <para>Which sessions count:</para>
/// <list type="bullet">
/// <item>success: TLS meeting the policy in force was negotiated (<see cref="SmtpSessionOutcome.Succeeded"/>) and the policy
/// was resolved without failure;</item>
/// <item>failure: the session has a TLS-RPT result type, or its policy resolution reported one (<c>sts-policy-fetch-error</c>,
/// <c>sts-policy-invalid</c>, <c>sts-webpki-invalid</c>: one session may add two failure details, RFC 8460 §4), or — under no
/// policy or <c>mode: none</c>, where the delivery agent classifies nothing — it ended without TLS;</item>
/// <item>not counted: under <c>testing</c> or <c>enforce</c>, a session that neither succeeded nor has a result type (a network
/// or SMTP error before TLS: a transient failure, RFC 8460 §4.3.4).</item>
/// </list>
/// <para>
/// A session whose policy could not be fetched and for which no policy was cached is reported under an <c>sts</c> policy
/// without <c>policy-string</c> (as the large receivers report it); a session under no policy under <c>no-policy-found</c>.
/// <see cref="Record"/> allocates nothing once a domain, day, policy and failure kind have been seen.
/// </para>
/// </remarks>
internal sealed class TlsRptCollector : ISmtpSessionOutcomeSink, IDisposable
{
    private readonly ConcurrentDictionary<DomainDay, DomainDayCounters> _days = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly ITlsReportStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly TlsRptTelemetry _telemetry;

    public TlsRptCollector(ITlsReportStore store, TimeProvider timeProvider, TlsRptTelemetry telemetry)
    {
        _store = store;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
    }

    /// <summary>Gets the number of (domain, day) entries held in memory.</summary>
    internal int DomainDayCount => _days.Count;

    /// <summary>Counts one session. On the delivery path: never throws, never waits, and allocates nothing in the steady state.</summary>
    public void Record(SmtpSessionOutcome outcome)
    {
        if (outcome is null)
        {
            return;
        }

        // RFC 8460 §3: Sending MTAs "SHOULD NOT include this SMTP session in the next report".
        if (outcome.IsReportDelivery)
        {
            _telemetry.SessionRecorded(TlsRptTelemetry.SessionReportDelivery);
            return;
        }

        var resolution = outcome.Resolution;
        if (outcome.Tlsa is { } tlsa)
        {
            RecordTlsa(outcome, tlsa);
            return;
        }

        var policy = resolution.Policy;
        var policyFailure = resolution.FailureResultType;
        var success = outcome.Succeeded && policyFailure is null;
        if (!success && outcome.ResultType is null && policyFailure is null && policy is { Mode: not MtaStsMode.None })
        {
            // RFC 8460 §4.3.4: transient failures (no TLS attempted under the policy) "are not required to be reported".
            _telemetry.SessionRecorded(TlsRptTelemetry.SessionNotCounted);
            return;
        }

        var policyType = policy is not null || policyFailure is not null ? TlsRptPolicyType.Sts : TlsRptPolicyType.NoPolicyFound;
        var ticks = outcome.Timestamp == default ? _timeProvider.GetUtcNow().UtcTicks : outcome.Timestamp.UtcTicks;
        var key = new DomainDay(resolution.PolicyDomain, (int)(ticks / TimeSpan.TicksPerDay));
        if (!_days.TryGetValue(key, out var day))
        {
            day = _days.GetOrAdd(key, static k => new DomainDayCounters(k.Domain, DateOnly.FromDayNumber(k.DayNumber)));
        }

        var counters = day.GetPolicy(policyType, policy);
        if (success)
        {
            counters.Successes.Increment();
            _telemetry.SessionRecorded(TlsRptTelemetry.SessionSuccess);
            return;
        }

        counters.Failures.Increment();
        if (outcome.ResultType is { } resultType)
        {
            counters.AddFailureDetail(new FailureDetailKey(resultType, outcome.SendingAddress, outcome.MxHost, outcome.ReceivingAddress, outcome.ReceivingHelo, outcome.FailureReasonCode));
        }

        if (policyFailure is { } failure)
        {
            counters.AddFailureDetail(new FailureDetailKey(failure, outcome.SendingAddress, outcome.MxHost, outcome.ReceivingAddress, outcome.ReceivingHelo, resolution.FailureReasonCode));
        }

        _telemetry.SessionRecorded(TlsRptTelemetry.SessionFailure);
    }

    /// <summary>
    /// A session DANE governed (or a DANE failure before any session) counts under the host's <c>tlsa</c> policy only,
    /// never under the domain's <c>sts</c> one; an MTA-STS resolution failure says nothing about it (RFC 8460 §4.4).
    /// </summary>
    private void RecordTlsa(SmtpSessionOutcome outcome, TlsaLookupResult tlsa)
    {
        if (!outcome.Succeeded && outcome.ResultType is null)
        {
            // RFC 8460 §4.3.4: a network or SMTP error before TLS is transient.
            _telemetry.SessionRecorded(TlsRptTelemetry.SessionNotCounted);
            return;
        }

        var counters = Day(outcome).GetTlsaPolicy(tlsa.PolicyText);
        if (outcome.Succeeded && outcome.ResultType is null)
        {
            counters.Successes.Increment();
            _telemetry.SessionRecorded(TlsRptTelemetry.SessionSuccess);
            return;
        }

        counters.Failures.Increment();
        counters.AddFailureDetail(new FailureDetailKey(outcome.ResultType!.Value, outcome.SendingAddress, outcome.MxHost, outcome.ReceivingAddress, outcome.ReceivingHelo, outcome.FailureReasonCode));
        _telemetry.SessionRecorded(TlsRptTelemetry.SessionFailure);
    }

    private DomainDayCounters Day(SmtpSessionOutcome outcome)
    {
        var ticks = outcome.Timestamp == default ? _timeProvider.GetUtcNow().UtcTicks : outcome.Timestamp.UtcTicks;
        var key = new DomainDay(outcome.Resolution.PolicyDomain, (int)(ticks / TimeSpan.TicksPerDay));
        if (!_days.TryGetValue(key, out var day))
        {
            day = _days.GetOrAdd(key, static k => new DomainDayCounters(k.Domain, DateOnly.FromDayNumber(k.DayNumber)));
        }

        return day;
    }

    /// <summary>
    /// Adds every count not yet stored to the store in one call, then forgets days older than yesterday that are fully
    /// stored. One flush at a time; when the store fails, the counts stay in memory for the next flush.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Exception">Whatever the store throws.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = new List<(CountingCell Cell, long Value)>();
            var counters = new List<TlsReportCounter>();
            foreach (var (_, day) in _days)
            {
                foreach (var policy in day.Policies)
                {
                    Collect(day, policy.Successes, pending, counters);
                    Collect(day, policy.Failures, pending, counters);
                    foreach (var (detail, cell) in policy.Details)
                    {
                        cell.Key ??= TlsReportCounterKey.Encode(policy.PolicyType, policy.PolicyText, detail);
                        Collect(day, cell, pending, counters);
                    }
                }
            }

            if (counters.Count > 0)
            {
                await _store.AddCountersAsync(counters, cancellationToken).ConfigureAwait(false);
                foreach (var (cell, value) in pending)
                {
                    cell.Flushed = value;
                }
            }

            // Sessions are stamped when they end, so nothing more arrives for a day two days past.
            var oldest = DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime).AddDays(-1);
            foreach (var (key, day) in _days)
            {
                if (day.Day < oldest && IsFlushed(day))
                {
                    _days.TryRemove(key, out _);
                }
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    public void Dispose() => _flushGate.Dispose();

    private static void Collect(DomainDayCounters day, CountingCell cell, List<(CountingCell, long)> pending, List<TlsReportCounter> counters)
    {
        var value = Volatile.Read(ref cell.Value);
        if (value != cell.Flushed)
        {
            counters.Add(new TlsReportCounter(day.Day, day.PolicyDomain, cell.Key!, value - cell.Flushed));
            pending.Add((cell, value));
        }
    }

    private static bool IsFlushed(DomainDayCounters day) =>
        day.Policies.All(p => p.Successes.Value == p.Successes.Flushed && p.Failures.Value == p.Failures.Flushed
            && p.Details.Values.All(c => c.Value == c.Flushed));

    /// <summary>The dictionary key: a policy domain and a UTC day number (<see cref="DateOnly.DayNumber"/>).</summary>
    private readonly record struct DomainDay(string Domain, int DayNumber);
}
