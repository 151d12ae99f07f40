namespace MtaSts;

/// <summary>A DNS lookup failed temporarily (SERVFAIL, REFUSED, timeout).</summary>
internal sealed class DnsLookupException : Exception
{
    public DnsLookupException()
    {
    }

    public DnsLookupException(string message)
        : base(message)
    {
    }

    public DnsLookupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
