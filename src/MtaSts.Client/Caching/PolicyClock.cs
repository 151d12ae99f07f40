namespace MtaSts;

/// <summary>
/// Time for the cache. With <see cref="TimeProvider.System"/> the cache-hit path reads a coarse value that a timer
/// refreshes every 250 ms instead of reading the system clock on every call: a policy may then be served up to that
/// much past its expiry, which is harmless (serving a policy longer is never weaker). Any other provider (tests) is
/// read exactly on every call.
/// </summary>
/// <remarks>
/// A clock stepped back (NTP correcting a clock that ran ahead, an operator) would stretch a cached "no policy" answer by
/// the size of the step, and with it the time a newly published policy goes unseen. The clock watches for a step back of
/// more than <see cref="StepTolerance"/> in every reading it takes (the timer's, the exact ones; with another provider
/// also the hit path's) and raises <see cref="SteppedBack"/>, on which the resolver drops those answers; the hit path
/// itself pays nothing for it.
/// </remarks>
internal sealed class PolicyClock : IDisposable
{
    public static readonly TimeSpan CoarsePeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>How far behind the latest reading a reading must be to count as a step back.</summary>
    public static readonly TimeSpan StepTolerance = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _timeProvider;
    private readonly ITimer? _timer;
    private long _coarseUtcTicks;
    private long _latestUtcTicks;

    public PolicyClock(TimeProvider timeProvider, bool? coarse = null)
    {
        _timeProvider = timeProvider;
        _coarseUtcTicks = timeProvider.GetUtcNow().UtcTicks;
        _latestUtcTicks = _coarseUtcTicks;
        if (coarse ?? ReferenceEquals(timeProvider, TimeProvider.System))
        {
            _timer = timeProvider.CreateTimer(static s => ((PolicyClock)s!).Update(), this, CoarsePeriod, CoarsePeriod);
        }
    }

    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Raised with the new time when the clock was stepped back by more than <see cref="StepTolerance"/>.</summary>
    public event Action<long>? SteppedBack;

    /// <summary>
    /// Gets the current UTC time in ticks, possibly up to <see cref="CoarsePeriod"/> (plus timer lag) behind. Without the
    /// coarse timer, a reading that finds the clock stepped back gives <see cref="long.MaxValue"/>, so that the caller
    /// (the hit path) asks the exact time and the entry's own bounds.
    /// </summary>
    public long CoarseUtcTicks
    {
        get
        {
            if (_timer is not null)
            {
                return Volatile.Read(ref _coarseUtcTicks);
            }

            var now = _timeProvider.GetUtcNow().UtcTicks;
            return Observe(now) ? long.MaxValue : now;
        }
    }

    /// <summary>Gets the exact current time.</summary>
    public DateTimeOffset UtcNow
    {
        get
        {
            var now = _timeProvider.GetUtcNow();
            Observe(now.UtcTicks);
            return now;
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Update()
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        Volatile.Write(ref _coarseUtcTicks, now);
        Observe(now);
    }

    /// <summary>Keeps the latest reading (written at most once a second) and reports a step back; true when there was one.</summary>
    private bool Observe(long now)
    {
        var latest = Volatile.Read(ref _latestUtcTicks);
        if (now >= latest)
        {
            if (now - latest > TimeSpan.TicksPerSecond)
            {
                Volatile.Write(ref _latestUtcTicks, now);
            }

            return false;
        }

        if (latest - now <= StepTolerance.Ticks)
        {
            return false;
        }

        Volatile.Write(ref _latestUtcTicks, now);
        SteppedBack?.Invoke(now);
        return true;
    }
}
