namespace MtaSts;

/// <summary>
/// One entry of a policy's <c>failure-details</c> in a TLS report (RFC 8460 §4.4): a result type, the hosts involved
/// and how many sessions failed that way. Immutable.
/// </summary>
/// <remarks>
/// Reports written by this package always carry <see cref="ReceivingMxHostname"/>, and <see cref="SendingMtaIp"/> and
/// <see cref="ReceivingIp"/> whenever the session knew them. Reports of other implementations may omit any of them or send
/// empty strings; an empty string is read as absent (<see langword="null"/>).
/// </remarks>
public sealed class TlsReportFailureDetail
{
    internal TlsReportFailureDetail(
        string resultType,
        string? sendingMtaIp,
        string? receivingMxHostname,
        string? receivingMxHelo,
        string? receivingIp,
        long failedSessionCount,
        string? additionalInformation,
        string? failureReasonCode)
    {
        ResultType = resultType;
        SendingMtaIp = sendingMtaIp;
        ReceivingMxHostname = receivingMxHostname;
        ReceivingMxHelo = receivingMxHelo;
        ReceivingIp = receivingIp;
        FailedSessionCount = failedSessionCount;
        AdditionalInformation = additionalInformation;
        FailureReasonCode = failureReasonCode;
    }

    /// <summary>Gets the <c>result-type</c>, such as <c>certificate-expired</c> (RFC 8460 §4.3; <see cref="TlsRptResultTypeExtensions.ToResultTypeString"/>).</summary>
    /// <value>Kept as written: a report from another implementation may use a type this package does not know.</value>
    public string ResultType { get; }

    /// <summary>Gets the <c>sending-mta-ip</c>: the address the session was made from.</summary>
    public string? SendingMtaIp { get; }

    /// <summary>Gets the <c>receiving-mx-hostname</c>: the MX host name as found in the MX record.</summary>
    public string? ReceivingMxHostname { get; }

    /// <summary>Gets the <c>receiving-mx-helo</c>: the name in the server's greeting, when known.</summary>
    public string? ReceivingMxHelo { get; }

    /// <summary>Gets the <c>receiving-ip</c>: the address connected to.</summary>
    public string? ReceivingIp { get; }

    /// <summary>Gets the <c>failed-session-count</c>: how many sessions failed this way.</summary>
    public long FailedSessionCount { get; }

    /// <summary>Gets the <c>additional-information</c> URI, if any.</summary>
    public string? AdditionalInformation { get; }

    /// <summary>Gets the <c>failure-reason-code</c>, such as <c>mx-not-in-policy</c>. Read from <c>failure-error-code</c> too (an early draft's name).</summary>
    public string? FailureReasonCode { get; }
}
