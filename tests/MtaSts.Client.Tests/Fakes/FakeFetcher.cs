using System.Collections.Concurrent;

namespace MtaSts.Tests.Fakes;

/// <summary>A hand-written <see cref="IPolicyFetcher"/>: results set per domain, every fetch counted.</summary>
internal sealed class FakeFetcher : IPolicyFetcher
{
    private readonly ConcurrentDictionary<string, Func<PolicyFetchResult>> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public TaskCompletionSource? Gate { get; set; }

    public int Fetches(string domain) => _counts.TryGetValue(domain, out var n) ? n : 0;

    public int TotalFetches => _counts.Values.Sum();

    public void SetPolicy(string domain, string mode = "enforce", long maxAge = 86400, string mx = "mx.example.com") =>
        _results[domain] = () => PolicyFetchResult.Success(MtaStsPolicy.Parse(
            $"version: STSv1\nmode: {mode}\nmax_age: {maxAge}\n" + (mode == "none" ? "" : $"mx: {mx}\n")));

    public void SetResult(string domain, PolicyFetchResult result) => _results[domain] = () => result;

    /// <summary>Answers fetches for <paramref name="domain"/> with <paramref name="result"/>, run at fetch time (to change the world mid-fetch).</summary>
    public void SetResult(string domain, Func<PolicyFetchResult> result) => _results[domain] = result;

    public async Task<PolicyFetchResult> FetchAsync(string policyDomain, CancellationToken cancellationToken)
    {
        _counts.AddOrUpdate(policyDomain, 1, (_, n) => n + 1);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return _results.TryGetValue(policyDomain, out var result) ? result() : PolicyFetchResult.FetchError("http-status-404");
    }
}
