namespace MtaSts;

/// <summary>
/// Time for the cache. With <see cref="TimeProvider.System"/> the cache-hit path reads a coarse value that a timer
/// refreshes every 250 ms instead of reading the system clock on every call: a policy may then be served up to that
/// much past its expiry, which is harmless (serving a policy longer is never weaker). Any other provider (tests) is
/// read exactly on every call.
/// </summary>
internal sealed class PolicyClock : IDisposable
{
    public static readonly TimeSpan CoarsePeriod = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _timeProvider;
    private readonly ITimer? _timer;
    private long _coarseUtcTicks;

    public PolicyClock(TimeProvider timeProvider, bool? coarse = null)
    {
        _timeProvider = timeProvider;
        _coarseUtcTicks = timeProvider.GetUtcNow().UtcTicks;
        if (coarse ?? ReferenceEquals(timeProvider, TimeProvider.System))
        {
            _timer = timeProvider.CreateTimer(static s => ((PolicyClock)s!).Update(), this, CoarsePeriod, CoarsePeriod);
        }
    }

    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Gets the current UTC time in ticks, possibly up to <see cref="CoarsePeriod"/> (plus timer lag) behind.</summary>
    public long CoarseUtcTicks => _timer is null ? _timeProvider.GetUtcNow().UtcTicks : Volatile.Read(ref _coarseUtcTicks);

    /// <summary>Gets the exact current time.</summary>
    public DateTimeOffset UtcNow => _timeProvider.GetUtcNow();

    public void Dispose() => _timer?.Dispose();

    private void Update() => Volatile.Write(ref _coarseUtcTicks, _timeProvider.GetUtcNow().UtcTicks);
}
