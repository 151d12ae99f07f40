using System.Text;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class SocketmapRepliesTests
{
    private static readonly SocketmapNameSettings Defaults = new();

    [Fact]
    public void ForPolicy_Enforce_PostfixMtaStsResolverForm() =>
        Assert.Equal(
            "80:OK secure match=mx1.example.com:.example.net:MX2.example.com servername=hostname,",
            Reply(Policy("enforce", "mx1.example.com", "*.example.net", "mx1.example.com", "MX2.example.com"), Defaults));

    [Fact]
    public void ForPolicy_WithoutSni_NoServername() =>
        Assert.Equal("31:OK secure match=mx1.example.com,", Reply(Policy("enforce", "mx1.example.com"), new SocketmapNameSettings { RequireSni = false }));

    [Theory]
    [InlineData("testing", "ReportOnly", "9:NOTFOUND ,")]
    [InlineData("testing", "Enforce", "51:OK secure match=mx1.example.com servername=hostname,")]
    [InlineData("none", "Enforce", "9:NOTFOUND ,")]
    public void ForPolicy_OtherModes(string mode, string testing, string expected) =>
        Assert.Equal(expected, Reply(Policy(mode, mode == "none" ? [] : ["mx1.example.com"]), new SocketmapNameSettings { Testing = Enum.Parse<TestingPolicy>(testing) }));

    [Fact]
    public void ForPolicy_TlsRpt_AttributesWithEveryLineAsPolicyString()
    {
        var policy = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 604800\n");

        var reply = Reply(policy, new SocketmapNameSettings { TlsRpt = true });

        Assert.EndsWith(
            "OK secure match=mx1.example.com:.example.net servername=hostname policy_type=sts policy_domain=example.com policy_ttl=604800"
            + " mx_host_pattern=mx1.example.com mx_host_pattern=*.example.net { policy_string = version: STSv1 }"
            + " { policy_string = mode: enforce } { policy_string = mx: mx1.example.com } { policy_string = mx: *.example.net }"
            + " { policy_string = max_age: 604800 },",
            reply,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ForPolicy_TlsRptLineWithABrace_IsLeftOutSoThatItCannotAddAttributes()
    {
        var policy = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\nnote: } policy_domain=evil.example {\n");

        var reply = Reply(policy, new SocketmapNameSettings { TlsRpt = true });

        Assert.DoesNotContain("evil", reply, StringComparison.Ordinal);
        Assert.Contains("{ policy_string = max_age: 86400 }", reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1500, true)]
    [InlineData(2500, false)]
    public void ForPolicy_TlsRptReplyOverPostfixsLimit_DropsAttributesUntilItFits(int patterns, bool keepsPatternAttributes)
    {
        var text = new StringBuilder("version: STSv1\nmode: enforce\nmax_age: 86400\n");
        for (var i = 0; i < patterns; i++)
        {
            text.Append("mx: mx").Append(i).Append(".example.com\n");
        }

        var reply = Reply(MtaStsPolicy.Parse(text.ToString()), new SocketmapNameSettings { TlsRpt = true });

        Assert.True(reply.Length < SocketmapReplies.MaxReplyPayload + 10);
        Assert.Contains($":mx{patterns - 1}.example.com servername=hostname", reply, StringComparison.Ordinal);
        Assert.Equal(keepsPatternAttributes, reply.Contains($"mx_host_pattern=mx{patterns - 1}.example.com", StringComparison.Ordinal));
        Assert.DoesNotContain("policy_string", reply, StringComparison.Ordinal);
    }

    [Fact]
    public void Constants_HaveTheirTrailingSpace()
    {
        Assert.Equal("9:NOTFOUND ,", Encoding.ASCII.GetString(SocketmapReplies.NotFound));
        Assert.Equal("5:TEMP ,", Encoding.ASCII.GetString(SocketmapReplies.Temp));
        Assert.Equal("8:PERM why,", Encoding.ASCII.GetString(SocketmapReplies.Perm("why")));
    }

    internal static MtaStsPolicy Policy(string mode, params string[] mx) =>
        MtaStsPolicy.Parse($"version: STSv1\nmode: {mode}\nmax_age: 86400\n" + string.Concat(mx.Select(m => $"mx: {m}\n")));

    private static string Reply(MtaStsPolicy policy, SocketmapNameSettings settings) =>
        Encoding.UTF8.GetString(SocketmapReplies.ForPolicy(policy, "example.com", settings));
}
