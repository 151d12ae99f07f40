using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using MtaSts.Sqlite;

namespace MtaSts.Benchmarks;

/// <summary>
/// One read and one write of <see cref="SqlitePolicyStore"/> on a file of 10,000 policies, against a bare
/// Microsoft.Data.Sqlite read of the same row through a pooled connection. The write commits with
/// <c>synchronous=FULL</c>, so it measures the disk's fsync as much as the code.
/// </summary>
[MemoryDiagnoser]
public class SqliteStoreBenchmarks
{
    private SqliteBenchmarkData _data = null!;
    private SqlitePolicyStore _store = null!;
    private string _connectionString = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _data = new SqliteBenchmarkData(10_000);
        _store = new SqlitePolicyStore(_data.Path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _data.Path, Pooling = true }.ToString();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _data.Dispose();
    }

    [Benchmark(Baseline = true)]
    public string? RawSqliteSelect()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT policy_text FROM policies WHERE domain = $domain";
        command.Parameters.AddWithValue("$domain", SqliteBenchmarkData.Domain(NextIndex()));
        return command.ExecuteScalar() as string;
    }

    [Benchmark]
    public async Task<StoredPolicyRecord?> GetAsync() => await _store.GetAsync(SqliteBenchmarkData.Domain(NextIndex()));

    [Benchmark]
    public async Task SetAsync() =>
        await _store.SetAsync(SqliteBenchmarkData.Record(NextIndex(), TimeProvider.System.GetUtcNow()));

    private int NextIndex() => _next = (_next + 7919) % _data.Count;
}
