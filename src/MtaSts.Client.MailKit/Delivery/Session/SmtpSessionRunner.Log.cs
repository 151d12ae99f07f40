using Microsoft.Extensions.Logging;

namespace MtaSts.MailKit;

internal sealed partial class SmtpSessionRunner
{
    [LoggerMessage(EventId = 101, EventName = "MxRefused", Level = LogLevel.Warning,
        Message = "Refused delivery to {MxHost} for {PolicyDomain} under the enforced MTA-STS policy: {ReasonCode}.")]
    private static partial void LogRefused(ILogger logger, string policyDomain, string mxHost, string reasonCode);

    [LoggerMessage(EventId = 102, EventName = "Delivered", Level = LogLevel.Information,
        Message = "Delivered to {MxHost} for {PolicyDomain} (MTA-STS mode {Mode}, TLS protocol {TlsProtocol}; none means plaintext).")]
    private static partial void LogDelivered(ILogger logger, string policyDomain, string mxHost, MtaStsMode mode, System.Security.Authentication.SslProtocols? tlsProtocol);

    [LoggerMessage(EventId = 109, EventName = "UnexpectedSessionError", Level = LogLevel.Error,
        Message = "An unexpected error ended the SMTP session to {MxHost} for {PolicyDomain}; the recipients stay pending for the next MX host.")]
    private static partial void LogUnexpectedSessionError(ILogger logger, string policyDomain, string mxHost, Exception exception);

    [LoggerMessage(EventId = 110, EventName = "PlaintextRefused", Level = LogLevel.Critical,
        Message = "The session transport refused to send SMTP in the clear to {MxHost} for {PolicyDomain}, whose policy requires TLS. This is a bug: please report it.")]
    private static partial void LogPlaintextRefused(ILogger logger, string policyDomain, string mxHost, Exception exception);
}
