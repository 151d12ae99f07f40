using MtaSts.Sqlite;

namespace MtaSts.Benchmarks;

/// <summary>A temporary SQLite policy file filled with valid policies, for the SQLite store benchmarks.</summary>
internal sealed class SqliteBenchmarkData : IDisposable
{
    private readonly string _directory;

    public SqliteBenchmarkData(int count)
    {
        _directory = Directory.CreateTempSubdirectory("mtasts-bench-").FullName;
        Path = System.IO.Path.Combine(_directory, "policies.db");
        Count = count;
        var fetchedAt = TimeProvider.System.GetUtcNow().AddHours(-1);
        using var store = new SqlitePolicyStore(Path);
        store.SetManyAsync(Enumerable.Range(0, count).Select(i => Record(i, fetchedAt))).GetAwaiter().GetResult();
    }

    public string Path { get; }

    public int Count { get; }

    public static string Domain(int index) => $"d{index}.example.com";

    /// <summary>A realistic record: two MX patterns, one week's max_age, used now.</summary>
    public static StoredPolicyRecord Record(int index, DateTimeOffset fetchedAt) => new(
        Domain(index),
        "20260101T000000Z",
        $"version: STSv1\r\nmode: enforce\r\nmx: mx1.d{index}.example.com\r\nmx: *.d{index}.example.net\r\nmax_age: 604800\r\n",
        fetchedAt,
        fetchedAt.AddSeconds(604800),
        fetchedAt);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
