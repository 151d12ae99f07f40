using Microsoft.Extensions.Internal;

namespace MtaSts;

/// <summary>
/// A clock that reads the latest time its owner was told (<see cref="Observe"/>), for a table whose every call already
/// carries "now" from the resolver's <see cref="TimeProvider"/>: the table's entries then expire on that time without
/// the table holding a second clock. It never goes backwards.
/// </summary>
internal sealed class ObservedClock : ISystemClock
{
    private long _utcTicks;

    public DateTimeOffset UtcNow => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves the clock to <paramref name="now"/> unless it already reads later.</summary>
    public void Observe(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var current = Interlocked.Read(ref _utcTicks);
        while (ticks > current)
        {
            var seen = Interlocked.CompareExchange(ref _utcTicks, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
