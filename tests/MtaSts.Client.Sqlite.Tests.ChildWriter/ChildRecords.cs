namespace MtaSts.Sqlite.ChildWriter;

/// <summary>The records the child writes, so that the test can tell exactly what each one must read back as.</summary>
public static class ChildRecords
{
    /// <summary>When record 0 was fetched; record <c>i</c> was fetched <c>i</c> seconds later.</summary>
    public static readonly DateTimeOffset BaseTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>One year, so every record is still valid when read back a day later.</summary>
    public const long MaxAgeSeconds = 31557600;

    public static string Domain(int index) => $"c{index}.crash.example";

    public static StoredPolicyRecord Create(int index)
    {
        // Sub-millisecond ticks on purpose: the store must keep times exactly.
        var fetchedAt = BaseTime.AddSeconds(index).AddTicks(1234);
        var text = $"version: STSv1\nmode: enforce\nmx: mx{index}.crash.example\nmax_age: {MaxAgeSeconds}\n";
        return new StoredPolicyRecord(Domain(index), $"id{index}", text, fetchedAt, fetchedAt.AddSeconds(MaxAgeSeconds), fetchedAt);
    }
}
