namespace MtaSts.Tests.Grammar;

/// <summary>
/// The <c>_mta-sts</c> TXT record (RFC 8461 §3.1): checklist items K.1–K.16, K.23 and Decisions 3 and 4.
/// </summary>
public sealed partial class MtaStsRecordTests
{
    // K.1
    [Fact]
    public void TryParse_RfcExample_ReturnsId()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=20160831085700Z;", out var sut));

        Assert.Equal("20160831085700Z", sut.Id);
        Assert.Empty(sut.Extensions);
    }

    // K.2
    [Fact]
    public void TryParse_NoSpacesNoTrailingSemicolon_IsValid()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1;id=abc", out var sut));

        Assert.Equal("abc", sut.Id);
    }

    // K.3
    [Theory]
    [InlineData("v=STSv1; id=abc; ")]
    [InlineData("v=STSv1; id=abc;\t")]
    [InlineData("v=STSv1; id=abc ; ")]
    [InlineData("v=STSv1; id=abc\t;")]
    public void TryParse_TrailingDelimiterWithWhitespace_IsValid(string text)
    {
        Assert.True(MtaStsRecord.TryParse(text, out var sut));

        Assert.Equal("abc", sut.Id);
    }

    // K.4 (strict, Decision 3)
    [Theory]
    [InlineData("v=STSv1; id=abc ")]
    [InlineData("v=STSv1; id=abc\t")]
    [InlineData("v=STSv1; id=abc; foo=bar ")]
    [InlineData("v=STSv1 ")]
    public void TryParse_TrailingWhitespaceWithoutSemicolon_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out var sut));
        Assert.Null(sut);
    }

    // K.5
    [Theory]
    [InlineData(" v=STSv1; id=abc")]
    [InlineData("\tv=STSv1; id=abc")]
    public void TryParse_LeadingWhitespace_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.6
    [Theory]
    [InlineData("V=STSv1; id=abc")]
    [InlineData("v=stsv1; id=abc")]
    [InlineData("v=STSV1; id=abc")]
    [InlineData("v=STSv1; ID=abc")]
    [InlineData("v=STSv1; Id=abc")]
    public void TryParse_WrongCase_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.7 (erratum 6285)
    [Theory]
    [InlineData("v=STSv1 ; id=abc")]
    [InlineData("v=STSv1\t;id=abc")]
    [InlineData("v=STSv1 \t ;  id=abc")]
    public void TryParse_WhitespaceBeforeFirstSemicolon_IsValid(string text)
    {
        Assert.True(MtaStsRecord.TryParse(text, out var sut));

        Assert.Equal("abc", sut.Id);
    }

    // K.8
    [Theory]
    [InlineData("v=STSv1")]
    [InlineData("v=STSv1;")]
    [InlineData("v=STSv1; ")]
    [InlineData("v=STSv1; foo=bar")]
    public void TryParse_NoId_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.9
    [Theory]
    [InlineData("v=STSv1; id=")]
    [InlineData("v=STSv1; id=;")]
    public void TryParse_EmptyId_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.10
    [Fact]
    public void TryParse_IdOf32Alphanumerics_IsValid()
    {
        var id = "aZ0123456789bcdefghijklmnopqrstu";
        Assert.Equal(32, id.Length);

        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=" + id, out var sut));

        Assert.Equal(id, sut.Id);
    }

    // K.10
    [Fact]
    public void TryParse_IdOf33Alphanumerics_IsInvalid()
    {
        var id = new string('a', 33);

        Assert.False(MtaStsRecord.TryParse("v=STSv1; id=" + id, out _));
    }

    // K.11
    [Theory]
    [InlineData("v=STSv1; id=2024-01-01")]
    [InlineData("v=STSv1; id=a_b")]
    [InlineData("v=STSv1; id=a.b")]
    [InlineData("v=STSv1; id=a:b")]
    [InlineData("v=STSv1; id=a b")]
    [InlineData("v=STSv1; id=a+b")]
    public void TryParse_IdWithNonAlphanumeric_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.12 and Decision 4
    [Fact]
    public void TryParse_RepeatedId_FirstWinsAndLaterIsExtension()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=abc; id=def", out var sut));

        Assert.Equal("abc", sut.Id);
        var extension = Assert.Single(sut.Extensions);
        Assert.Equal(new KeyValuePair<string, string>("id", "def"), extension);
    }

    // K.13
    [Fact]
    public void TryParse_ExtensionBeforeId_IsValidAndIgnored()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; foo=bar; id=abc", out var sut));

        Assert.Equal("abc", sut.Id);
        Assert.Equal([new KeyValuePair<string, string>("foo", "bar")], sut.Extensions);
    }

    // K.14
    [Theory]
    [InlineData("v=STSv1; id=abc; foo=")]
    [InlineData("v=STSv1; id=abc; foo=;")]
    public void TryParse_EmptyExtensionValue_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.15
    [Theory]
    [InlineData("v=STSv1; id=abc; foo=a b")]
    [InlineData("v=STSv1; id=abc; foo=a\tb")]
    [InlineData("v=STSv1; id=abc; foo=a=b")]
    public void TryParse_ExtensionValueWithSpaceOrEquals_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.16 and Decision 3
    [Theory]
    [InlineData("v=STSv1; id = abc")]
    [InlineData("v=STSv1; id =abc")]
    [InlineData("v=STSv1; id= abc")]
    [InlineData("v=STSv1; id=abc; foo = bar")]
    public void TryParse_WhitespaceAroundEquals_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // K.23 and Decision 3
    [Theory]
    [InlineData("v=STSv1; id=abc\u00E9")]
    [InlineData("v=STSv1; id=\uFF41bc")]
    [InlineData("v=STSv1; id=abc; foo=b\u00E4r")]
    [InlineData("v=STSv1; id=abc; f\u00FC=bar")]
    [InlineData("v=STSv1;\u00A0id=abc")]
    [InlineData("v=STSv1; id=abc;\u00A0")]
    [InlineData("v=STSv1; id=abc; foo=\u2713")]
    public void TryParse_NonAscii_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // Decision 3
    [Theory]
    [InlineData("v=STSv1;; id=abc")]
    [InlineData("v=STSv1; id=abc;;")]
    [InlineData("v=STSv1; id=abc; ; foo=bar")]
    [InlineData("v=STSv1; ;id=abc")]
    [InlineData("v=STSv1 id=abc")]
    [InlineData("v=STSv1; id=abc foo=bar")]
    [InlineData("v=STSv1; id")]
    [InlineData("v=STSv1; =abc")]
    public void TryParse_EmptyFieldOrMissingDelimiter_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // Decision 4: the first id decides, even when a later one would be valid.
    [Theory]
    [InlineData("v=STSv1; id=a-b; id=abc")]
    [InlineData("v=STSv1; id=; id=abc")]
    public void TryParse_FirstIdInvalidLaterValid_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    // Decision 4: a later id is an extension, so it only has to match the extension-value grammar.
    [Fact]
    public void TryParse_LaterIdNotAlphanumeric_IsIgnoredExtension()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=abc; id=2024-01-01", out var sut));

        Assert.Equal("abc", sut.Id);
        Assert.Equal([new KeyValuePair<string, string>("id", "2024-01-01")], sut.Extensions);
    }

    // Decision 4
    [Fact]
    public void TryParse_LaterVersionField_IsExtension()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=abc; v=STSv2", out var sut));

        Assert.Equal("abc", sut.Id);
        Assert.Equal([new KeyValuePair<string, string>("v", "STSv2")], sut.Extensions);
    }

    // Decision 4: ids compare ordinally, so ids differing only in case are different ids.
    [Fact]
    public void TryParse_IdsDifferingInCase_AreDifferentIds()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=ABC", out var upper));
        Assert.True(MtaStsRecord.TryParse("v=STSv1; id=abc", out var lower));

        Assert.Equal("ABC", upper.Id);
        Assert.Equal("abc", lower.Id);
        Assert.NotEqual(upper.Id, lower.Id, StringComparer.Ordinal);
    }

    [Fact]
    public void TryParse_SeveralExtensions_ExposedInOrder()
    {
        Assert.True(MtaStsRecord.TryParse("v=STSv1; b=2; id=abc; a=1; c.d-e_f=x!~", out var sut));

        Assert.Equal(
            [
                new KeyValuePair<string, string>("b", "2"),
                new KeyValuePair<string, string>("a", "1"),
                new KeyValuePair<string, string>("c.d-e_f", "x!~"),
            ],
            sut.Extensions);
    }

    [Fact]
    public void TryParse_ExtensionNameOf32Characters_IsValid()
    {
        var name = "a" + new string('-', 30) + "z";

        Assert.True(MtaStsRecord.TryParse($"v=STSv1; id=abc; {name}=1", out var sut));

        Assert.Equal(name, Assert.Single(sut.Extensions).Key);
    }

    [Theory]
    [InlineData("v=STSv1; id=abc; _foo=bar")]
    [InlineData("v=STSv1; id=abc; -foo=bar")]
    [InlineData("v=STSv1; id=abc; .foo=bar")]
    [InlineData("v=STSv1; id=abc; fo/o=bar")]
    [InlineData("v=STSv1; id=abc; abcdefghijklmnopqrstuvwxyz0123456=bar")]
    public void TryParse_BadExtensionName_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    [Theory]
    [InlineData("v=STSv1; id=abc\r")]
    [InlineData("v=STSv1; id=abc\n")]
    [InlineData("v=STSv1; id=abc; foo=a\u0001b")]
    [InlineData("v=STSv1; id=abc; foo=a\u007Fb")]
    public void TryParse_ControlCharacters_IsInvalid(string text)
    {
        Assert.False(MtaStsRecord.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsRecord.TryParse(null!, out _));
    }
}
