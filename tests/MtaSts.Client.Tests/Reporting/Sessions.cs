using System.Net;

namespace MtaSts.Tests.Reporting;

/// <summary>Builds the resolutions and session outcomes the delivery agent would hand the collector.</summary>
internal static class Sessions
{
    public static readonly IPAddress SendingAddress = IPAddress.Parse("192.0.2.10");

    public static MtaStsPolicy Policy(string mode, params string[] mx) =>
        MtaStsPolicy.Parse($"version: STSv1\nmode: {mode}\n{string.Concat(mx.Select(m => $"mx: {m}\n"))}max_age: 86400\n");

    public static PolicyResolution Under(string domain, MtaStsPolicy policy, TlsRptResultType? failure = null, string? reason = null) =>
        new(domain, PolicyResolutionStatus.Cached, policy, "id1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch + policy.MaxAge, failure, reason);

    public static PolicyResolution NoPolicy(string domain, TlsRptResultType? failure = null, string? reason = null) =>
        new(domain, PolicyResolutionStatus.NoPolicy, failureResultType: failure, failureReasonCode: reason);

    public static SmtpSessionOutcome Success(PolicyResolution resolution, string mx, string receivingIp, DateTimeOffset at) =>
        new(resolution.PolicyDomain, resolution, mx)
        {
            Succeeded = true,
            SendingAddress = SendingAddress,
            ReceivingAddress = IPAddress.Parse(receivingIp),
            Delivered = true,
            Timestamp = at,
        };

    public static SmtpSessionOutcome Failure(PolicyResolution resolution, string mx, string receivingIp, TlsRptResultType type, string reason, DateTimeOffset at, string? helo = null) =>
        new(resolution.PolicyDomain, resolution, mx)
        {
            ResultType = type,
            FailureReasonCode = reason,
            SendingAddress = SendingAddress,
            ReceivingAddress = IPAddress.Parse(receivingIp),
            ReceivingHelo = helo,
            Timestamp = at,
        };

    /// <summary>A session that ended without TLS and without a result type: plaintext under no policy, or a network error under one.</summary>
    public static SmtpSessionOutcome WithoutTls(PolicyResolution resolution, string mx, string receivingIp, DateTimeOffset at) =>
        new(resolution.PolicyDomain, resolution, mx)
        {
            SendingAddress = SendingAddress,
            ReceivingAddress = IPAddress.Parse(receivingIp),
            Timestamp = at,
        };
}
