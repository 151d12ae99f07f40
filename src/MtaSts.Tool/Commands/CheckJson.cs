using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

/// <summary>The JSON document of <c>mta-sts check</c> (docs/cli.md lists every field).</summary>
internal sealed record CheckJson(
    string Domain,
    CheckJson.StsRecord MtaStsRecord,
    CheckJson.Fetch? PolicyFetch,
    CheckJson.PolicyCheck? Policy,
    CheckJson.Resolution Decision,
    CheckJson.MxSet Mx,
    CheckJson.TlsRpt? TlsRptRecord,
    CheckJson.Outcome Verdict,
    int ExitCode)
{
    internal sealed record TxtRecord(string Text, bool IsCandidate, bool IsValid);

    internal sealed record StsRecord(string QueryName, string Outcome, string? DnsError, IReadOnlyList<TxtRecord> Records, string? Id, string? Problem);

    internal sealed record TlsRpt(string QueryName, string Outcome, string? DnsError, IReadOnlyList<TxtRecord> Records, IReadOnlyList<string> ReportUris, string? Problem);

    internal sealed record Certificate(
        string Subject,
        IReadOnlyList<string> Names,
        string Issuer,
        DateTimeOffset NotBefore,
        DateTimeOffset NotAfter,
        int DaysToExpiry,
        string Verdict,
        string? ReasonCode);

    internal sealed record Fetch(
        string Url,
        int? StatusCode,
        string? ContentType,
        int? BodyLength,
        long ElapsedMilliseconds,
        Certificate? Certificate,
        bool Succeeded,
        string? FailureResultType,
        string? FailureReasonCode);

    internal sealed record PolicyCheck(bool Valid, PolicyJson? Parsed, IReadOnlyList<ProblemJson> Problems);

    internal sealed record Resolution(string Status, string Mode, string? PolicyId, string? FailureResultType, string? FailureReasonCode);

    internal sealed record Probe(
        string Address,
        bool Connected,
        string? Error,
        string? Greeting,
        IReadOnlyList<string> Capabilities,
        bool StartTlsOffered,
        string? TlsVersion,
        string? CipherSuite,
        Certificate? Certificate,
        bool Passed,
        string? ResultType,
        string? ReasonCode,
        IReadOnlyList<string> Commands);

    internal sealed record MxHost(
        string Host,
        int Preference,
        bool? MatchesPolicy,
        string? MatchedPattern,
        string AddressOutcome,
        string? AddressError,
        IReadOnlyList<string> Addresses,
        IReadOnlyList<Probe> Probes,
        string? ResultType,
        string? ReasonCode,
        Dane Dane,
        string GovernedBy);

    /// <summary>An MX host's DANE status (RFC 7672 §2.2) and its TLSA records.</summary>
    internal sealed record Dane(string Status, string? TlsaBaseDomain, IReadOnlyList<string> Records, string? Error);

    internal sealed record MxSet(string Outcome, string? DnsError, bool IsNullMx, bool IsImplicit, bool DomainDoesNotExist, IReadOnlyList<MxHost> Hosts);

    internal sealed record Report(string MxHost, string? Address, string Result, string? ReasonCode);

    internal sealed record Outcome(
        bool? Deliverable,
        string Delivery,
        string PolicyType,
        IReadOnlyList<Report> Reports,
        IReadOnlyList<string> Findings,
        IReadOnlyList<string> Incomplete,
        IReadOnlyList<string> Warnings);
}
