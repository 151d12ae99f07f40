namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>What a proxy does with a client command.</summary>
internal enum ProxyCommandResult
{
    /// <summary>Send it to the upstream server, which answers it.</summary>
    Forward,

    /// <summary>The proxy answered it itself; nothing goes upstream.</summary>
    Handled,

    /// <summary>End the connection (for example after a failed TLS handshake).</summary>
    CloseConnection,
}
