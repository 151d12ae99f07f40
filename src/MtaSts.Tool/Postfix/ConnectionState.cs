namespace MtaSts.Tool.Postfix;

/// <summary>What a connection is waiting for; the watchdog applies the limit of each state.</summary>
internal enum ConnectionState
{
    /// <summary>Between requests: closed after the idle timeout (Postfix itself closes idle connections after 10 s).</summary>
    Idle,

    /// <summary>Part of a request has arrived: the rest must come within the request timeout.</summary>
    Reading,

    /// <summary>Waiting for the resolver (bounded by the resolver's own DNS and fetch budgets).</summary>
    Resolving,

    /// <summary>Sending replies: the client must take them within the request timeout.</summary>
    Writing,

    /// <summary>Done.</summary>
    Closed,
}
