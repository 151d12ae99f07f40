using System.Globalization;

namespace MtaSts.Benchmarks;

/// <summary>
/// Issue 11: memory per cached policy at 1,000,000 typical policies, measured in a real process (this one) rather than by
/// BenchmarkDotNet. Method: force a full blocking garbage collection, read <see cref="GC.GetTotalMemory(bool)"/>, fill a
/// resolver's cache with N domains through <c>ResolveAsync</c> (DNS and fetch answered from memory: most domains use one of
/// four providers' policies, one in twenty has its own), collect again, and divide the growth by N. The growth includes
/// everything the cache holds per domain: the dictionary node, the domain name, the entry, the resolution handed out on
/// hits, the policy id, the refresh schedule's slot, and each domain's share of the policies. The domain-name array the
/// harness keeps for the benchmark is subtracted.
/// </summary>
internal static class PolicyMemoryMeasurement
{
    public const int Target = 512;

    public static int Run(string[] args)
    {
        var count = args.Length > 1 && int.TryParse(args[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1_000_000;
        var results = new List<string>();
        foreach (var withoutPolicy in new[] { false, true })
        {
            var before = Collect();
            using var harness = new ResolverHarness(count, withoutPolicy);
            var names = harness.Domains.Sum(d => 22 + (2 * d.Length)) + (8L * harness.Domains.Length) + 24;
            var after = Collect();
            var perDomain = (double)(after - before - names) / count;
            var kind = withoutPolicy ? "cached \"no policy\" answers" : "cached policies";
            results.Add(string.Create(CultureInfo.InvariantCulture, $"| {count:N0} {kind} | {perDomain:F0} B | {(withoutPolicy ? "—" : perDomain <= Target ? $"≤ {Target} B: met" : $"≤ {Target} B: NOT met")} |"));
            GC.KeepAlive(harness);
        }

        Console.WriteLine("| what | bytes per domain | target |");
        Console.WriteLine("|---|---|---|");
        results.ForEach(Console.WriteLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\n.NET {Environment.Version}, {Environment.ProcessorCount} logical cores, server GC: {System.Runtime.GCSettings.IsServerGC}"));
        return 0;
    }

    private static long Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
