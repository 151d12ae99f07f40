namespace MtaSts.Tests.Caching;

/// <summary>Decision 22: the per-(domain, id) fetch back-off, on the time the resolver passes in.</summary>
public sealed class FetchBackoffTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly FetchBackoff _sut = new(TimeSpan.FromMinutes(5));

    [Fact]
    public void IsBackedOff_WithinTheBackoff_IsTrueForTheSameDomainAndIdOnly()
    {
        _sut.RecordFailure("example.com", "a", Now);

        Assert.True(_sut.IsBackedOff("example.com", "a", Now.AddMinutes(4)));
        Assert.False(_sut.IsBackedOff("example.com", "b", Now.AddMinutes(4)));
        Assert.False(_sut.IsBackedOff("example.net", "a", Now.AddMinutes(4)));
    }

    [Fact]
    public void IsBackedOff_WhenTheBackoffHasPassed_IsFalseAndTheFailureIsDropped()
    {
        _sut.RecordFailure("example.com", "a", Now);

        Assert.False(_sut.IsBackedOff("example.com", "a", Now.AddMinutes(5)));
        Assert.Equal(0, _sut.Count);
    }

    [Fact]
    public void IsBackedOff_TimeIsTheCallersNotTheMachines()
    {
        // Far from the machine's clock in both directions: only the times passed in count.
        var past = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _sut.RecordFailure("example.com", "a", past);
        Assert.True(_sut.IsBackedOff("example.com", "a", past.AddMinutes(1)));

        var future = new DateTimeOffset(2101, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _sut.RecordFailure("example.net", "a", future);
        Assert.True(_sut.IsBackedOff("example.net", "a", future.AddMinutes(4)));
        Assert.False(_sut.IsBackedOff("example.net", "a", future.AddMinutes(6)));
    }

    [Fact]
    public void Clear_AfterASuccessfulFetch_EndsTheBackoff()
    {
        _sut.RecordFailure("example.com", "a", Now);

        _sut.Clear("example.com", "a");

        Assert.False(_sut.IsBackedOff("example.com", "a", Now.AddMinutes(1)));
    }

    [Fact]
    public void RecordFailure_ZeroBackoff_NeverBacksOff()
    {
        var sut = new FetchBackoff(TimeSpan.Zero);

        sut.RecordFailure("example.com", "a", Now);

        Assert.False(sut.IsBackedOff("example.com", "a", Now));
        Assert.Equal(0, sut.Count);
    }

    [Fact]
    public void RecordFailure_FloodOfNewIds_StaysWithinTheLimit()
    {
        for (var i = 0; i < FetchBackoff.MaxEntries + 500; i++)
        {
            _sut.RecordFailure("example.com", "id" + i, Now);
        }

        Assert.InRange(_sut.Count, 1, FetchBackoff.MaxEntries);
    }
}
