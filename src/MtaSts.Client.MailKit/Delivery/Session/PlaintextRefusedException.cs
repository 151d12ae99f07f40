namespace MtaSts.MailKit;

/// <summary>The session transport refused to write SMTP in the clear where the policy requires TLS (defence in depth: it should never be thrown).</summary>
internal sealed class PlaintextRefusedException : IOException
{
    public PlaintextRefusedException()
    {
    }

    public PlaintextRefusedException(string message)
        : base(message)
    {
    }

    public PlaintextRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
