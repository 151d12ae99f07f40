using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Resolution;

public sealed class PolicyClockTests
{
    [Fact]
    public void CoarseUtcTicks_CoarseMode_FollowsTimeInTimerSteps()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var sut = new PolicyClock(time, coarse: true);
        var start = time.GetUtcNow().UtcTicks;

        time.Advance(TimeSpan.FromMilliseconds(100));
        var beforeTick = sut.CoarseUtcTicks;
        time.Advance(PolicyClock.CoarsePeriod);
        var afterTick = sut.CoarseUtcTicks;

        Assert.Equal(start, beforeTick);
        Assert.Equal(time.GetUtcNow().UtcTicks, afterTick);
    }

    [Fact]
    public void CoarseUtcTicks_ExactMode_IsAlwaysCurrent()
    {
        var time = new FakeTimeProvider();
        using var sut = new PolicyClock(time);

        time.Advance(TimeSpan.FromMilliseconds(7));

        Assert.Equal(time.GetUtcNow().UtcTicks, sut.CoarseUtcTicks);
    }
}
