namespace MtaSts.Sqlite.Tests;

/// <summary>Valid stored records for the tests.</summary>
internal static class Policies
{
    /// <summary>The time the tests' fake clocks start at; records are fetched an hour before.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    public static string Text(string mx = "mx.example.net", long maxAge = 86400, string mode = "enforce") =>
        $"version: STSv1\nmode: {mode}\nmx: {mx}\nmax_age: {maxAge}\n";

    /// <summary>A record the resolver accepts at <see cref="Now"/>.</summary>
    public static StoredPolicyRecord Record(string domain, string id = "A1", long maxAge = 86400)
    {
        var fetchedAt = Now.AddHours(-1);
        return new StoredPolicyRecord(domain, id, Text("mx." + domain, maxAge), fetchedAt, fetchedAt.AddSeconds(maxAge), fetchedAt);
    }
}
