namespace MtaSts.Tests.Dane;

/// <summary>Which TLSA records SMTP may use (RFC 7672 §3.1) and their TLS-RPT presentation form (RFC 8460 §4.5).</summary>
public sealed class TlsaRecordTests
{
    [Theory]
    [InlineData(3, 1, 1, 32, true)]
    [InlineData(3, 0, 1, 32, true)]
    [InlineData(2, 1, 1, 32, true)]
    [InlineData(3, 1, 2, 64, true)]
    [InlineData(3, 1, 0, 91, true)]
    [InlineData(0, 1, 1, 32, false)]
    [InlineData(1, 1, 1, 32, false)]
    [InlineData(4, 1, 1, 32, false)]
    [InlineData(3, 2, 1, 32, false)]
    [InlineData(3, 1, 3, 32, false)]
    [InlineData(3, 1, 1, 31, false)]
    [InlineData(3, 1, 2, 32, false)]
    [InlineData(3, 1, 0, 0, false)]
    public void IsUsable_UsageSelectorMatchingTypeAndLength_FollowsRfc7672(byte usage, byte selector, byte matchingType, int length, bool usable)
    {
        var sut = new TlsaRecord(usage, selector, matchingType, new byte[length]);

        Assert.Equal(usable, sut.IsUsable);
    }

    [Fact]
    public void ToString_Rfc8460PolicyString_FourFieldsUpperCaseHexNoSpacesInData()
    {
        var sut = new TlsaRecord(3, 0, 1, Convert.FromHexString("1f850a337e6db9c609c522d136a475638cc43e1ed424f8eec8513d747d1d085d"));

        Assert.Equal("3 0 1 1F850A337E6DB9C609C522D136A475638CC43E1ED424F8EEC8513D747D1D085D", sut.ToString());
    }

    [Fact]
    public void Constructor_DataArrayChangedAfterwards_RecordKeepsItsCopy()
    {
        var data = new byte[32];
        var sut = new TlsaRecord(3, 1, 1, data);

        data[0] = 0xFF;

        Assert.Equal(0, sut.Data.Span[0]);
    }
}
