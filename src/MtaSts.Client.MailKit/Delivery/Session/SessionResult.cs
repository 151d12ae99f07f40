using System.Security.Authentication;

namespace MtaSts.MailKit;

/// <summary>How one SMTP session to one address ended.</summary>
/// <param name="Attempt">The record of it.</param>
/// <param name="ReachedSmtp"><see langword="false"/> when no TCP connection was made: the host's next address is worth a try.</param>
/// <param name="RetryInPlaintext"><see langword="true"/> when opportunistic TLS failed (STARTTLS refused, handshake failed): a plaintext session follows (issue-8 rule 5).</param>
/// <param name="TlsProtocol">The TLS protocol of a session that delivered.</param>
/// <param name="CipherSuite">The cipher suite of a session that delivered.</param>
internal sealed record SessionResult(MxAttempt Attempt, bool ReachedSmtp, bool RetryInPlaintext = false, SslProtocols? TlsProtocol = null, string? CipherSuite = null);
