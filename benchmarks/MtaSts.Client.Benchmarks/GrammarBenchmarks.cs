using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>
/// The grammar's hot paths. Targets (issue #2): parse the RFC 8461 example policy in ≤ 500 ns allocating only the
/// result; <c>MatchesMx</c> on an ASCII host against three patterns in ≤ 25 ns with no allocation; parse a TXT
/// record in ≤ 150 ns. Each class has a baseline doing the least work the same input needs.
/// </summary>
[MemoryDiagnoser]
public class PolicyParseBenchmarks
{
    // RFC 8461 §3.2 example, CRLF-separated as the RFC's prose says.
    private const string RfcExample = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";

    private static readonly byte[] RfcExampleUtf8 = System.Text.Encoding.UTF8.GetBytes(RfcExample);

    /// <summary>Only splits the text into lines: the least any line-based parser does.</summary>
    [Benchmark(Baseline = true)]
    public string[] SplitLines() => RfcExample.Split('\n');

    [Benchmark]
    public MtaStsPolicy? TryParse_String()
    {
        MtaStsPolicy.TryParse(RfcExample, out var policy);
        return policy;
    }

    [Benchmark]
    public MtaStsPolicy? TryParse_Utf8()
    {
        MtaStsPolicy.TryParse(RfcExampleUtf8, out var policy);
        return policy;
    }
}

[MemoryDiagnoser]
public class MatchesMxBenchmarks
{
    private readonly MtaStsPolicy _policy = MtaStsPolicy.Parse(
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n");

    [Params("backupmx.example.com", "mx1.example.net.", "other.example.org")]
    public string Host { get; set; } = "";

    private readonly string[] _patterns = ["mail.example.com", "example.net", "backupmx.example.com"];

    /// <summary>A case-insensitive comparison with each pattern's text: the least any matcher does.</summary>
    [Benchmark(Baseline = true)]
    public bool CompareWithEachPattern()
    {
        foreach (var pattern in _patterns)
        {
            if (string.Equals(Host, pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [Benchmark]
    public bool MatchesMx() => _policy.MatchesMx(Host);
}

[MemoryDiagnoser]
public class TxtRecordBenchmarks
{
    private const string Record = "v=STSv1; id=20160831085700Z;";

    /// <summary>Only splits the record at its delimiters.</summary>
    [Benchmark(Baseline = true)]
    public string[] SplitFields() => Record.Split(';');

    [Benchmark]
    public MtaStsRecord? TryParse()
    {
        MtaStsRecord.TryParse(Record, out var record);
        return record;
    }
}
