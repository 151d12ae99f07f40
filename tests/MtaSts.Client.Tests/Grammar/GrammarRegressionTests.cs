namespace MtaSts.Tests.Grammar;

/// <summary>Regressions found in review of the grammar layer.</summary>
public sealed class GrammarRegressionTests
{
    [Fact]
    public void TryParseRecordSet_NullAfterTwoCandidates_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsRecord.TryParseRecordSet(["v=STSv1; id=a", "v=STSv1; id=b", null!], out _));
        Assert.Throws<ArgumentNullException>(() => TlsRptRecord.TryParseRecordSet(["v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1; rua=mailto:b@x.example", null!], out _));
    }

    [Theory]
    [InlineData("mail.example.com\uFF0E")]
    [InlineData("mail.example.com\u3002")]
    public void Matches_UnicodeFullStopAtTheEnd_IsStrippedLikeAnAsciiDot(string host)
    {
        Assert.True(MxPattern.TryParse("mail.example.com", out var sut));

        Assert.True(sut.Matches(host));
    }

    [Theory]
    [InlineData("-a.example.com")]
    [InlineData("a-.example.com")]
    [InlineData("-.example.com")]
    public void Matches_WildcardLabelWithHyphenAtAnEnd_DoesNotMatch(string host)
    {
        Assert.True(MxPattern.TryParse("*.example.com", out var sut));

        Assert.False(sut.Matches(host));
        Assert.True(sut.Matches("a-b.example.com"));
    }
}
