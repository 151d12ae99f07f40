namespace MtaSts.Tests.Grammar;

/// <summary>
/// Record-set selection (RFC 8461 §3.1, Decisions 1 and 2): which of the TXT records at <c>_mta-sts</c> is parsed.
/// Checklist items K.5, K.6 and K.17–K.20.
/// </summary>
public sealed partial class MtaStsRecordTests
{
    // K.5: a record with leading whitespace is not even a candidate, so it does not count against another.
    [Fact]
    public void TryParseRecordSet_LeadingWhitespaceRecord_IsNotACandidate()
    {
        Assert.True(MtaStsRecord.TryParseRecordSet([" v=STSv1; id=abc", "v=STSv1; id=def"], out var sut));

        Assert.Equal("def", sut.Id);
    }

    // K.6: records in the wrong case are discarded before counting.
    [Fact]
    public void TryParseRecordSet_WrongCaseVersion_IsNotACandidate()
    {
        Assert.True(MtaStsRecord.TryParseRecordSet(["V=STSv1; id=abc", "v=stsv1; id=abc", "v=STSv1; id=def"], out var sut));

        Assert.Equal("def", sut.Id);
    }

    // K.17
    [Fact]
    public void TryParseRecordSet_StsAndSpfRecords_SpfIsDiscarded()
    {
        Assert.True(MtaStsRecord.TryParseRecordSet(["v=STSv1; id=a", "v=spf1 -all"], out var sut));

        Assert.Equal("a", sut.Id);
    }

    // K.18
    [Fact]
    public void TryParseRecordSet_TwoStsRecords_ReturnsFalse()
    {
        Assert.False(MtaStsRecord.TryParseRecordSet(["v=STSv1; id=a", "v=STSv1; id=b"], out var sut));
        Assert.Null(sut);
    }

    // K.18: two identical records are still two candidates.
    [Fact]
    public void TryParseRecordSet_TwoIdenticalStsRecords_ReturnsFalse()
    {
        Assert.False(MtaStsRecord.TryParseRecordSet(["v=STSv1; id=a", "v=STSv1; id=a"], out _));
    }

    // K.19: the caller joins the strings of one RR with no separator.
    [Fact]
    public void TryParseRecordSet_JoinedStringsOfOneRecord_IdSpansStrings()
    {
        var joined = string.Concat("v=STSv1; id=ab", "c123");

        Assert.True(MtaStsRecord.TryParseRecordSet([joined], out var sut));

        Assert.Equal("abc123", sut.Id);
    }

    // K.20
    [Fact]
    public void TryParseRecordSet_JoinedStringsWithSpaceAfterSemicolon_IsValid()
    {
        var joined = string.Concat("v=STSv1;", " id=abc");

        Assert.True(MtaStsRecord.TryParseRecordSet([joined, "v=spf1 -all"], out var sut));

        Assert.Equal("abc", sut.Id);
    }

    // Decision 1: strings of different RRs are never joined.
    [Fact]
    public void TryParseRecordSet_PartsInDifferentRecords_AreNotJoined()
    {
        Assert.False(MtaStsRecord.TryParseRecordSet(["v=STSv1;", " id=abc"], out _));
    }

    // Decision 2
    [Theory]
    [InlineData("v=STSv10; id=abc")]
    [InlineData("v=STSv1x; id=abc")]
    [InlineData("v=STSv1,id=abc")]
    [InlineData("v=STSv2; id=abc")]
    [InlineData("")]
    public void TryParseRecordSet_NotFollowedByEndWspOrSemicolon_IsNotACandidate(string other)
    {
        Assert.True(MtaStsRecord.TryParseRecordSet([other, "v=STSv1; id=def"], out var sut));

        Assert.Equal("def", sut.Id);
    }

    // Decision 2: a candidate that fails the grammar still counts, and makes the set unusable.
    [Theory]
    [InlineData("v=STSv1")]
    [InlineData("v=STSv1 id=abc")]
    [InlineData("v=STSv1\tbogus")]
    [InlineData("v=STSv1;;")]
    public void TryParseRecordSet_InvalidCandidateBesideValidOne_ReturnsFalse(string other)
    {
        Assert.False(MtaStsRecord.TryParseRecordSet([other, "v=STSv1; id=def"], out _));
    }

    // Decision 2
    [Theory]
    [InlineData("v=STSv1")]
    [InlineData("v=STSv1 id=abc")]
    [InlineData("v=STSv1; id=a-b")]
    public void TryParseRecordSet_SoleCandidateInvalid_ReturnsFalse(string text)
    {
        Assert.False(MtaStsRecord.TryParseRecordSet([text, "v=spf1 -all"], out _));
    }

    [Fact]
    public void TryParseRecordSet_NoRecords_ReturnsFalse()
    {
        Assert.False(MtaStsRecord.TryParseRecordSet([], out _));
    }

    [Fact]
    public void TryParseRecordSet_OnlyOtherRecords_ReturnsFalse()
    {
        Assert.False(MtaStsRecord.TryParseRecordSet(["v=spf1 -all", "google-site-verification=abc"], out _));
    }

    [Fact]
    public void TryParseRecordSet_NullSet_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsRecord.TryParseRecordSet(null!, out _));
    }

    [Fact]
    public void TryParseRecordSet_NullItem_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsRecord.TryParseRecordSet(["v=STSv1; id=a", null!], out _));
    }
}
