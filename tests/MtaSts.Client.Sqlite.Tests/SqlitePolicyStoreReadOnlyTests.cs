using System.Security.Cryptography;

namespace MtaSts.Sqlite.Tests;

/// <summary><see cref="SqlitePolicyStore.OpenReadOnly"/>: reads what writers committed and never changes or creates a file.</summary>
public sealed class SqlitePolicyStoreReadOnlyTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task OpenReadOnly_ClosedStore_ReadsEveryRecordAndLeavesTheDirectoryAsItWas()
    {
        await WriteAsync(Policies.Record("a.example"), Policies.Record("b.example", "B2"));
        var before = Snapshot();

        using (var sut = SqlitePolicyStore.OpenReadOnly(_db.Path))
        {
            Assert.True(sut.IsReadOnly);
            Assert.Equal(Policies.Record("b.example", "B2"), await sut.GetAsync("b.example"));
            Assert.Null(await sut.GetAsync("c.example"));
            var all = await sut.ListAsync().ToListAsync();
            Assert.Equal(["a.example", "b.example"], all.Select(r => r.PolicyDomain).Order());
        }

        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task OpenReadOnly_WhileAWriterHasTheFileOpen_SeesItsCommittedWrites()
    {
        using var writer = new SqlitePolicyStore(_db.Path);
        await writer.SetAsync(Policies.Record("a.example"));
        using var sut = SqlitePolicyStore.OpenReadOnly(_db.Path);
        Assert.NotNull(await sut.GetAsync("a.example"));

        await writer.SetAsync(Policies.Record("b.example"));

        Assert.Equal(Policies.Record("b.example"), await sut.GetAsync("b.example"));
    }

    [Fact]
    public async Task SetAndRemove_ReadOnlyStore_ThrowAndChangeNothing()
    {
        await WriteAsync(Policies.Record("a.example"));
        var before = Snapshot();
        using var sut = SqlitePolicyStore.OpenReadOnly(_db.Path);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await sut.SetAsync(Policies.Record("b.example")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await sut.RemoveAsync("a.example"));

        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task OpenReadOnly_MissingFile_ThrowsNamingTheFileAndCreatesNothing()
    {
        using var sut = SqlitePolicyStore.OpenReadOnly(_db.Path);

        var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(async () => await sut.GetAsync("a.example"));

        Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_db.Directory));
    }

    [Fact]
    public async Task OpenReadOnly_EmptyOrForeignFile_ThrowsAndLeavesItUntouched()
    {
        await File.WriteAllBytesAsync(_db.Path, []);
        using (var sut = SqlitePolicyStore.OpenReadOnly(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(async () => await sut.ListAsync().ToListAsync());
            Assert.Contains("not an MTA-STS policy database", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, new FileInfo(_db.Path).Length);

        await File.WriteAllTextAsync(_db.Path, "this is not a database, just text that is long enough to have a header of sorts");
        var before = Snapshot();
        using (var sut = SqlitePolicyStore.OpenReadOnly(_db.Path))
        {
            await Assert.ThrowsAsync<SqlitePolicyStoreException>(async () => await sut.GetAsync("a.example"));
        }

        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task OpenReadOnly_NewerSchema_Throws()
    {
        await WriteAsync(Policies.Record("a.example"));
        _db.Update("PRAGMA user_version = 99");
        var before = Snapshot();
        using var sut = SqlitePolicyStore.OpenReadOnly(_db.Path);

        var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(async () => await sut.GetAsync("a.example"));

        Assert.Equal(99, ex.SchemaVersion);
        Assert.Equal(before, Snapshot());
    }

    private async Task WriteAsync(params StoredPolicyRecord[] records)
    {
        using var writer = new SqlitePolicyStore(_db.Path);
        foreach (var record in records)
        {
            await writer.SetAsync(record);
        }
    }

    /// <summary>Every file in the directory with the SHA-256 of its content.</summary>
    private string Snapshot() => string.Join(
        "\n",
        Directory.GetFiles(_db.Directory).Order(StringComparer.Ordinal)
            .Select(f => Path.GetFileName(f) + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));
}
