namespace MtaSts.Tests.Grammar;

/// <summary>
/// The policy body (RFC 8461 §3.2): line structure, line endings, whitespace and the byte-order mark. Checklist
/// items K.36–K.42, K.58 and Decisions 7–9.
/// </summary>
public sealed partial class MtaStsPolicyTests
{
    private const string RfcExample =
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n";

    // version, mode and max_age; add "mx: ..." lines to make a valid enforce policy.
    private const string Header = "version: STSv1\nmode: enforce\nmax_age: 86400\n";

    // K.36
    [Fact]
    public void TryParse_RfcExampleWithLf_IsValid()
    {
        var sut = AssertValid(RfcExample);

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
        Assert.Equal(TimeSpan.FromSeconds(604800), sut.MaxAge);
        Assert.Equal(["mail.example.com", "*.example.net", "backupmx.example.com"], sut.MxPatterns.Select(p => p.ToString()));
        Assert.Empty(sut.Extensions);
    }

    // K.36
    [Fact]
    public void TryParse_RfcExampleWithCrLf_IsValid()
    {
        var sut = AssertValid(RfcExample.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
        Assert.Equal(3, sut.MxPatterns.Count);
    }

    // K.36 and Decision 7
    [Fact]
    public void TryParse_MixedLfAndCrLf_IsValid()
    {
        var sut = AssertValid("version: STSv1\r\nmode: testing\nmx: mail.example.com\r\nmx: *.example.net\nmax_age: 86400\r\n");

        Assert.Equal(MtaStsMode.Testing, sut.Mode);
        Assert.Equal(2, sut.MxPatterns.Count);
    }

    // K.37 and Decision 7
    [Theory]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400")]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mail.example.com")]
    public void TryParse_NoFinalLineTerminator_IsValid(string text)
    {
        var sut = AssertValid(text);

        Assert.Equal(TimeSpan.FromSeconds(86400), sut.MaxAge);
        Assert.Equal("mail.example.com", Assert.Single(sut.MxPatterns).ToString());
    }

    // Decision 7: a bare CR anywhere is invalid.
    [Theory]
    [InlineData("version: STSv1\rmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: en\rforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: enforce\r\r\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\r")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n\r")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\r\n\r")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n\n\r")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\nfoo: a\rb\n")]
    [InlineData("\rversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    public void TryParse_BareCarriageReturn_IsInvalid(string text)
    {
        AssertInvalid(text);
    }

    // K.38 and Decision 8: empty lines at the very end are ignored.
    [Theory]
    [InlineData("\n")]
    [InlineData("\n\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("\n\r\n\n")]
    public void TryParse_TrailingEmptyLines_IsValid(string trailer)
    {
        var sut = AssertValid(Header + "mx: mail.example.com\n" + trailer);

        Assert.Equal("mail.example.com", Assert.Single(sut.MxPatterns).ToString());
    }

    // K.38 and Decision 8: an empty line anywhere else is invalid.
    [Theory]
    [InlineData("version: STSv1\n\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\r\n\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n")]
    [InlineData("\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\n\n\nmax_age: 86400")]
    [InlineData("version: STSv1\nmode: enforce\n \nmx: mail.example.com\nmax_age: 86400\n")]
    public void TryParse_EmptyLineBeforeTheEnd_IsInvalid(string text)
    {
        AssertInvalid(text);
    }

    // K.39 and Decision 11: field order is free.
    [Fact]
    public void TryParse_VersionNotOnFirstLine_IsValid()
    {
        var sut = AssertValid("mx: mail.example.com\nmax_age: 86400\nmode: testing\nversion: STSv1\n");

        Assert.Equal(MtaStsMode.Testing, sut.Mode);
    }

    // K.40 and Decision 9
    [Theory]
    [InlineData("mode:enforce")]
    [InlineData("mode:\tenforce")]
    [InlineData("mode: enforce   ")]
    [InlineData("mode: enforce\t")]
    [InlineData("mode: \t enforce \t ")]
    public void TryParse_WhitespaceAroundModeValue_IsValid(string modeLine)
    {
        var sut = AssertValid($"version: STSv1\n{modeLine}\nmx: mail.example.com\nmax_age: 86400\n");

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
    }

    // K.41 and Decision 9
    [Theory]
    [InlineData(" mode: enforce")]
    [InlineData("\tmode: enforce")]
    [InlineData(" version: STSv1")]
    [InlineData("  mx: mail.example.com")]
    [InlineData(" foo: bar")]
    public void TryParse_LeadingWhitespace_IsInvalid(string line)
    {
        AssertInvalid(Header + "mx: mail.example.com\n" + line + "\n");
    }

    // K.42 and Decision 9
    [Theory]
    [InlineData("mode : enforce")]
    [InlineData("mode\t: enforce")]
    [InlineData("mx : mail.example.com")]
    [InlineData("foo : bar")]
    public void TryParse_WhitespaceBeforeColon_IsInvalid(string line)
    {
        AssertInvalid(Header + "mx: mail.example.com\n" + line + "\n");
    }

    [Theory]
    [InlineData("mode enforce")]
    [InlineData("just some text")]
    [InlineData(": value")]
    public void TryParse_LineWithoutNameAndColon_IsInvalid(string line)
    {
        AssertInvalid(Header + "mx: mail.example.com\n" + line + "\n");
    }

    // K.58 and Decision 8
    [Fact]
    public void TryParse_StringWithLeadingBom_IsValidAndTextHasNoBom()
    {
        var sut = AssertValid("\uFEFF" + RfcExample);

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
        Assert.Equal(RfcExample, sut.Text);
        Assert.Equal("version: STSv1", sut.Lines[0]);
    }

    // K.58 and Decision 8
    [Fact]
    public void TryParse_Utf8BytesWithLeadingBom_IsValidAndTextHasNoBom()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(RfcExample)];

        Assert.True(MtaStsPolicy.TryParse(body, out var sut));

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
        Assert.Equal(RfcExample, sut.Text);
        Assert.Equal("version: STSv1", sut.Lines[0]);
    }

    // Decision 8: only one leading byte-order mark is skipped, and only at the very start.
    [Theory]
    [InlineData("\uFEFF\uFEFFversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("version: STSv1\n\uFEFFmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    [InlineData("\uFEFF\nversion: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n")]
    public void TryParse_MisplacedBom_IsInvalid(string text)
    {
        AssertInvalid(text);
    }

    [Fact]
    public void Parse_ValidText_ReturnsSamePolicyAsTryParse()
    {
        var sut = MtaStsPolicy.Parse(RfcExample);
        var expected = AssertValid(RfcExample);

        Assert.Equal(expected.Mode, sut.Mode);
        Assert.Equal(expected.MaxAge, sut.MaxAge);
        Assert.Equal(expected.MxPatterns, sut.MxPatterns);
        Assert.Equal(expected.Text, sut.Text);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsPolicy.Parse(null!));
    }

    [Fact]
    public void TryParse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsPolicy.TryParse((string)null!, out _));
    }

    private static MtaStsPolicy AssertValid(string text)
    {
        Assert.True(MtaStsPolicy.TryParse(text, out var policy), "The policy should be valid.");
        return policy;
    }

    private static void AssertInvalid(string text)
    {
        Assert.False(MtaStsPolicy.TryParse(text, out var policy));
        Assert.Null(policy);
        Assert.Throws<MtaStsFormatException>(() => MtaStsPolicy.Parse(text));
    }
}
