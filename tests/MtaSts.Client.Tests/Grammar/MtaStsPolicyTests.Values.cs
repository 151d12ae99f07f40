namespace MtaSts.Tests.Grammar;

/// <summary>
/// The policy body's field values: <c>max_age</c>, <c>mx</c> and unknown fields. Checklist items K.47–K.49,
/// K.51–K.57 and Decisions 12, 13 and 15.
/// </summary>
public sealed partial class MtaStsPolicyTests
{
    // K.47, K.49 and Decision 12
    [Theory]
    [InlineData("86400", 86400L)]
    [InlineData("0604800", 604800L)]
    [InlineData("0000000001", 1L)]
    [InlineData("31557600", 31557600L)]
    [InlineData("0", 0L)]
    [InlineData("00", 0L)]
    public void TryParse_MaxAgeDigits_IsParsed(string value, long expectedSeconds)
    {
        var sut = AssertValid($"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: {value}\n");

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), sut.MaxAge);
    }

    // K.49
    [Fact]
    public void TryParse_MaxAgeZero_MaxAgeIsZero()
    {
        var sut = AssertValid("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 0\n");

        Assert.Equal(TimeSpan.Zero, sut.MaxAge);
    }

    // K.48 and Decision 12: above one year, clamped.
    [Theory]
    [InlineData("31557601")]
    [InlineData("2147483648")]
    [InlineData("9999999999")]
    public void TryParse_MaxAgeAboveOneYear_IsClampedTo31557600(string value)
    {
        var sut = AssertValid($"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: {value}\n");

        Assert.Equal(TimeSpan.FromSeconds(31557600), sut.MaxAge);
    }

    // K.47, K.48 and Decision 12
    [Theory]
    [InlineData("99999999999")]
    [InlineData("00000000001")]
    [InlineData("-1")]
    [InlineData("+86400")]
    [InlineData("1e6")]
    [InlineData("86400s")]
    [InlineData("86 400")]
    [InlineData("1.5")]
    [InlineData("0x10")]
    [InlineData("\uFF18\uFF16\uFF14\uFF10\uFF10")]
    [InlineData("\u0661")]
    [InlineData("")]
    public void TryParse_MaxAgeNotOneToTenDigits_IsInvalid(string value)
    {
        AssertInvalid($"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: {value}\n");
    }

    // K.52, K.54 and Decision 13
    [Theory]
    [InlineData("mail.example.com")]
    [InlineData("*.example.com")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("MAIL.Example.COM")]
    [InlineData("mx1")]
    [InlineData("*.com")]
    [InlineData("123.example.com")]
    [InlineData("a-b.example")]
    public void TryParse_ValidMxPattern_IsKeptAsWritten(string pattern)
    {
        var sut = AssertValid(Header + $"mx: {pattern}\n");

        Assert.Equal(pattern, Assert.Single(sut.MxPatterns).ToString());
    }

    // K.51 to K.55 and Decision 13
    [Theory]
    [InlineData("mail.example.com, mx2.example.com")]
    [InlineData("mail.example.com,mx2.example.com")]
    [InlineData("mail.example.com mx2.example.com")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("*.*.example.com")]
    [InlineData("mail.*.example.com")]
    [InlineData("*mail.example.com")]
    [InlineData("mail*.example.com")]
    [InlineData("mail.example.com.")]
    [InlineData("*.example.com.")]
    [InlineData(".example.com")]
    [InlineData("mail..example.com")]
    [InlineData("b\u00FCcher.example")]
    [InlineData("*.b\u00FCcher.example")]
    [InlineData("_mx.example.com")]
    [InlineData("mx_1.example.com")]
    [InlineData("-mx.example.com")]
    [InlineData("mx-.example.com")]
    [InlineData("1.2.3.4")]
    [InlineData("[192.0.2.1]")]
    [InlineData("2001:db8::1")]
    [InlineData("mx.example.com:25")]
    [InlineData("")]
    public void TryParse_InvalidMxPattern_IsInvalid(string pattern)
    {
        AssertInvalid(Header + $"mx: {pattern}\n");
    }

    // Decision 13: labels of at most 63 characters, names of at most 253.
    [Fact]
    public void TryParse_MxAtLengthLimits_IsValid()
    {
        var label63 = new string('a', 63);
        var name253 = $"{label63}.{label63}.{label63}.{new string('b', 61)}";
        Assert.Equal(253, name253.Length);

        var sut = AssertValid(Header + $"mx: {label63}.example\nmx: {name253}\n");

        Assert.Equal(2, sut.MxPatterns.Count);
    }

    // Decision 13
    [Fact]
    public void TryParse_MxLabelOf64Characters_IsInvalid()
    {
        AssertInvalid(Header + $"mx: {new string('a', 64)}.example\n");
    }

    // Decision 13
    [Fact]
    public void TryParse_MxNameOf254Characters_IsInvalid()
    {
        var label63 = new string('a', 63);
        var name254 = $"{label63}.{label63}.{label63}.{new string('b', 62)}";

        AssertInvalid(Header + $"mx: {name254}\n");
    }

    // Decision 13: one invalid mx makes the whole policy invalid.
    [Fact]
    public void TryParse_OneInvalidMxAmongValid_IsInvalid()
    {
        AssertInvalid(Header + "mx: mail.example.com\nmx: mail.example.com.\nmx: *.example.net\n");
    }

    // K.56 and Decision 15
    [Fact]
    public void TryParse_UnknownFieldWithUtf8AndInnerSpaces_IsIgnoredAndListed()
    {
        var sut = AssertValid(Header + "mx: mail.example.com\nfoo_bar: some value with spaces \u2713\n");

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
        Assert.Equal([new KeyValuePair<string, string>("foo_bar", "some value with spaces \u2713")], sut.Extensions);
    }

    // Decision 15
    [Fact]
    public void TryParse_SeveralUnknownFields_ListedInOrderWithOuterWhitespaceRemoved()
    {
        var sut = AssertValid("z.1-a: \tfirst  value\t \nversion: STSv1\nmode: enforce\nb: \U0001F600\nmx: mail.example.com\nmax_age: 86400\nA: x\n");

        Assert.Equal(
            [
                new KeyValuePair<string, string>("z.1-a", "first  value"),
                new KeyValuePair<string, string>("b", "\U0001F600"),
                new KeyValuePair<string, string>("A", "x"),
            ],
            sut.Extensions);
    }

    // Decision 15
    [Fact]
    public void TryParse_ExtensionNameOf32Characters_IsValid()
    {
        var name = "a" + new string('_', 30) + "9";

        var sut = AssertValid(Header + $"mx: mail.example.com\n{name}: x\n");

        Assert.Equal(name, Assert.Single(sut.Extensions).Key);
    }

    // K.57 and Decision 15
    [Theory]
    [InlineData("foo: a\tb")]
    [InlineData("foo: a\u0001b")]
    [InlineData("foo: a\u007Fb")]
    [InlineData("foo: a\u0000b")]
    [InlineData("foo:")]
    [InlineData("foo:   ")]
    [InlineData("_foo: bar")]
    [InlineData("-foo: bar")]
    [InlineData("f\u00F6o: bar")]
    [InlineData("foo bar: baz")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456: bar")]
    public void TryParse_MalformedUnknownField_IsInvalid(string line)
    {
        AssertInvalid(Header + "mx: mail.example.com\n" + line + "\n");
    }

    [Fact]
    public void MatchesMx_ParsedRfcExample_MatchesListedHostsOnly()
    {
        var sut = AssertValid(RfcExample);

        Assert.True(sut.MatchesMx("mail.example.com"));
        Assert.True(sut.MatchesMx("MAIL.Example.COM."));
        Assert.True(sut.MatchesMx("mx1.example.net"));
        Assert.True(sut.MatchesMx("backupmx.example.com"));
        Assert.False(sut.MatchesMx("example.net"));
        Assert.False(sut.MatchesMx("a.b.example.net"));
        Assert.False(sut.MatchesMx("other.example.com"));
        Assert.False(sut.MatchesMx("mail.example.com.."));
    }

    [Fact]
    public void MatchesMx_ULabelHost_MatchesALabelPattern()
    {
        var sut = AssertValid(Header + "mx: *.xn--bcher-kva.example\n");

        Assert.True(sut.MatchesMx("mx.b\u00FCcher.example"));
        Assert.False(sut.MatchesMx("b\u00FCcher.example"));
    }

    [Fact]
    public void MatchesMx_Null_ThrowsArgumentNullException()
    {
        var sut = AssertValid(RfcExample);

        Assert.Throws<ArgumentNullException>(() => sut.MatchesMx(null!));
    }
}
