namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// One reply a proxy session owes its client, in command order: either one the upstream server will send (to a
/// forwarded command) or one the proxy makes itself. Completes with the reply code once written to the client.
/// </summary>
internal sealed class PendingReply
{
    private PendingReply(string? verb, IReadOnlyList<string>? localLines)
    {
        Verb = verb;
        LocalLines = localLines;
    }

    /// <summary>The forwarded command's verb in upper case (<c>.</c> for the end of DATA), or <see langword="null"/> for a local reply.</summary>
    public string? Verb { get; }

    /// <summary>The reply the proxy sends itself, or <see langword="null"/> when the upstream server answers.</summary>
    public IReadOnlyList<string>? LocalLines { get; }

    public bool IsLocal => LocalLines is not null;

    /// <summary>Completes with the reply code once the reply was written to the client; cancelled when it never will be.</summary>
    public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static PendingReply Forwarded(string verb) => new(verb, null);

    public static PendingReply Local(IReadOnlyList<string> lines) => new(null, lines);
}
