namespace MtaSts.MailKit;

/// <summary>Delivery to an MX host was refused because it would break an enforced MTA-STS policy.</summary>
public sealed class MtaStsDeliveryException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="MtaStsDeliveryException"/> class.</summary>
    public MtaStsDeliveryException()
        : base("Delivery was refused under an enforced MTA-STS policy.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsDeliveryException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public MtaStsDeliveryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsDeliveryException"/> class with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MtaStsDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsDeliveryException"/> class for a refused MX host.</summary>
    /// <param name="policyDomain">The policy domain.</param>
    /// <param name="mxHost">The MX host refused.</param>
    /// <param name="resultType">Why, as a TLS-RPT result type.</param>
    /// <param name="reasonCode">Why, as a reason code.</param>
    public MtaStsDeliveryException(string policyDomain, string mxHost, TlsRptResultType resultType, string reasonCode)
        : base($"Delivery to {mxHost} for {policyDomain} was refused under its enforced MTA-STS policy: {resultType.ToResultTypeString()} ({reasonCode}).")
    {
        PolicyDomain = policyDomain;
        MxHost = mxHost;
        ResultType = resultType;
        ReasonCode = reasonCode;
    }

    /// <summary>Initializes a new instance of the <see cref="MtaStsDeliveryException"/> class for an MX host refused for a reason the message states (DANE, say).</summary>
    internal MtaStsDeliveryException(string message, string policyDomain, string mxHost, TlsRptResultType resultType, string reasonCode)
        : base(message)
    {
        PolicyDomain = policyDomain;
        MxHost = mxHost;
        ResultType = resultType;
        ReasonCode = reasonCode;
    }

    /// <summary>Gets the policy domain.</summary>
    public string? PolicyDomain { get; }

    /// <summary>Gets the MX host that was refused.</summary>
    public string? MxHost { get; }

    /// <summary>Gets the TLS-RPT result type of the refusal.</summary>
    public TlsRptResultType? ResultType { get; }

    /// <summary>Gets the reason code of the refusal.</summary>
    public string? ReasonCode { get; }
}
