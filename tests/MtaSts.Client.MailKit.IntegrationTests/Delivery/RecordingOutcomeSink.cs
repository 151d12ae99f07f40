using System.Collections.Concurrent;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>An <see cref="ISmtpSessionOutcomeSink"/> that keeps every outcome it is given, in order.</summary>
public sealed class RecordingOutcomeSink : ISmtpSessionOutcomeSink
{
    private readonly ConcurrentQueue<SmtpSessionOutcome> _outcomes = new();

    /// <summary>Every outcome recorded so far.</summary>
    public IReadOnlyList<SmtpSessionOutcome> Outcomes => [.. _outcomes];

    /// <summary>The outcomes recorded for <paramref name="mxHost"/>.</summary>
    public IReadOnlyList<SmtpSessionOutcome> For(string mxHost) =>
        [.. _outcomes.Where(o => string.Equals(o.MxHost, mxHost, StringComparison.OrdinalIgnoreCase))];

    /// <inheritdoc/>
    public void Record(SmtpSessionOutcome outcome) => _outcomes.Enqueue(outcome);
}
