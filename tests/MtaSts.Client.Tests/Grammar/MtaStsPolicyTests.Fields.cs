namespace MtaSts.Tests.Grammar;

/// <summary>
/// The policy body's known fields: <c>version</c>, <c>mode</c>, duplicates and required fields. Checklist items
/// K.43–K.46, K.50, K.59 and Decisions 10, 11 and 14.
/// </summary>
public sealed partial class MtaStsPolicyTests
{
    // K.43 and Decision 11
    [Theory]
    [InlineData("Enforce")]
    [InlineData("ENFORCE")]
    [InlineData("Testing")]
    [InlineData("NONE")]
    [InlineData("bogus")]
    [InlineData("enforce testing")]
    public void TryParse_ModeNotExact_IsInvalid(string mode)
    {
        AssertInvalid($"version: STSv1\nmode: {mode}\nmx: mail.example.com\nmax_age: 86400\n");
    }

    // Decision 11
    [Theory]
    [InlineData("enforce", MtaStsMode.Enforce)]
    [InlineData("testing", MtaStsMode.Testing)]
    [InlineData("none", MtaStsMode.None)]
    public void TryParse_EachMode_IsParsed(string mode, MtaStsMode expected)
    {
        var sut = AssertValid($"version: STSv1\nmode: {mode}\nmx: mail.example.com\nmax_age: 86400\n");

        Assert.Equal(expected, sut.Mode);
    }

    // K.44: "Mode" is an unknown extension, so the mode is missing.
    [Fact]
    public void TryParse_CapitalisedModeNameOnly_IsInvalid()
    {
        AssertInvalid("version: STSv1\nMode: enforce\nmx: mail.example.com\nmax_age: 86400\n");
    }

    // K.44
    [Fact]
    public void TryParse_CapitalisedModeNameBesideMode_IsExtension()
    {
        var sut = AssertValid("version: STSv1\nMode: enforce\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n");

        Assert.Equal(MtaStsMode.Testing, sut.Mode);
        Assert.Equal([new KeyValuePair<string, string>("Mode", "enforce")], sut.Extensions);
    }

    // K.45 and Decision 10
    [Fact]
    public void TryParse_RepeatedMode_FirstWins()
    {
        var sut = AssertValid(Header + "mx: mail.example.com\nmode: none\n");

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
        Assert.Equal([new KeyValuePair<string, string>("mode", "none")], sut.Extensions);
    }

    // K.46 and Decision 10
    [Fact]
    public void TryParse_InvalidModeThenValidMode_IsInvalid()
    {
        AssertInvalid("version: STSv1\nmode: bogus\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n");
    }

    // Decision 10
    [Fact]
    public void TryParse_RepeatedVersionAndMaxAge_FirstWins()
    {
        var sut = AssertValid(Header + "mx: mail.example.com\nversion: STSv2\nmax_age: 1\n");

        Assert.Equal(TimeSpan.FromSeconds(86400), sut.MaxAge);
        Assert.Equal(
            [new KeyValuePair<string, string>("version", "STSv2"), new KeyValuePair<string, string>("max_age", "1")],
            sut.Extensions);
    }

    // Decision 10
    [Theory]
    [InlineData("version: STSv2\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 1d\nmax_age: 86400\n")]
    public void TryParse_InvalidFirstOccurrenceThenValid_IsInvalid(string text)
    {
        AssertInvalid(text);
    }

    // Decision 10: a later duplicate is ignored only when it is a well-formed extension line.
    [Theory]
    [InlineData("mode:")]
    [InlineData("mode: a\tb")]
    [InlineData("max_age: \t")]
    public void TryParse_LaterDuplicateNotAnExtensionLine_IsInvalid(string line)
    {
        AssertInvalid(Header + "mx: mail.example.com\n" + line + "\n");
    }

    // K.59 and Decision 11
    [Theory]
    [InlineData("STSv2")]
    [InlineData("stsv1")]
    [InlineData("STSV1")]
    [InlineData("STSv1 STSv1")]
    [InlineData("")]
    public void TryParse_VersionNotExactlyStsV1_IsInvalid(string version)
    {
        AssertInvalid($"version: {version}\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n");
    }

    [Theory]
    [InlineData("mode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("Version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\n")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmaxage: 86400\n")]
    [InlineData("")]
    [InlineData("\n")]
    public void TryParse_RequiredFieldMissing_IsInvalid(string text)
    {
        AssertInvalid(text);
    }

    // K.50 and Decision 14
    [Theory]
    [InlineData("enforce")]
    [InlineData("testing")]
    public void TryParse_NoMxUnlessModeNone_IsInvalid(string mode)
    {
        AssertInvalid($"version: STSv1\nmode: {mode}\nmax_age: 86400\n");
    }

    // K.50 and Decision 14
    [Fact]
    public void TryParse_ModeNoneWithoutMx_IsValid()
    {
        var sut = AssertValid("version: STSv1\nmode: none\nmax_age: 86400\n");

        Assert.Equal(MtaStsMode.None, sut.Mode);
        Assert.Empty(sut.MxPatterns);
        Assert.False(sut.MatchesMx("mail.example.com"));
    }
}
