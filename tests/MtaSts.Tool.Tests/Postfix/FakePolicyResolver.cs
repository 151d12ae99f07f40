namespace MtaSts.Tool.Tests.Postfix;

/// <summary>A resolver at the library's public seam: answers from a table, synchronously or when the test releases it.</summary>
internal sealed class FakePolicyResolver : IMtaStsPolicyResolver
{
    private readonly Dictionary<string, Func<PolicyResolution>> _answers = new(StringComparer.Ordinal);

    public List<string> Resolved { get; } = [];

    /// <summary>When set, resolutions wait for it (a cache miss going to the network).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public void Set(string domain, Func<PolicyResolution> answer) => _answers[domain] = answer;

    public ValueTask<PolicyResolution> ResolveAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        Resolved.Add(policyDomain);
        var answer = _answers.TryGetValue(policyDomain, out var a) ? a : () => new PolicyResolution(policyDomain, PolicyResolutionStatus.NoPolicy);
        return Gate is { } gate ? WaitAsync(gate, answer) : ValueTask.FromResult(answer());
    }

    public ValueTask<PolicyResolution> RecheckAsync(string policyDomain, CancellationToken cancellationToken = default) =>
        ResolveAsync(policyDomain, cancellationToken);

    private static async ValueTask<PolicyResolution> WaitAsync(TaskCompletionSource gate, Func<PolicyResolution> answer)
    {
        await gate.Task;
        return answer();
    }
}
