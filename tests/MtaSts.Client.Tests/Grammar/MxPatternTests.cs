namespace MtaSts.Tests.Grammar;

/// <summary>
/// One <c>mx</c> pattern (RFC 8461 §3.2, §4.1): its syntax (Decision 13) and matching (K.68–K.70, Decision 17).
/// </summary>
public sealed class MxPatternTests
{
    // Decision 13
    [Theory]
    [InlineData("mail.example.com")]
    [InlineData("*.example.com")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("*.xn--bcher-kva.example")]
    [InlineData("Mail.Example.COM")]
    [InlineData("localhost")]
    [InlineData("*.com")]
    [InlineData("1.example.com")]
    [InlineData("mx1.example.c0m")]
    [InlineData("a-b--c.example")]
    public void TryParse_LdhDomainWithOptionalWildcard_ReturnsPattern(string text)
    {
        Assert.True(MxPattern.TryParse(text, out var sut));

        Assert.Equal(text, sut.ToString());
    }

    // Decision 13 and K.51–K.55
    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("**.example.com")]
    [InlineData("*.*.example.com")]
    [InlineData("mail.*.example.com")]
    [InlineData("*mail.example.com")]
    [InlineData("mail*.example.com")]
    [InlineData("mail.example.*")]
    [InlineData("mail.example.com.")]
    [InlineData("*.example.com.")]
    [InlineData(".")]
    [InlineData(".example.com")]
    [InlineData("mail..example.com")]
    [InlineData("b\u00FCcher.example")]
    [InlineData("_mx.example.com")]
    [InlineData("mx_1.example.com")]
    [InlineData("-mx.example.com")]
    [InlineData("mx-.example.com")]
    [InlineData("mx.example.com-")]
    [InlineData("1.2.3.4")]
    [InlineData("*.1.2.3")]
    [InlineData("12345")]
    [InlineData("[192.0.2.1]")]
    [InlineData("2001:db8::1")]
    [InlineData("mx.example.com:25")]
    [InlineData("mail.example.com,mx2.example.com")]
    [InlineData("mail.example.com mx2.example.com")]
    [InlineData(" mail.example.com")]
    [InlineData("mail.example.com ")]
    [InlineData("mail.example.com\n")]
    public void TryParse_NotAPattern_ReturnsFalse(string text)
    {
        Assert.False(MxPattern.TryParse(text, out var sut));
        Assert.Null(sut);
    }

    // Decision 13: labels of 1–63 characters, at most 253 in all.
    [Fact]
    public void TryParse_AtLengthLimits_ReturnsPattern()
    {
        var label63 = new string('a', 63);
        var name253 = $"{label63}.{label63}.{label63}.{new string('b', 61)}";

        Assert.True(MxPattern.TryParse($"{label63}.example", out _));
        Assert.True(MxPattern.TryParse(name253, out _));
    }

    // Decision 13
    [Fact]
    public void TryParse_OverLengthLimits_ReturnsFalse()
    {
        var label63 = new string('a', 63);
        var name254 = $"{label63}.{label63}.{label63}.{new string('b', 62)}";

        Assert.False(MxPattern.TryParse($"{new string('a', 64)}.example", out _));
        Assert.False(MxPattern.TryParse(name254, out _));
    }

    [Fact]
    public void TryParse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MxPattern.TryParse(null!, out _));
    }

    [Theory]
    [InlineData("*.example.com", true)]
    [InlineData("*.com", true)]
    [InlineData("mail.example.com", false)]
    [InlineData("xn--bcher-kva.example", false)]
    public void IsWildcard_Pattern_TrueOnlyForLeadingStarDot(string text, bool expected)
    {
        var sut = Parse(text);

        Assert.Equal(expected, sut.IsWildcard);
    }

    [Theory]
    [InlineData("Mail.Example.COM")]
    [InlineData("*.EXAMPLE.net")]
    [InlineData("mail.example.com")]
    public void ToString_Pattern_ReturnsTextAsWritten(string text)
    {
        var sut = Parse(text);

        Assert.Equal(text, sut.ToString());
    }

    [Fact]
    public void Equals_PatternsDifferingInAsciiCase_AreEqual()
    {
        var sut = Parse("Mail.Example.COM");
        var other = Parse("mail.example.com");

        Assert.True(sut.Equals(other));
        Assert.True(sut.Equals((object)other));
        Assert.Equal(sut.GetHashCode(), other.GetHashCode());
        Assert.NotEqual(sut.ToString(), other.ToString());
    }

    [Theory]
    [InlineData("mail.example.com", "mail.example.net")]
    [InlineData("*.example.com", "example.com")]
    [InlineData("*.example.com", "x.example.com")]
    public void Equals_DifferentPatterns_AreNotEqual(string first, string second)
    {
        var sut = Parse(first);

        Assert.False(sut.Equals(Parse(second)));
    }

    [Fact]
    public void Equals_NullOrOtherType_IsFalse()
    {
        var sut = Parse("mail.example.com");

        Assert.False(sut.Equals(null));
        Assert.False(sut.Equals((object?)null));
        Assert.False(sut.Equals("mail.example.com"));
    }

    // K.68 to K.70 and Decision 17
    [Theory]
    [InlineData("*.example.com", "mail.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "mailexample.com", false)]
    [InlineData("*.example.com", ".example.com", false)]
    [InlineData("*.example.com", "mail.example.com.", true)]
    [InlineData("*.example.com", "MX.EXAMPLE.COM.", true)]
    [InlineData("*.Example.COM", "mx.example.com", true)]
    [InlineData("mail.example.com", "MAIL.Example.COM.", true)]
    [InlineData("mail.example.com", "mail.example.com", true)]
    [InlineData("MAIL.EXAMPLE.COM", "mail.example.com", true)]
    [InlineData("mail.example.com", "mail.example.co", false)]
    [InlineData("mail.example.com", "ail.example.com", false)]
    [InlineData("mail.example.com", "xmail.example.com", false)]
    [InlineData("mail.example.com", "mail.example.com..", false)]
    [InlineData("*.example.com", "mail.example.com..", false)]
    [InlineData("mail.example.com", ".mail.example.com", false)]
    [InlineData("mail.example.com", "", false)]
    [InlineData("mail.example.com", ".", false)]
    [InlineData("mail.example.com", " mail.example.com", false)]
    [InlineData("xn--bcher-kva.example", "b\u00FCcher.example", true)]
    [InlineData("xn--bcher-kva.example", "B\u00DCCHER.EXAMPLE", true)]
    [InlineData("xn--bcher-kva.example", "b\u00FCcher.example.", true)]
    [InlineData("xn--bcher-kva.example", "XN--BCHER-KVA.EXAMPLE", true)]
    [InlineData("xn--bcher-kva.example", "b\u00FCcher.example..", false)]
    [InlineData("*.xn--bcher-kva.example", "mx.b\u00FCcher.example", true)]
    [InlineData("*.xn--bcher-kva.example", "b\u00FCcher.example", false)]
    [InlineData("*.example", "b\u00FCcher.example", true)]
    [InlineData("bucher.example", "b\u00FCcher.example", false)]
    public void Matches_Host_MatchesPerDecision17(string pattern, string host, bool expected)
    {
        var sut = Parse(pattern);

        Assert.Equal(expected, sut.Matches(host));
    }

    // Decision 17: a host holding "*" or "_" is not a host name and matches nothing, not even a wildcard.
    [Theory]
    [InlineData("*.example.com", "*.example.com")]
    [InlineData("*.example.com", "_mx.example.com")]
    [InlineData("*.example.com", "mx_1.example.com")]
    [InlineData("*.example.com", "m*x.example.com")]
    [InlineData("*.xn--bcher-kva.example", "_mx.b\u00FCcher.example")]
    [InlineData("*.xn--bcher-kva.example", "*.b\u00FCcher.example")]
    [InlineData("mail.example.com", "mail.example.com:25")]
    public void Matches_HostWithStarOrUnderscore_NeverMatches(string pattern, string host)
    {
        var sut = Parse(pattern);

        Assert.False(sut.Matches(host));
    }

    [Fact]
    public void Matches_Null_ThrowsArgumentNullException()
    {
        var sut = Parse("mail.example.com");

        Assert.Throws<ArgumentNullException>(() => sut.Matches(null!));
    }

    private static MxPattern Parse(string text)
    {
        Assert.True(MxPattern.TryParse(text, out var pattern), $"'{text}' should be a valid pattern.");
        return pattern;
    }
}
