using System.Text;
using CsCheck;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class NetstringTests
{
    [Fact]
    public void TryRead_AnyEncodedPayload_ReadsItBackWhole() =>
        Gen.Byte.Array[0, 1024].Sample(payload =>
        {
            var encoded = Netstring.Encode(payload);
            var status = Netstring.TryRead(encoded, 1024, out var start, out var length, out var consumed);
            return status == NetstringStatus.Complete && consumed == encoded.Length
                && encoded.AsSpan(start, length).SequenceEqual(payload);
        });

    [Fact]
    public void TryRead_EveryProperPrefix_NeedsMore() =>
        Gen.Byte.Array[0, 300].Sample(payload =>
        {
            var encoded = Netstring.Encode(payload);
            for (var cut = 0; cut < encoded.Length; cut++)
            {
                if (Netstring.TryRead(encoded.AsSpan(0, cut), 1024, out _, out _, out _) != NetstringStatus.NeedMore)
                {
                    return false;
                }
            }

            return true;
        });

    [Fact]
    public void TryRead_ArbitraryBytes_NeverThrowsAndNeverReadsPastTheBuffer() =>
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var status = Netstring.TryRead(bytes, 16, out var start, out var length, out var consumed);
            return status != NetstringStatus.Complete || (start + length < consumed && consumed <= bytes.Length && length <= 16);
        });

    [Theory]
    [InlineData("0:,", "Complete")]
    [InlineData("3:abc,", "Complete")]
    [InlineData("3:abc,4:more", "Complete")]
    [InlineData("", "NeedMore")]
    [InlineData("12", "NeedMore")]
    [InlineData("3:ab", "NeedMore")]
    [InlineData("3:abc", "NeedMore")]
    [InlineData(":", "BadLength")]
    [InlineData("a:", "BadLength")]
    [InlineData("-1:", "BadLength")]
    [InlineData(" 3:abc,", "BadLength")]
    [InlineData("3 :abc,", "BadLength")]
    [InlineData("3:abcd", "BadTerminator")]
    [InlineData("3:abc;", "BadTerminator")]
    [InlineData("17:", "TooLong")]
    [InlineData("999999", "TooLong")]
    [InlineData("0000000", "TooLong")]
    public void TryRead_Cases(string input, string expected) =>
        Assert.Equal(Enum.Parse<NetstringStatus>(expected), Netstring.TryRead(Encoding.ASCII.GetBytes(input), 16, out _, out _, out _));

    [Fact]
    public void TryRead_DeclaredLengthOverTheLimit_IsTooLongBeforeAnyPayloadArrives() =>
        Assert.Equal(NetstringStatus.TooLong, Netstring.TryRead("1025"u8, 1024, out _, out _, out _));

    [Fact]
    public void Write_DestinationTooSmall_Throws() =>
        Assert.Throws<ArgumentException>(() => Netstring.Write("abc"u8, new byte[5]));
}
