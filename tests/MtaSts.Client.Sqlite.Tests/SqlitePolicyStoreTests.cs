using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite.Tests;

/// <summary>The store on real database files through the real SQLite provider.</summary>
public sealed partial class SqlitePolicyStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task SetThenGet_RoundTripsEveryField()
    {
        // Offsets other than UTC and sub-millisecond ticks: times must come back as the same instants, exactly.
        var fetchedAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var text = "version: STSv1\r\nmode: testing\r\nmx: *.example.net\r\nmx: mx.例え.jp\r\nmax_age: 604800\r\n";
        var record = new StoredPolicyRecord("example.com", "20160831085700Z", text, fetchedAt, fetchedAt.AddSeconds(604800), fetchedAt.AddDays(1).AddTicks(1));
        using (var writer = new SqlitePolicyStore(_db.Path))
        {
            await writer.SetAsync(record);
        }

        // A second instance (a restarted process) reads what the first one wrote.
        using var sut = new SqlitePolicyStore(_db.Path);
        var read = await sut.GetAsync("example.com");

        Assert.NotNull(read);
        Assert.Equal(record, read);
        Assert.Equal(record.PolicyText, read.PolicyText);
        Assert.Equal(record.FetchedAt.UtcTicks, read.FetchedAt.UtcTicks);
        Assert.Equal(record.ExpiresAt.UtcTicks, read.ExpiresAt.UtcTicks);
        Assert.Equal(record.LastUsed.UtcTicks, read.LastUsed.UtcTicks);
        Assert.Equal(TimeSpan.Zero, read.FetchedAt.Offset);
    }

    [Fact]
    public async Task GetAsync_UnknownDomain_ReturnsNull()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetAsync(Policies.Record("a.example"));

        Assert.Null(await sut.GetAsync("b.example"));
    }

    [Fact]
    public async Task SetAsync_SameDomain_ReplacesTheRecord()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetAsync(Policies.Record("example.com", "A1"));
        var second = Policies.Record("example.com", "B2", maxAge: 604800) with { LastUsed = Policies.Now };

        await sut.SetAsync(second);

        Assert.Equal(second, await sut.GetAsync("example.com"));
        Assert.Equal(1, _db.Count());
    }

    [Fact]
    public async Task RemoveAsync_DeletesOnlyThatRecord()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetAsync(Policies.Record("a.example"));
        await sut.SetAsync(Policies.Record("b.example"));

        await sut.RemoveAsync("a.example");
        await sut.RemoveAsync("never-stored.example");

        Assert.Null(await sut.GetAsync("a.example"));
        Assert.NotNull(await sut.GetAsync("b.example"));
    }

    [Fact]
    public async Task ListAsync_YieldsEveryRecord()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        var records = Enumerable.Range(0, 500).Select(i => Policies.Record($"d{i}.example", $"id{i}")).ToList();
        await sut.SetManyAsync(records);

        var listed = new List<StoredPolicyRecord>();
        await foreach (var record in sut.ListAsync())
        {
            listed.Add(record);
        }

        Assert.Equal(records.OrderBy(r => r.PolicyDomain, StringComparer.Ordinal), listed.OrderBy(r => r.PolicyDomain, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListAsync_EmptyNewFile_YieldsNothing()
    {
        using var sut = new SqlitePolicyStore(Path.Combine(_db.Directory, "sub", "dir", "new.db"));

        await foreach (var record in sut.ListAsync())
        {
            Assert.Fail($"Unexpected record {record}.");
        }

        Assert.True(File.Exists(sut.DatabasePath));
    }

    [Fact]
    public async Task ListAsync_WhileListing_WritesAreNotBlockedAndTheListingIsASnapshot()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetManyAsync(Enumerable.Range(0, 100).Select(i => Policies.Record($"d{i}.example")));

        var listed = 0;
        await foreach (var record in sut.ListAsync())
        {
            if (listed++ == 0)
            {
                // Mid-listing, on the same store: WAL mode lets the writer commit while the reader holds its snapshot.
                await sut.SetAsync(Policies.Record("late.example"));
                await sut.RemoveAsync("d99.example");
            }
        }

        Assert.Equal(100, listed);
        Assert.NotNull(await sut.GetAsync("late.example"));
        Assert.Null(await sut.GetAsync("d99.example"));
    }

    [Fact]
    public async Task ListAsync_Cancelled_Throws()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetManyAsync(Enumerable.Range(0, 10).Select(i => Policies.Record($"d{i}.example")));
        using var cts = new CancellationTokenSource();

        var listed = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var record in sut.ListAsync(cts.Token))
            {
                listed++;
                await cts.CancelAsync();
            }
        });

        Assert.Equal(1, listed);
    }

    [Fact]
    public async Task Operations_CancelledToken_ThrowWithoutWriting()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.SetAsync(Policies.Record("a.example"), cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.GetAsync("a.example", cts.Token).AsTask());

        Assert.Null(await sut.GetAsync("a.example"));
    }

    [Fact]
    public async Task FirstUse_CreatesSchemaVersion1InWalMode()
    {
        using (var sut = new SqlitePolicyStore(_db.Path))
        {
            Assert.False(File.Exists(_db.Path));
            Assert.Null(await sut.GetAsync("example.com"));
        }

        Assert.Equal(1L, _db.Execute("PRAGMA user_version"));
        Assert.Equal("wal", _db.Execute("PRAGMA journal_mode"));
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, type, \"notnull\", pk FROM pragma_table_info('policies') ORDER BY cid";
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add($"{reader.GetString(0)} {reader.GetString(1)} notnull={reader.GetInt64(2)} pk={reader.GetInt64(3)}");
        }

        Assert.Equal(
            [
                "domain TEXT notnull=1 pk=1",
                "policy_id TEXT notnull=1 pk=0",
                "policy_text TEXT notnull=1 pk=0",
                "fetched_at INTEGER notnull=1 pk=0",
                "expires_at INTEGER notnull=1 pk=0",
                "last_used INTEGER notnull=1 pk=0",
            ],
            columns);
    }

    [Fact]
    public async Task Open_ExistingVersion1File_KeepsItsRecords()
    {
        using (var first = new SqlitePolicyStore(_db.Path))
        {
            await first.SetAsync(Policies.Record("example.com"));
        }

        using var sut = new SqlitePolicyStore(_db.Path);

        Assert.Equal(Policies.Record("example.com"), await sut.GetAsync("example.com"));
        Assert.Equal(1L, _db.Execute("PRAGMA user_version"));
    }

    [Fact]
    public async Task StoredTimes_AreUtcTicks()
    {
        // The file format is documented: INTEGER UTC ticks, readable by any SQLite tool.
        using var sut = new SqlitePolicyStore(_db.Path);
        var record = Policies.Record("example.com");

        await sut.SetAsync(record);

        Assert.Equal(record.FetchedAt.UtcTicks, _db.Execute("SELECT fetched_at FROM policies"));
        Assert.Equal(record.ExpiresAt.UtcTicks, _db.Execute("SELECT expires_at FROM policies"));
        Assert.Equal(record.LastUsed.UtcTicks, _db.Execute("SELECT last_used FROM policies"));
    }

    [Fact]
    public async Task GetAsync_ValuesOfTheWrongTypeOrRange_YieldARecordTheResolverRejects()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetAsync(Policies.Record("example.com"));
        _db.Execute("UPDATE policies SET fetched_at = 'yesterday', expires_at = -5, last_used = 9223372036854775807");

        var read = await sut.GetAsync("example.com");

        Assert.NotNull(read);
        Assert.Equal(DateTimeOffset.MinValue, read.FetchedAt);
        Assert.Equal(DateTimeOffset.MinValue, read.ExpiresAt);
        Assert.Equal(DateTimeOffset.MinValue, read.LastUsed);
    }

    [Fact]
    public async Task PurgeAsync_RemovesRecordsUnusedSinceTheCutoff()
    {
        using var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetAsync(Policies.Record("old.example") with { LastUsed = Policies.Now.AddDays(-181) });
        await sut.SetAsync(Policies.Record("recent.example") with { LastUsed = Policies.Now.AddDays(-179) });

        var purged = await sut.PurgeAsync(Policies.Now.AddDays(-180));

        Assert.Equal(1, purged);
        Assert.Null(await sut.GetAsync("old.example"));
        Assert.NotNull(await sut.GetAsync("recent.example"));
    }

    [Fact]
    public async Task Dispose_ThenOperations_ThrowObjectDisposed()
    {
        var sut = new SqlitePolicyStore(_db.Path);
        await sut.SetAsync(Policies.Record("example.com"));

        sut.Dispose();
        sut.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => sut.GetAsync("example.com").AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sut.SetAsync(Policies.Record("example.com")).AsTask());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Constructor_EmptyPath_Throws(string path)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SqlitePolicyStore(path));
        Assert.Equal("path", ex.ParamName);
    }

    [Fact]
    public void Constructor_NullPath_Throws()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new SqlitePolicyStore(null!));
        Assert.Equal("path", ex.ParamName);
    }

    [Fact]
    public void Constructor_RelativePath_IsResolvedNow()
    {
        using var sut = new SqlitePolicyStore("relative/policies.db");

        Assert.Equal(Path.GetFullPath("relative/policies.db"), sut.DatabasePath);
    }

    [Fact]
    public async Task SetAsync_UnwritableLocation_ThrowsNamingTheFile()
    {
        // A directory where the file should be: SQLite cannot open it.
        Directory.CreateDirectory(_db.Path);
        using var sut = new SqlitePolicyStore(_db.Path);

        var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.SetAsync(Policies.Record("example.com")).AsTask());

        Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(ex.InnerException);
    }
}
