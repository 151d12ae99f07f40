namespace MtaSts.Tests.Grammar;

/// <summary>The <c>_smtp._tls</c> TXT record (RFC 8460 §3): checklist items H.2–H.4 and K.86–K.89.</summary>
public sealed class TlsRptRecordTests
{
    // K.86
    [Fact]
    public void TryParse_SingleMailtoUri_IsValid()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1;rua=mailto:reports@example.com", out var sut));

        Assert.Equal(new Uri("mailto:reports@example.com"), Assert.Single(sut.ReportUris));
        Assert.Equal(["reports@example.com"], sut.MailtoAddresses);
        Assert.Empty(sut.HttpsUris);
        Assert.Empty(sut.Extensions);
    }

    // K.86 and H.4: SP/TAB allowed around commas.
    [Theory]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com , https://r.example/v1")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com,https://r.example/v1")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com\t,\thttps://r.example/v1;")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com  ,https://r.example/v1 ; ")]
    public void TryParse_TwoUrisWithWhitespaceAroundComma_ReturnsBoth(string text)
    {
        Assert.True(TlsRptRecord.TryParse(text, out var sut));

        Assert.Equal([new Uri("mailto:a@x.com"), new Uri("https://r.example/v1")], sut.ReportUris);
        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
        Assert.Equal([new Uri("https://r.example/v1")], sut.HttpsUris);
    }

    [Fact]
    public void TryParse_HttpsFirst_UrisInOrderAndSplitByScheme()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=https://r.example/v1?x=1,mailto:a@x.com,https://s.example/", out var sut));

        Assert.Equal(
            [new Uri("https://r.example/v1?x=1"), new Uri("mailto:a@x.com"), new Uri("https://s.example/")],
            sut.ReportUris);
        Assert.Equal([new Uri("https://r.example/v1?x=1"), new Uri("https://s.example/")], sut.HttpsUris);
        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
    }

    // K.87
    [Theory]
    [InlineData("v=TLSRPTv1")]
    [InlineData("v=TLSRPTv1;")]
    [InlineData("v=TLSRPTv1; foo=bar")]
    [InlineData("v=TLSRPTv1; RUA=mailto:a@x.com")]
    public void TryParse_NoRua_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out var sut));
        Assert.Null(sut);
    }

    // K.87 and H.3
    [Fact]
    public void TryParseRecordSet_TwoValidRecords_ReturnsFalse()
    {
        Assert.False(TlsRptRecord.TryParseRecordSet(
            ["v=TLSRPTv1; rua=mailto:a@x.com", "v=TLSRPTv1; rua=mailto:b@x.com"], out var sut));
        Assert.Null(sut);
    }

    // H.3
    [Fact]
    public void TryParseRecordSet_OneCandidateAmongOthers_ParsesIt()
    {
        Assert.True(TlsRptRecord.TryParseRecordSet(
            ["v=spf1 -all", "v=STSv1; id=abc", "v=TLSRPTv10; rua=mailto:c@x.com", "v=TLSRPTv1; rua=mailto:a@x.com"], out var sut));

        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
    }

    // H.3: a candidate without a usable URI still counts.
    [Fact]
    public void TryParseRecordSet_InvalidCandidateBesideValidOne_ReturnsFalse()
    {
        Assert.False(TlsRptRecord.TryParseRecordSet(["v=TLSRPTv1", "v=TLSRPTv1; rua=mailto:a@x.com"], out _));
    }

    [Fact]
    public void TryParseRecordSet_NoCandidate_ReturnsFalse()
    {
        Assert.False(TlsRptRecord.TryParseRecordSet(["v=spf1 -all"], out _));
        Assert.False(TlsRptRecord.TryParseRecordSet([], out _));
    }

    // K.88 and H.4: a URI with a raw "!" is ignored.
    [Theory]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com!10m")]
    [InlineData("v=TLSRPTv1; rua=https://r.example/!")]
    [InlineData("v=TLSRPTv1; rua=mailto:a!b@x.com")]
    public void TryParse_OnlyUriHasRawExclamationMark_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out _));
    }

    // K.88 and H.4
    [Fact]
    public void TryParse_RawExclamationMarkBesideUsableUri_KeepsOnlyUsableUri()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=mailto:a@x.com!10m, mailto:b@x.com", out var sut));

        Assert.Equal(new Uri("mailto:b@x.com"), Assert.Single(sut.ReportUris));
        Assert.Equal(["b@x.com"], sut.MailtoAddresses);
    }

    // K.88
    [Fact]
    public void TryParse_PercentEncodedExclamationMark_AddressIsDecoded()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=mailto:a%21b@x.com", out var sut));

        Assert.Equal(["a!b@x.com"], sut.MailtoAddresses);
    }

    [Fact]
    public void TryParse_MailtoWithHeaderFields_AddressExcludesQuery()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=mailto:tls%2Breports@x.com?subject=tlsrpt", out var sut));

        Assert.Equal(["tls+reports@x.com"], sut.MailtoAddresses);
    }

    // K.89 and H.4: unsupported schemes are ignored.
    [Theory]
    [InlineData("v=TLSRPTv1; rua=ftp://x")]
    [InlineData("v=TLSRPTv1; rua=http://r.example/v1")]
    [InlineData("v=TLSRPTv1; rua=ftp://x, urn:isbn:123")]
    [InlineData("v=TLSRPTv1; rua=mailto:nobody")]
    public void TryParse_NoUsableUri_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out _));
    }

    // K.89
    [Fact]
    public void TryParse_UnsupportedSchemeBesideMailto_KeepsOnlyMailto()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=ftp://x,mailto:a@x.com", out var sut));

        Assert.Equal(new Uri("mailto:a@x.com"), Assert.Single(sut.ReportUris));
        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
        Assert.Empty(sut.HttpsUris);
    }

    // H.4: the URIs that cannot be used are kept as text, so that the reporter can log them.
    [Fact]
    public void TryParse_UnusableUris_ListedInIgnoredUrisInOrder()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=ftp://x, mailto:a@x.com!10m, https://r.example/v1, mailto:nobody, http://r.example/", out var sut));

        Assert.Equal(["ftp://x", "mailto:a@x.com!10m", "mailto:nobody", "http://r.example/"], sut.IgnoredUris);
        Assert.Equal(new Uri("https://r.example/v1"), Assert.Single(sut.ReportUris));
    }

    [Fact]
    public void TryParse_EveryUriUsable_IgnoredUrisEmpty()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=mailto:a@x.com,https://r.example/v1", out var sut));

        Assert.Empty(sut.IgnoredUris);
    }

    // H.3: repeated rua fields are collected.
    [Fact]
    public void TryParse_RepeatedRua_CollectsAllInOrder()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=mailto:a@x.com; rua=https://r.example/v1, mailto:b@x.com", out var sut));

        Assert.Equal(
            [new Uri("mailto:a@x.com"), new Uri("https://r.example/v1"), new Uri("mailto:b@x.com")],
            sut.ReportUris);
        Assert.Equal(["a@x.com", "b@x.com"], sut.MailtoAddresses);
    }

    // H.3: a rua field with nothing usable does not spoil another rua field.
    [Fact]
    public void TryParse_RepeatedRuaOneUnusable_KeepsUsable()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; rua=ftp://x; rua=mailto:a@x.com", out var sut));

        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
    }

    // H.3: unknown fields are accepted and listed in order.
    [Fact]
    public void TryParse_ExtensionFields_ListedInOrder()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1; foo=bar; rua=mailto:a@x.com; x.y-z_1=4:2; v=TLSRPTv2", out var sut));

        Assert.Equal(
            [
                new KeyValuePair<string, string>("foo", "bar"),
                new KeyValuePair<string, string>("x.y-z_1", "4:2"),
                new KeyValuePair<string, string>("v", "TLSRPTv2"),
            ],
            sut.Extensions);
        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
    }

    // H.2
    [Theory]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com; foo=")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com; foo=a b")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com; _foo=bar")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com; foo=b\u00E4r")]
    public void TryParse_MalformedExtension_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out _));
    }

    // H.3: the version is case-sensitive.
    [Theory]
    [InlineData("v=tlsrptv1; rua=mailto:a@x.com")]
    [InlineData("V=TLSRPTv1; rua=mailto:a@x.com")]
    [InlineData("v=TLSRPTV1; rua=mailto:a@x.com")]
    [InlineData("v=TLSRPTv10; rua=mailto:a@x.com")]
    [InlineData(" v=TLSRPTv1; rua=mailto:a@x.com")]
    public void TryParse_VersionNotExact_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out _));
    }

    // H.2 (as erratum 6285 for MTA-STS): whitespace before the first ";" is a field-delim.
    [Fact]
    public void TryParse_WhitespaceBeforeFirstSemicolon_IsValid()
    {
        Assert.True(TlsRptRecord.TryParse("v=TLSRPTv1 ; rua=mailto:a@x.com", out var sut));

        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
    }

    // H.2 (strict, Decision 3 applied to TLS-RPT)
    [Theory]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com ")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com\t")]
    public void TryParse_TrailingWhitespaceWithoutSemicolon_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out _));
    }

    // H.2
    [Theory]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com; ")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com ;")]
    public void TryParse_TrailingDelimiterWithWhitespace_IsValid(string text)
    {
        Assert.True(TlsRptRecord.TryParse(text, out var sut));

        Assert.Equal(["a@x.com"], sut.MailtoAddresses);
    }

    // H.2
    [Theory]
    [InlineData("v=TLSRPTv1; rua=")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com,")]
    [InlineData("v=TLSRPTv1; rua=,mailto:a@x.com")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com,,mailto:b@x.com")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com mailto:b@x.com")]
    [InlineData("v=TLSRPTv1; rua = mailto:a@x.com")]
    [InlineData("v=TLSRPTv1;; rua=mailto:a@x.com")]
    [InlineData("v=TLSRPTv1 rua=mailto:a@x.com")]
    [InlineData("v=TLSRPTv1; rua=mailto:b\u00E4r@x.com")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@x.com\"")]
    public void TryParse_MalformedRua_IsInvalid(string text)
    {
        Assert.False(TlsRptRecord.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => TlsRptRecord.TryParse(null!, out _));
    }

    [Fact]
    public void TryParseRecordSet_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => TlsRptRecord.TryParseRecordSet(null!, out _));
        Assert.Throws<ArgumentNullException>(() => TlsRptRecord.TryParseRecordSet(["v=TLSRPTv1; rua=mailto:a@x.com", null!], out _));
    }
}
