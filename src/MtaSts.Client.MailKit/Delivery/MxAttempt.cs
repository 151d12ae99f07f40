using System.Net;

namespace MtaSts.MailKit;

/// <summary>One try at one MX host.</summary>
/// <param name="MxHost">The MX host name.</param>
/// <param name="Address">The address connected to, when a connection was made.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="ResultType">The TLS-RPT result type when the host failed the policy; otherwise <see langword="null"/>.</param>
/// <param name="Detail">A reason code or the server's reply.</param>
public sealed record MxAttempt(string MxHost, IPAddress? Address, MxAttemptOutcome Outcome, TlsRptResultType? ResultType, string? Detail);
