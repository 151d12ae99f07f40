using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MtaSts.Tests.Conformance;

/// <summary>Runs every vector of <c>vectors.json</c> against the grammar and the MX matcher.</summary>
public sealed class ConformanceVectorTests
{
    public static TheoryData<int, string> TxtVectors() => Indexed("txt", v => string.Join(" | ", ConformanceVectors.Strings(v.GetProperty("records"))));

    public static TheoryData<int, string> PolicyVectors() => Indexed("policy", v =>
        v.TryGetProperty("input", out var input) ? input.GetString()! : "base64:" + v.GetProperty("input_b64").GetString());

    public static TheoryData<int, string> MxVectors() => Indexed("mx", v =>
        $"{v.GetProperty("host").GetString()} ~ [{string.Join(", ", ConformanceVectors.Strings(v.GetProperty("patterns")))}]");

    [Theory]
    [MemberData(nameof(TxtVectors))]
    public void TryParseRecordSet_TxtVector_MatchesLabel(int index, string label)
    {
        var vector = ConformanceVectors.Section("txt").ElementAt(index);
        var records = ConformanceVectors.Strings(vector.GetProperty("records"));

        var valid = MtaStsRecord.TryParseRecordSet(records, out var record);

        Assert.True(vector.GetProperty("valid").GetBoolean() == valid, $"vector {index} {label}: expected valid={!valid}");
        Assert.Equal(vector.GetProperty("id").GetString(), record?.Id);
    }

    [Theory]
    [MemberData(nameof(PolicyVectors))]
    public void TryParse_PolicyVector_MatchesLabel(int index, string label)
    {
        var vector = ConformanceVectors.Section("policy").ElementAt(index);
        var bytes = ConformanceVectors.PolicyBytes(vector);
        var expectedValid = vector.GetProperty("valid").GetBoolean();

        var validFromBytes = MtaStsPolicy.TryParse(bytes, out var policy);

        Assert.True(expectedValid == validFromBytes, $"vector {index} {label}: expected valid={expectedValid}");
        if (vector.TryGetProperty("input", out var input))
        {
            // The string overload must agree with the UTF-8 overload.
            Assert.Equal(expectedValid, MtaStsPolicy.TryParse(input.GetString()!, out _));
        }

        if (!expectedValid)
        {
            return;
        }

        Assert.NotNull(policy);
        Assert.Equal(vector.GetProperty("mode").GetString(), policy.Mode.ToString().ToLowerInvariant());
        Assert.Equal(vector.GetProperty("max_age").GetInt64(), (long)policy.MaxAge.TotalSeconds);
        Assert.Equal(ConformanceVectors.Strings(vector.GetProperty("mx")), policy.MxPatterns.Select(p => p.ToString()));
    }

    [Theory]
    [MemberData(nameof(MxVectors))]
    public void MatchesMx_MxVector_MatchesLabel(int index, string label)
    {
        var vector = ConformanceVectors.Section("mx").ElementAt(index);
        var idn = new IdnMapping();
        var patterns = ConformanceVectors.Strings(vector.GetProperty("patterns")).Select(p => idn.GetAscii(p)).ToArray();

        // The vectors describe a policy holding these patterns; a policy without any must be mode "none".
        var text = new StringBuilder("version: STSv1\n")
            .Append(patterns.Length == 0 ? "mode: none\n" : "mode: enforce\n")
            .Append("max_age: 86400\n");
        foreach (var pattern in patterns)
        {
            text.Append("mx: ").Append(pattern).Append('\n');
        }

        var sut = MtaStsPolicy.Parse(text.ToString());

        Assert.True(vector.GetProperty("match").GetBoolean() == sut.MatchesMx(vector.GetProperty("host").GetString()!), $"vector {index} {label}");
    }

    [Fact]
    public void Vectors_AllSections_AreLoaded()
    {
        // Guards against a missing or truncated copy of vectors.json silently running no vector.
        Assert.Equal(60, ConformanceVectors.Section("txt").Count());
        Assert.Equal(78, ConformanceVectors.Section("policy").Count());
        Assert.Equal(38, ConformanceVectors.Section("mx").Count());
    }

    private static TheoryData<int, string> Indexed(string section, Func<JsonElement, string> describe)
    {
        var data = new TheoryData<int, string>();
        var index = 0;
        foreach (var vector in ConformanceVectors.Section(section))
        {
            data.Add(index++, ConformanceVectors.Label(describe(vector)));
        }

        return data;
    }
}
