using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.Sqlite;

namespace MtaSts.Benchmarks;

/// <summary>
/// Cold start with 100,000 stored policies (issue target: under 2 s): a fresh store streaming every row
/// (<c>ListAsync</c>), and a fresh DI container (<c>AddMtaSts().AddSqlitePolicyStore(path)</c>) whose resolver loads
/// and re-validates every record into memory (<c>WarmUpAsync</c>, what the hosted service does at start). The
/// baseline reads the same rows with a bare <see cref="SqliteDataReader"/>.
/// </summary>
[MemoryDiagnoser]
public class SqliteColdStartBenchmarks
{
    private SqliteBenchmarkData _data = null!;

    [Params(100_000)]
    public int Policies { get; set; }

    [GlobalSetup]
    public void Setup() => _data = new SqliteBenchmarkData(Policies);

    [GlobalCleanup]
    public void Cleanup() => _data.Dispose();

    [Benchmark(Baseline = true)]
    public int RawSqliteReader()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _data.Path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT domain, policy_id, policy_text, fetched_at, expires_at, last_used FROM policies";
        using var reader = command.ExecuteReader();
        var rows = 0;
        while (reader.Read())
        {
            _ = reader.GetString(0);
            _ = reader.GetString(1);
            _ = reader.GetString(2);
            _ = reader.GetInt64(3) + reader.GetInt64(4) + reader.GetInt64(5);
            rows++;
        }

        return Check(rows);
    }

    [Benchmark]
    public async Task<int> ListAsync()
    {
        using var store = new SqlitePolicyStore(_data.Path);
        var rows = 0;
        await foreach (var record in store.ListAsync())
        {
            rows++;
        }

        return Check(rows);
    }

    [Benchmark]
    public async Task<int> ColdStart_WarmUpThroughDI()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddSqlitePolicyStore(_data.Path);
        await using var provider = services.BuildServiceProvider();
        var loaded = await provider.GetRequiredService<PolicyResolver>().WarmUpAsync(CancellationToken.None);
        return Check(loaded);
    }

    private int Check(int count) =>
        count == _data.Count ? count : throw new InvalidOperationException($"Expected {_data.Count} policies, got {count}.");
}
