using System.Net;

namespace MtaSts;

/// <summary>
/// What identifies one <c>failure-details</c> entry (RFC 8460 §4.4): result type, sending address, MX host, receiving
/// address, greeting name and reason code. A struct compared field by field, so that a lookup allocates nothing.
/// </summary>
internal readonly struct FailureDetailKey : IEquatable<FailureDetailKey>
{
    public FailureDetailKey(TlsRptResultType resultType, IPAddress? sendingAddress, string mxHost, IPAddress? receivingAddress, string? helo, string? reasonCode)
    {
        ResultType = resultType;
        SendingAddress = sendingAddress;
        MxHost = mxHost;
        ReceivingAddress = receivingAddress;
        Helo = helo;
        ReasonCode = reasonCode;
    }

    public TlsRptResultType ResultType { get; }

    public IPAddress? SendingAddress { get; }

    public string MxHost { get; }

    public IPAddress? ReceivingAddress { get; }

    public string? Helo { get; }

    public string? ReasonCode { get; }

    public bool Equals(FailureDetailKey other) =>
        ResultType == other.ResultType
        && string.Equals(MxHost, other.MxHost, StringComparison.Ordinal)
        && Equals(ReceivingAddress, other.ReceivingAddress)
        && Equals(SendingAddress, other.SendingAddress)
        && string.Equals(ReasonCode, other.ReasonCode, StringComparison.Ordinal)
        && string.Equals(Helo, other.Helo, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is FailureDetailKey other && Equals(other);

    // Cheap on the delivery path: IPAddress caches its hash code, and the strings count by length only (Equals settles the
    // rare collision among a policy's few failure kinds). The sending address and the greeting rarely vary for one MX host.
    public override int GetHashCode() => HashCode.Combine(ResultType, ReceivingAddress, MxHost.Length, ReasonCode?.Length ?? -1);
}
