namespace MtaSts;

/// <summary>The policy host resolved only to addresses that <see cref="AddressGuard"/> refuses, or to none.</summary>
internal sealed class PolicyHostRefusedException : Exception
{
    public PolicyHostRefusedException()
    {
    }

    public PolicyHostRefusedException(string message)
        : base(message)
    {
    }

    public PolicyHostRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the reason code for TLS-RPT, such as <c>address-refused-loopback</c>.</summary>
    public string ReasonCode { get; init; } = "address-refused";
}
