using System.Text;
using CsCheck;

namespace MtaSts.Tests.Properties;

/// <summary>Properties that hold for every input, checked on generated data.</summary>
public sealed class GrammarPropertyTests
{
    private const long Iterations = 2_000;

    [Fact]
    public void TryParse_ArbitraryStrings_NeverThrows()
    {
        Gen.OneOf(Gen.String, GrammarGenerators.GrammarSoup).Sample(text =>
        {
            MtaStsRecord.TryParse(text, out _);
            MtaStsRecord.TryParseRecordSet([text, text[..(text.Length / 2)]], out _);
            TlsRptRecord.TryParse(text, out _);
            TlsRptRecord.TryParse("v=TLSRPTv1; rua=" + text, out _);
            MxPattern.TryParse(text, out _);
            MtaStsPolicy.TryParse(text, out _);
            MtaStsPolicy.TryParse("version: STSv1\nmode: enforce\nmax_age: 1\nmx: " + text, out _);
        }, iter: Iterations);
    }

    [Fact]
    public void Parse_ArbitraryStrings_ThrowsOnlyMtaStsFormatException()
    {
        GrammarGenerators.GrammarSoup.Sample(text =>
        {
            try
            {
                MtaStsPolicy.Parse(text);
            }
            catch (MtaStsFormatException)
            {
                // The only documented failure.
            }
        }, iter: Iterations);
    }

    [Fact]
    public void TryParse_ArbitraryBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            MtaStsPolicy.TryParse(bytes, out _);
            MtaStsPolicy.TryParse([.. "version: STSv1\nmode: none\nmax_age: 5\nx: "u8, .. bytes], out _);
        }, iter: Iterations);
    }

    [Fact]
    public void MatchesMx_ArbitraryHosts_NeverThrows()
    {
        var sut = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmax_age: 1\nmx: mail.example.com\nmx: *.example.net\n");
        Gen.OneOf(Gen.String, GrammarGenerators.GrammarSoup).Sample(host => { sut.MatchesMx(host); }, iter: Iterations);
    }

    [Fact]
    public void TryParse_PolicyWrittenFromRandomFields_ParsesBackToTheSameFields()
    {
        var gen =
            from mode in Gen.OneOf(MtaStsMode.Enforce, MtaStsMode.Testing, MtaStsMode.None)
            from maxAge in Gen.Long[0, 9_999_999_999]
            from leadingZeros in Gen.Int[0, 9]
            from mx in Gen.Select(Gen.Bool, GrammarGenerators.Domain, (wild, d) => wild ? "*." + d : d).List[mode == MtaStsMode.None ? 0 : 1, 6]
            from extensions in Gen.Select(GrammarGenerators.ExtensionName, GrammarGenerators.PolicyExtensionValue).List[0, 4]
            from order in Gen.Int.Array[3 + 6 + 4]
            from wsp in GrammarGenerators.Wsp.Array[2 * (3 + 6 + 4)]
            from endings in GrammarGenerators.LineEnd.Array[3 + 6 + 4]
            from finalEnding in Gen.Bool
            select (mode, maxAge, leadingZeros, mx, extensions, order, wsp, endings, finalEnding);

        gen.Sample(c =>
        {
            var digits = c.maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
            digits = new string('0', Math.Min(c.leadingZeros, 10 - digits.Length)) + digits;
            var lines = new List<(string Name, string Value)>
            {
                ("version", "STSv1"),
                ("mode", c.mode.ToString().ToLowerInvariant()),
                ("max_age", digits),
            };
            lines.AddRange(c.mx.Select(m => ("mx", m)));
            lines.AddRange(c.extensions.Select(e => (e.Item1, e.Item2)));

            // Shuffle the fields, keeping mx and extensions in their own relative order, as the RFC leaves order free.
            var shuffled = lines.Select((l, i) => (Line: l, Key: l.Name is "mx" || l.Name.StartsWith('x') ? i * 1000 : c.order[i]))
                .OrderBy(x => x.Key).Select(x => x.Line).ToList();
            var text = new StringBuilder();
            for (var i = 0; i < shuffled.Count; i++)
            {
                text.Append(shuffled[i].Name).Append(':').Append(c.wsp[2 * i].Length == 0 ? " " : c.wsp[2 * i])
                    .Append(shuffled[i].Value).Append(c.wsp[(2 * i) + 1]);
                if (i < shuffled.Count - 1 || c.finalEnding)
                {
                    text.Append(c.endings[i]);
                }
            }

            var policy = MtaStsPolicy.Parse(text.ToString());

            Assert.Equal(c.mode, policy.Mode);
            Assert.Equal(Math.Min(c.maxAge, 31_557_600), (long)policy.MaxAge.TotalSeconds);
            Assert.Equal(c.mx, policy.MxPatterns.Select(p => p.ToString()));
            Assert.Equal(c.extensions.Select(e => new KeyValuePair<string, string>(e.Item1, e.Item2)), policy.Extensions);
            Assert.Equal(shuffled.Count, policy.Lines.Count);
            Assert.True(MtaStsPolicy.TryParse(Encoding.UTF8.GetBytes(text.ToString()), out var fromBytes));
            Assert.Equal(policy.Text, fromBytes.Text);
        }, iter: Iterations);
    }

    [Fact]
    public void TryParse_RecordWrittenFromRandomFields_ParsesBackToTheSameFields()
    {
        var gen =
            from id in Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"].Array[1, 32]
            from extensions in Gen.Select(GrammarGenerators.ExtensionName, GrammarGenerators.TxtExtensionValue).List[0, 3]
            from idPosition in Gen.Int[0, 3]
            from wsp in GrammarGenerators.Wsp.Array[10]
            from trailingDelimiter in Gen.Bool
            select (id: new string(id), extensions, idPosition, wsp, trailingDelimiter);

        gen.Sample(c =>
        {
            var fields = c.extensions.Select(e => $"{e.Item1}={e.Item2}").ToList();
            fields.Insert(Math.Min(c.idPosition, fields.Count), "id=" + c.id);
            var text = new StringBuilder("v=STSv1");
            for (var i = 0; i < fields.Count; i++)
            {
                text.Append(c.wsp[2 * i]).Append(';').Append(c.wsp[(2 * i) + 1]).Append(fields[i]);
            }

            if (c.trailingDelimiter)
            {
                text.Append(c.wsp[9]).Append(';').Append(c.wsp[8]);
            }

            Assert.True(MtaStsRecord.TryParse(text.ToString(), out var record), text.ToString());
            Assert.Equal(c.id, record.Id);
            Assert.Equal(c.extensions.Select(e => new KeyValuePair<string, string>(e.Item1, e.Item2)), record.Extensions);
        }, iter: Iterations);
    }

    [Fact]
    public void Matches_WildcardPattern_MatchesExactlyOneLabel()
    {
        Gen.Select(GrammarGenerators.Domain, GrammarGenerators.Label, GrammarGenerators.Label).Sample((domain, first, second) =>
        {
            Assert.True(MxPattern.TryParse("*." + domain, out var sut));

            Assert.True(sut.Matches($"{first}.{domain}"));
            Assert.False(sut.Matches(domain));
            Assert.False(sut.Matches($"{first}.{second}.{domain}"));
            Assert.False(sut.Matches($".{domain}"));
            Assert.False(sut.Matches($"*.{domain}"));
        }, iter: Iterations);
    }

    [Fact]
    public void Matches_HostInAnyAsciiCaseWithOneTrailingDot_Matches()
    {
        Gen.Select(GrammarGenerators.Domain, Gen.Bool.Array[300], Gen.Bool).Sample((domain, upper, trailingDot) =>
        {
            var host = new string([.. domain.Select((ch, i) => upper[i] ? char.ToUpperInvariant(ch) : ch)]) + (trailingDot ? "." : "");
            Assert.True(MxPattern.TryParse(domain, out var sut));

            Assert.True(sut.Matches(host));
            Assert.False(sut.Matches(host.TrimEnd('.') + ".."));
            Assert.False(sut.Matches("x" + host));
        }, iter: Iterations);
    }
}
