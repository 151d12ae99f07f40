namespace MtaSts.Sqlite.Tests;

/// <summary>Files the store must not use: every operation fails clearly, and not one byte of the file changes.</summary>
public sealed class SqlitePolicyStoreRefusalTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> Operations() => ["get", "set", "remove", "list"];

    [Theory]
    [InlineData("delete")]
    [InlineData("wal")]
    public async Task AllOperations_NewerSchemaVersion_RefusedNamingFileAndVersions_FileUntouched(string journalMode)
    {
        _db.Execute($"PRAGMA journal_mode = {journalMode}");
        _db.Execute("CREATE TABLE policies (domain TEXT PRIMARY KEY, payload BLOB, something_new TEXT)");
        _db.Execute("INSERT INTO policies VALUES ('example.com', x'00ff', 'v99 data')");
        _db.Execute("PRAGMA user_version = 99");
        var before = await File.ReadAllBytesAsync(_db.Path);

        using (var sut = new SqlitePolicyStore(_db.Path))
        {
            foreach (var operation in Operations())
            {
                var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => Run(sut, operation));

                Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
                Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
                Assert.Contains("up to 1", ex.Message, StringComparison.Ordinal);
                Assert.Equal(99, ex.SchemaVersion);
                Assert.Equal(_db.Path, ex.DatabasePath);
            }
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(_db.Path));
        Assert.Equal(99L, _db.Execute("PRAGMA user_version"));
        Assert.Equal("v99 data", _db.Execute("SELECT something_new FROM policies"));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Operation_FileOfRandomBytes_RefusedNamingTheFile_FileUntouched(string operation)
    {
        var garbage = new byte[16384];
        new Random(8461).NextBytes(garbage);
        await File.WriteAllBytesAsync(_db.Path, garbage);

        using (var sut = new SqlitePolicyStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => Run(sut, operation));

            Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("not a database", ex.Message, StringComparison.Ordinal);
            Assert.Equal(_db.Path, ex.DatabasePath);
            Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(ex.InnerException);
        }

        Assert.Equal(garbage, await File.ReadAllBytesAsync(_db.Path));
        Assert.Equal([_db.Path], Directory.GetFiles(_db.Directory));
    }

    [Fact]
    public async Task GetAsync_DamagedTablePage_RefusedNamingTheFile_FileUntouched()
    {
        using (var writer = new SqlitePolicyStore(_db.Path))
        {
            await writer.SetManyAsync(Enumerable.Range(0, 200).Select(i => Policies.Record($"d{i}.example")));
        }

        // A valid header and schema, but the table's pages overwritten: what a torn disk or a stray write leaves.
        var bytes = await File.ReadAllBytesAsync(_db.Path);
        var pageSize = (bytes[16] << 8) | bytes[17];
        new Random(1).NextBytes(bytes.AsSpan(pageSize));
        await File.WriteAllBytesAsync(_db.Path, bytes);

        using (var sut = new SqlitePolicyStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(async () =>
            {
                for (var i = 0; i < 200; i++)
                {
                    await sut.GetAsync($"d{i}.example");
                }
            });

            Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task SetAsync_AnotherProgramsDatabase_RefusedNamingTheFile_FileUntouched()
    {
        _db.Execute("CREATE TABLE users (name TEXT)");
        _db.Execute("INSERT INTO users VALUES ('alice')");
        var before = await File.ReadAllBytesAsync(_db.Path);

        using (var sut = new SqlitePolicyStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.SetAsync(Policies.Record("example.com")).AsTask());

            Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("another program", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task SetAsync_FileFixedAfterARefusal_IsUsedWithoutARestart()
    {
        await File.WriteAllBytesAsync(_db.Path, [1, 2, 3, 4]);
        using var sut = new SqlitePolicyStore(_db.Path);
        await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.SetAsync(Policies.Record("example.com")).AsTask());

        // The operator moves the bad file away; the same store instance then creates a fresh database.
        File.Move(_db.Path, _db.Path + ".bad");
        await sut.SetAsync(Policies.Record("example.com"));

        Assert.Equal(Policies.Record("example.com"), await sut.GetAsync("example.com"));
    }

    private static async Task Run(SqlitePolicyStore store, string operation)
    {
        switch (operation)
        {
            case "get":
                await store.GetAsync("example.com");
                break;
            case "set":
                await store.SetAsync(Policies.Record("example.com"));
                break;
            case "remove":
                await store.RemoveAsync("example.com");
                break;
            default:
                await foreach (var record in store.ListAsync())
                {
                    Assert.Fail($"Unexpected record {record}.");
                }

                break;
        }
    }
}
