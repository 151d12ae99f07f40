namespace MtaSts.Sqlite.Tests;

public sealed partial class SqlitePolicyStoreTests
{
    [Fact]
    public async Task ConcurrentWritersAndReaders_EveryWriteLandsAndReadsSeeWholeRecords()
    {
        // Two store instances on one file, as two processes would have, each with several writer and reader tasks.
        using var a = new SqlitePolicyStore(_db.Path);
        using var b = new SqlitePolicyStore(_db.Path);
        const int Writers = 8;
        const int PerWriter = 40;
        using var done = new CancellationTokenSource();

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? a : b;
            for (var i = 0; i < PerWriter; i++)
            {
                await store.SetAsync(Policies.Record($"w{w}-{i}.example", $"w{w}i{i}"));

                // Rewrites of one shared domain from every writer: the last one wins, never a mix of two.
                await store.SetAsync(Policies.Record("shared.example", $"w{w}i{i}"));
            }
        })).ToArray();

        var torn = 0;
        var reads = 0;
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var store = r % 2 == 0 ? a : b;

            // At least one pass each, however the tasks are scheduled.
            do
            {
                if (await store.GetAsync("shared.example") is { } shared && shared != Policies.Record("shared.example", shared.PolicyId))
                {
                    Interlocked.Increment(ref torn);
                }

                await foreach (var record in store.ListAsync())
                {
                    if (record != Policies.Record(record.PolicyDomain, record.PolicyId))
                    {
                        Interlocked.Increment(ref torn);
                    }
                }

                Interlocked.Increment(ref reads);
            }
            while (!done.IsCancellationRequested);
        })).ToArray();

        await Task.WhenAll(writers);
        await done.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(0, torn);
        Assert.True(reads >= 4);
        Assert.Equal((Writers * PerWriter) + 1, _db.Count());
        Assert.EndsWith($"i{PerWriter - 1}", (await a.GetAsync("shared.example"))!.PolicyId, StringComparison.Ordinal);
        for (var w = 0; w < Writers; w++)
        {
            for (var i = 0; i < PerWriter; i++)
            {
                Assert.Equal($"w{w}i{i}", (await b.GetAsync($"w{w}-{i}.example"))?.PolicyId);
            }
        }
    }
}
