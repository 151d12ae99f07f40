namespace MtaSts.Tool.Commands;

/// <summary>Which failure reason codes mean that the answer is unknown (exit 3) rather than known to be bad (exit 1).</summary>
internal static class ResolutionCodes
{
    /// <summary>DNS failures and timeouts: the network did not answer, so nothing was learnt about the domain.</summary>
    public static bool IsIncomplete(string? reasonCode) =>
        reasonCode is not null
        && (reasonCode.StartsWith("dns-", StringComparison.Ordinal)
            || reasonCode is "timeout" or "connect-timeout" or "policy-host-dns-failure");

    public static string Status(PolicyResolutionStatus status) => status switch
    {
        PolicyResolutionStatus.Fetched => "fetched",
        PolicyResolutionStatus.Cached => "cached",
        PolicyResolutionStatus.TemporaryFailure => "temporary-failure",
        _ => "no-policy",
    };
}
