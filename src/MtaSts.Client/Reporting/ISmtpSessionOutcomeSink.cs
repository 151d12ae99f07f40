namespace MtaSts;

/// <summary>Receives the outcome of every SMTP session made under MTA-STS; the TLS-RPT collector is one.</summary>
public interface ISmtpSessionOutcomeSink
{
    /// <summary>Records one session's outcome. Called on the delivery path: implementations must be fast and must not throw.</summary>
    /// <param name="outcome">The outcome.</param>
    void Record(SmtpSessionOutcome outcome);
}
