namespace MtaSts.Sqlite.Tests.Reporting;

/// <summary>The SQLite TLS report store on real files: counts add up, a report is marked sent once, it lives beside the policies, and every file it must not use is refused untouched.</summary>
public sealed class SqliteTlsReportStoreTests : IDisposable
{
    private static readonly DateOnly Day = new(2025, 3, 1);
    private readonly TempDatabase _db = new("mta-sts.db");

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task AddCountersAsync_SameKeyTwice_CountsAddUpPerDayAndDomain()
    {
        using var sut = new SqliteTlsReportStore(_db.Path);

        await sut.AddCountersAsync([new(Day, "example.net", "k1", 2), new(Day, "example.net", "k2", 1), new(Day, "example.org", "k1", 5), new(Day.AddDays(1), "example.net", "k1", 7)]);
        await sut.AddCountersAsync([new(Day, "example.net", "k1", 3)]);

        var counters = await sut.GetCountersAsync(Day, "example.net");
        Assert.Equal([("k1", 5L), ("k2", 1L)], counters.Select(c => (c.Key, c.Count)).OrderBy(c => c.Key, StringComparer.Ordinal));
        Assert.All(counters, c => Assert.Equal((Day, "example.net"), (c.Day, c.PolicyDomain)));
        Assert.Equal(3, (await sut.GetCountersAsync(Day)).Count);
    }

    [Fact]
    public async Task TryMarkReportSentAsync_TwoStoresOnOneFile_OnlyTheFirstMarks()
    {
        using var first = new SqliteTlsReportStore(_db.Path);
        using var second = new SqliteTlsReportStore(_db.Path);

        Assert.True(await first.TryMarkReportSentAsync(Day, "example.net"));
        Assert.False(await second.TryMarkReportSentAsync(Day, "example.net"));
        Assert.False(await first.TryMarkReportSentAsync(Day, "example.net"));
        Assert.True(await second.TryMarkReportSentAsync(Day.AddDays(1), "example.net"));
    }

    [Fact]
    public async Task AddCountersAsync_TwoStoresOnOneFile_CountsOfBothAddUp()
    {
        using var first = new SqliteTlsReportStore(_db.Path);
        using var second = new SqliteTlsReportStore(_db.Path);

        await Task.WhenAll(
            Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).AddCountersAsync([new(Day, "example.net", "k", 1)]).AsTask()));

        Assert.Equal(20, Assert.Single(await first.GetCountersAsync(Day)).Count);
    }

    [Fact]
    public async Task RemoveBeforeAsync_OlderDays_CountersAndMarksGone()
    {
        using var sut = new SqliteTlsReportStore(_db.Path);
        await sut.AddCountersAsync([new(Day.AddDays(-1), "example.net", "k", 1), new(Day, "example.net", "k", 1)]);
        await sut.TryMarkReportSentAsync(Day.AddDays(-1), "example.net");

        await sut.RemoveBeforeAsync(Day);

        Assert.Empty(await sut.GetCountersAsync(Day.AddDays(-1)));
        Assert.Single(await sut.GetCountersAsync(Day));
        Assert.True(await sut.TryMarkReportSentAsync(Day.AddDays(-1), "example.net"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SharedFile_PolicyStoreAndReportStoreInEitherOrder_BothWorkWithTheirOwnSchemaVersions(bool policiesFirst)
    {
        using var policies = new SqlitePolicyStore(_db.Path);
        using var reports = new SqliteTlsReportStore(_db.Path);
        var record = Policies.Record("example.com");

        if (policiesFirst)
        {
            await policies.SetAsync(record);
            await reports.AddCountersAsync([new(Day, "example.com", "k", 1)]);
        }
        else
        {
            await reports.AddCountersAsync([new(Day, "example.com", "k", 1)]);
            await policies.SetAsync(record);
        }

        Assert.Equal(record.PolicyText, (await policies.GetAsync("example.com"))!.PolicyText);
        Assert.Equal(1, Assert.Single(await reports.GetCountersAsync(Day)).Count);
        Assert.Equal((long)SqlitePolicyStore.SchemaVersion, _db.Execute("PRAGMA user_version"));
        Assert.Equal((long)SqliteTlsReportStore.SchemaVersion, _db.Execute("SELECT version FROM tlsrpt_schema"));
    }

    [Fact]
    public async Task AddCountersAsync_PolicyFileWithATableOfALaterPolicySchema_Accepted()
    {
        using (var policies = new SqlitePolicyStore(_db.Path))
        {
            await policies.SetAsync(Policies.Record("example.com"));
        }

        _db.Execute("CREATE TABLE policy_history (domain TEXT, seen INTEGER)");
        using var sut = new SqliteTlsReportStore(_db.Path);

        await sut.AddCountersAsync([new(Day, "example.com", "k", 1)]);

        Assert.Single(await sut.GetCountersAsync(Day));
    }

    [Fact]
    public async Task Operations_AnotherProgramsDatabase_RefusedNamingTheFile_FileUntouched()
    {
        _db.Execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
        var before = await File.ReadAllBytesAsync(_db.Path);

        using (var sut = new SqliteTlsReportStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.AddCountersAsync([new(Day, "example.net", "k", 1)]).AsTask());

            Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("another program", ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.GetCountersAsync(Day).AsTask());
            await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.TryMarkReportSentAsync(Day, "example.net").AsTask());
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task Operations_UserVersionSetWithoutPolicyTable_RefusedAsAnotherProgramsDatabase()
    {
        _db.Execute("PRAGMA user_version = 7");
        var before = await File.ReadAllBytesAsync(_db.Path);

        using (var sut = new SqliteTlsReportStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.GetCountersAsync(Day).AsTask());
            Assert.Contains("another program", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task Operations_NewerReportSchema_RefusedNamingBothVersions_FileUntouched()
    {
        _db.Execute("CREATE TABLE tlsrpt_schema (version INTEGER NOT NULL)");
        _db.Execute("INSERT INTO tlsrpt_schema VALUES (99)");
        _db.Execute("CREATE TABLE tlsrpt_counters (day INTEGER, future TEXT)");
        var before = await File.ReadAllBytesAsync(_db.Path);

        using (var sut = new SqliteTlsReportStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.AddCountersAsync([new(Day, "example.net", "k", 1)]).AsTask());

            Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"up to {SqliteTlsReportStore.SchemaVersion}", ex.Message, StringComparison.Ordinal);
            Assert.Equal(99, ex.SchemaVersion);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task Operations_FileOfRandomBytes_RefusedNamingTheFile_FileUntouched()
    {
        var garbage = new byte[8192];
        new Random(8460).NextBytes(garbage);
        await File.WriteAllBytesAsync(_db.Path, garbage);

        using (var sut = new SqliteTlsReportStore(_db.Path))
        {
            var ex = await Assert.ThrowsAsync<SqlitePolicyStoreException>(() => sut.GetCountersAsync(Day).AsTask());
            Assert.Contains(_db.Path, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(garbage, await File.ReadAllBytesAsync(_db.Path));
    }

    [Fact]
    public async Task GetCountersAsync_TamperedRows_SkippedNotThrown()
    {
        using var sut = new SqliteTlsReportStore(_db.Path);
        await sut.AddCountersAsync([new(Day, "example.net", "good", 4)]);
        _db.Update($"INSERT INTO tlsrpt_counters VALUES ({Day.DayNumber}, 'example.net', 'text-count', 'many')");
        _db.Update($"INSERT INTO tlsrpt_counters VALUES ({Day.DayNumber}, 'example.net', x'00ff', 1)");

        var counter = Assert.Single(await sut.GetCountersAsync(Day));

        Assert.Equal(("good", 4L), (counter.Key, counter.Count));
    }

    [Fact]
    public async Task Operations_AfterDispose_ThrowObjectDisposed()
    {
        var sut = new SqliteTlsReportStore(_db.Path);
        sut.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => sut.GetCountersAsync(Day).AsTask());
    }
}
