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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SteppedBack_ClockSetBackMoreThanTheTolerance_RaisedOnceWithTheNewTime(bool coarse)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var sut = new PolicyClock(time, coarse);
        var raised = new List<long>();
        sut.SteppedBack += raised.Add;
        time.Advance(TimeSpan.FromMinutes(10));
        _ = sut.UtcNow;

        time.AdjustTime(time.GetUtcNow() - TimeSpan.FromMinutes(5));
        time.Advance(PolicyClock.CoarsePeriod);
        _ = sut.UtcNow;
        _ = sut.CoarseUtcTicks;

        Assert.Equal([time.GetUtcNow().UtcTicks], raised);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SteppedBack_ClockSetBackWithinTheToleranceOrForward_NotRaised(bool coarse)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var sut = new PolicyClock(time, coarse);
        var raised = 0;
        sut.SteppedBack += _ => raised++;
        time.Advance(TimeSpan.FromMinutes(10));
        _ = sut.UtcNow;

        time.AdjustTime(time.GetUtcNow() - (PolicyClock.StepTolerance / 2));
        _ = sut.UtcNow;
        time.AdjustTime(time.GetUtcNow() + TimeSpan.FromDays(1));
        time.Advance(PolicyClock.CoarsePeriod);
        _ = sut.UtcNow;
        _ = sut.CoarseUtcTicks;

        Assert.Equal(0, raised);
    }

    [Fact]
    public void CoarseUtcTicks_ExactModeReadingFindsTheClockSteppedBack_GivesMaxValueSoTheHitPathAsksTheEntry()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var sut = new PolicyClock(time);
        time.Advance(TimeSpan.FromMinutes(10));
        _ = sut.UtcNow;

        time.AdjustTime(time.GetUtcNow() - TimeSpan.FromMinutes(5));
        var first = sut.CoarseUtcTicks;
        var next = sut.CoarseUtcTicks;

        Assert.Equal(long.MaxValue, first);
        Assert.Equal(time.GetUtcNow().UtcTicks, next);
    }
}
