using System.Text;

namespace MtaSts.Tests.Grammar;

/// <summary>
/// The policy body's size and encoding limits, the <see cref="MtaStsFormatException"/> it throws, and the
/// <see cref="MtaStsPolicy.Lines"/> and <see cref="MtaStsPolicy.Text"/> it keeps (Decision 16, C.12).
/// </summary>
public sealed partial class MtaStsPolicyTests
{
    private const int MaxBytes = 65_536;

    // Decision 16
    [Fact]
    public void TryParse_StringOfExactly65536Bytes_IsValid()
    {
        var text = PolicyOfUtf8Size(MaxBytes, "x");

        var sut = AssertValid(text);

        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
    }

    // Decision 16
    [Fact]
    public void TryParse_StringOf65537Bytes_IsInvalid()
    {
        AssertInvalid(PolicyOfUtf8Size(MaxBytes + 1, "x"));
    }

    // Decision 16
    [Fact]
    public void TryParse_MultibyteStringOfExactly65536Bytes_IsValid()
    {
        var text = PolicyOfUtf8Size(MaxBytes, "\u2713");
        Assert.True(text.Length < MaxBytes / 2);

        AssertValid(text);
    }

    // Decision 16: the limit is in UTF-8 bytes, not chars.
    [Theory]
    [InlineData("\u00E9")]
    [InlineData("\u2713")]
    [InlineData("\U0001F600")]
    public void TryParse_MultibyteStringUnder65536CharsOver65536Bytes_IsInvalid(string unit)
    {
        var text = PolicyOfUtf8Size(MaxBytes + 1, unit);
        Assert.True(text.Length < MaxBytes);

        AssertInvalid(text);
    }

    // Decision 16
    [Fact]
    public void TryParse_BytesOfExactly65536_IsValid()
    {
        var body = Encoding.UTF8.GetBytes(PolicyOfUtf8Size(MaxBytes, "\u00E9"));
        Assert.Equal(MaxBytes, body.Length);

        Assert.True(MtaStsPolicy.TryParse(body, out var sut));
        Assert.Equal(MtaStsMode.Enforce, sut.Mode);
    }

    // Decision 16
    [Theory]
    [InlineData("x")]
    [InlineData("\u00E9")]
    public void TryParse_BytesOf65537_IsInvalid(string unit)
    {
        var body = Encoding.UTF8.GetBytes(PolicyOfUtf8Size(MaxBytes + 1, unit));
        Assert.Equal(MaxBytes + 1, body.Length);

        Assert.False(MtaStsPolicy.TryParse(body, out var sut));
        Assert.Null(sut);
    }

    // Decision 16: bytes that are not UTF-8 are invalid, wherever they are (no replacement characters).
    [Theory]
    [InlineData("FF")]
    [InlineData("C328")]
    [InlineData("C0AF")]
    [InlineData("E282")]
    [InlineData("EDA080")]
    [InlineData("F4908080")]
    [InlineData("80")]
    public void TryParse_BytesNotUtf8_IsInvalid(string hex)
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(Header + "mx: mail.example.com\nfoo: a"), .. Convert.FromHexString(hex), .. "b\n"u8];

        Assert.False(MtaStsPolicy.TryParse(body, out _));
    }

    // Decision 16: the same policy with a well-formed UTF-8 extension value is valid (the test above is not vacuous).
    [Fact]
    public void TryParse_BytesWithUtf8Extension_IsValid()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(Header + "mx: mail.example.com\nfoo: a"), 0xE2, 0x9C, 0x93, .. "b\n"u8];

        Assert.True(MtaStsPolicy.TryParse(body, out var sut));

        Assert.Equal("a\u2713b", Assert.Single(sut.Extensions).Value);
    }

    // Decision 16: a string with a lone surrogate is not UTF-8.
    [Theory]
    [InlineData(0xD800, -1)]
    [InlineData(0xDC00, -1)]
    [InlineData(0xDC00, 0xD800)]
    public void TryParse_LoneSurrogate_IsInvalid(int first, int second)
    {
        var surrogates = second < 0 ? $"{(char)first}" : $"{(char)first}{(char)second}";

        AssertInvalid(Header + $"mx: mail.example.com\nfoo: a{surrogates}b\n");
        AssertInvalid(Header + $"mx: mail.example.com\nfoo: a{surrogates}\n");
        AssertInvalid(Header + $"mx: mail.example.com\nfoo: {surrogates}\n");
    }

    // Decision 16: the exception names the 1-based line and the rule.
    [Theory]
    [InlineData("version: STSv2\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n", 1)]
    [InlineData("version: STSv1\n mode: enforce\nmx: mail.example.com\nmax_age: 86400\n", 2)]
    [InlineData("version: STSv1\nmode : enforce\nmx: mail.example.com\nmax_age: 86400\n", 2)]
    [InlineData("version: STSv1\nmode: Enforce\nmx: mail.example.com\nmax_age: 86400\n", 2)]
    [InlineData("version: STSv1\nmode: bogus\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n", 2)]
    [InlineData("version: STSv1\nmode: enforce\n\nmx: mail.example.com\nmax_age: 86400\n", 3)]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: *\r\nmax_age: 86400\r\n", 3)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 99999999999\n", 4)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\r", 4)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\nfoo: a\tb\n", 5)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n\r", 5)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: a.example\nmx: b.example\nmx: 1.2.3.4\n", 6)]
    [InlineData("\uFEFFversion: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 86400\n", 3)]
    public void Parse_RuleBrokenOnLine_ExceptionNamesLine(string text, int line)
    {
        var exception = Assert.Throws<MtaStsFormatException>(() => MtaStsPolicy.Parse(text));

        Assert.Equal(line, exception.LineNumber);
        Assert.Contains($"line {line}", exception.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(exception.Rule));
        Assert.Contains(exception.Rule!, exception.Message, StringComparison.Ordinal);
    }

    // Decision 16: a missing field is the policy's fault, not a line's.
    [Theory]
    [InlineData("mode: enforce\nmx: mail.example.com\nmax_age: 86400\n", "version")]
    [InlineData("version: STSv1\nmx: mail.example.com\nmax_age: 86400\n", "mode")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\n", "max_age")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", "mx")]
    public void Parse_RequiredFieldMissing_ExceptionHasNoLine(string text, string field)
    {
        var exception = Assert.Throws<MtaStsFormatException>(() => MtaStsPolicy.Parse(text));

        Assert.Null(exception.LineNumber);
        Assert.DoesNotContain("line", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", exception.Message, StringComparison.Ordinal);
    }

    // Decision 16
    [Fact]
    public void Parse_TooLarge_ExceptionHasNoLine()
    {
        var exception = Assert.Throws<MtaStsFormatException>(() => MtaStsPolicy.Parse(PolicyOfUtf8Size(MaxBytes + 1, "x")));

        Assert.Null(exception.LineNumber);
        Assert.Contains("65,536", exception.Message, StringComparison.Ordinal);
    }

    // C.12
    [Fact]
    public void Lines_MixedTerminatorsAndTrailingEmptyLines_LinesAsReceivedWithoutTerminators()
    {
        var sut = AssertValid("version: STSv1\r\nmode:\tenforce  \nmx: Mail.Example.com\r\nfoo: bar baz\nmax_age: 86400\n\r\n\n");

        Assert.Equal(["version: STSv1", "mode:\tenforce  ", "mx: Mail.Example.com", "foo: bar baz", "max_age: 86400"], sut.Lines);
    }

    // C.12
    [Fact]
    public void Lines_NoFinalTerminator_KeepsLastLine()
    {
        var sut = AssertValid("version: STSv1\nmode: none\nmax_age: 0");

        Assert.Equal(["version: STSv1", "mode: none", "max_age: 0"], sut.Lines);
    }

    // C.12
    [Fact]
    public void Text_CrLfPolicy_IsTextAsReceived()
    {
        var text = RfcExample.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";

        var sut = AssertValid(text);

        Assert.Equal(text, sut.Text);
        Assert.Equal(6, sut.Lines.Count);
    }

    /// <summary>A valid enforce policy padded with an extension line to exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
    private static string PolicyOfUtf8Size(int bytes, string unit)
    {
        var builder = new StringBuilder(Header + "mx: mail.example.com\npad: ");
        var remaining = bytes - Encoding.UTF8.GetByteCount(builder.ToString()) - 1; // the final "\n"
        var unitBytes = Encoding.UTF8.GetByteCount(unit);
        while (remaining > unitBytes)
        {
            builder.Append(unit);
            remaining -= unitBytes;
        }

        builder.Append('x', remaining).Append('\n');
        var text = builder.ToString();
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(text));
        return text;
    }
}
