using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using global::MailKit.Net.Smtp;
using global::MailKit.Security;

namespace MtaSts.MailKit;

/// <summary>
/// Applies an MTA-STS policy, and with the DANE overload the MX host's DANE status, to one <see cref="SmtpClient"/>
/// connection to one MX host (RFC 8461 §4, §5; RFC 7672 §2.2, §3): under <c>enforce</c> STARTTLS is required
/// (<see cref="SecureSocketOptions.StartTls"/>), TLS 1.2 or later, and a certificate that fails
/// <see cref="MxCertificateValidator"/> is refused inside the handshake; under <c>testing</c>, <c>none</c> or no policy,
/// STARTTLS is used when offered and any certificate is accepted; the verdict is kept in <see cref="CertificateResult"/>
/// (reported to TLS-RPT under <c>testing</c> only: Decision 29).
/// </summary>
/// <remarks>
/// Connect to the name in <see cref="ServerName"/> (<c>ConnectAsync(host, …)</c>, or <c>ConnectAsync(socket, host, …)</c>
/// when you chose the address): MailKit sends that name as SNI. Without DANE it is the MX host name (RFC 8461 §7.1). The
/// MX host must already have been matched against the policy (<see cref="MtaStsPolicy.MatchesMx"/>; under <c>enforce</c>
/// a host outside the policy is not used even when DANE would authenticate it: Decision 34).
/// <para>
/// DANE (RFC 7672) takes precedence per MX host (RFC 8461 §2): a host with secure usable TLSA records must be
/// authenticated by DANE whatever the policy says, and MTA-STS never overrides a failing DANE check. The overload
/// <see cref="Apply(SmtpClient, PolicyResolution, string, MxCertificateValidator, TlsaLookupResult, DaneCertificateValidator, DaneStrictness)"/>
/// applies both, from a TLSA lookup made before connecting (<see cref="MtaStsInspector.LookupTlsaAsync"/>); it refuses
/// an indeterminate lookup, which must never be taken for "no DANE" (RFC 7672 §2.1.1). The four-argument overload
/// applies MTA-STS only: use it only where DANE is not wanted.
/// </para>
/// </remarks>
public sealed class MtaStsTlsGuard
{
    private readonly TlsVerdict _verdict;

    private MtaStsTlsGuard(PolicyResolution resolution, TlsVerdict verdict, TlsaLookupResult? tlsa)
    {
        Resolution = resolution;
        _verdict = verdict;
        Tlsa = tlsa;
    }

    /// <summary>Gets the policy resolution applied.</summary>
    public PolicyResolution Resolution { get; }

    /// <summary>Gets the MX host name the connection is for: the name the MTA-STS certificate check uses (RFC 8461 §4.2).</summary>
    public string MxHost => _verdict.MxHost;

    /// <summary>Gets a value indicating whether the MTA-STS policy is enforced on this connection (<c>mode: enforce</c>).</summary>
    public bool IsEnforced => Resolution.IsEnforced;

    /// <summary>Gets the TLSA lookup applied, or <see langword="null"/> when the guard applies MTA-STS only.</summary>
    public TlsaLookupResult? Tlsa { get; }

    /// <summary>
    /// Gets a value indicating whether DANE authenticates this host (secure usable TLSA records, RFC 7672 §3): the
    /// certificate must match one of <see cref="TlsaLookupResult.UsableRecords"/> or the handshake is refused, whatever the
    /// MTA-STS mode (RFC 8461 §2).
    /// </summary>
    public bool IsDaneAuthenticated => _verdict.DaneGoverns;

    /// <summary>
    /// Gets a value indicating whether TLS is mandatory on this connection: an enforced policy (RFC 8461 §5), or secure
    /// TLSA records, usable or not (RFC 7672 §2.2). No plaintext session, no fall-back.
    /// </summary>
    public bool IsTlsRequired => _verdict.Required;

    /// <summary>Gets the options to pass to <c>SmtpClient.Connect</c>: <see cref="SecureSocketOptions.StartTls"/> when <see cref="IsTlsRequired"/>, <see cref="SecureSocketOptions.StartTlsWhenAvailable"/> otherwise.</summary>
    public SecureSocketOptions SecureSocketOptions => IsTlsRequired ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>
    /// Gets the host name to pass to <c>SmtpClient.Connect</c>, which MailKit sends as SNI: the TLSA base domain for a host
    /// with secure TLSA records (RFC 7672 §8.1: the secure CNAME target when the records were found there), otherwise
    /// <see cref="MxHost"/> (RFC 8461 §7.1).
    /// </summary>
    /// <remarks>
    /// The certificate checks do not depend on it: the MTA-STS check always uses <see cref="MxHost"/>, a DANE-TA(2) check
    /// the MX host and its secure CNAME target (RFC 7672 §3.2.2). Connect to the addresses of the MX host
    /// (<see cref="TlsaLookupResult.Addresses"/>) with <c>ConnectAsync(socket, ServerName, …)</c> rather than letting the
    /// system resolver look the name up again.
    /// </remarks>
    public string ServerName => _verdict.ServerName;

    /// <summary>Gets the verdict on the server certificate, once the TLS handshake has reached it; <see langword="null"/> before.</summary>
    public CertificateValidationResult? CertificateResult => _verdict.Certificate;

    /// <summary>Configures <paramref name="client"/> for a connection to <paramref name="mxHost"/> under <paramref name="resolution"/>.</summary>
    /// <param name="client">The client, not yet connected. Its certificate callback, TLS versions and revocation setting are replaced.</param>
    /// <param name="resolution">The policy resolution of the recipient domain.</param>
    /// <param name="mxHost">The MX host name as found in the MX record.</param>
    /// <param name="validator">The certificate validator.</param>
    /// <returns>The guard, which says how to connect and records the certificate verdict.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="client"/> is already connected.</exception>
    public static MtaStsTlsGuard Apply(SmtpClient client, PolicyResolution resolution, string mxHost, MxCertificateValidator validator)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resolution);
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(validator);
        if (client.IsConnected)
        {
            throw new InvalidOperationException("The MTA-STS policy must be applied before the SmtpClient connects.");
        }

        // RFC 8461 §7.2: TLS 1.2 or later under enforce; opportunistic sessions keep the platform's defaults.
        var verdict = new TlsVerdict(validator, mxHost, resolution.IsEnforced);
        verdict.Configure(client);
        return new MtaStsTlsGuard(resolution, verdict, tlsa: null);
    }

    /// <summary>
    /// Configures <paramref name="client"/> for a connection to <paramref name="mxHost"/> under <paramref name="resolution"/>
    /// and the host's DANE status (RFC 8461 §2, RFC 7672 §2.2).
    /// </summary>
    /// <param name="client">The client, not yet connected. Its certificate callback, TLS versions and revocation setting are replaced.</param>
    /// <param name="resolution">The policy resolution of the recipient domain.</param>
    /// <param name="mxHost">The MX host name as found in the MX record.</param>
    /// <param name="validator">The PKIX validator of the MTA-STS check.</param>
    /// <param name="tlsa">The host's TLSA lookup, made before connecting (<see cref="MtaStsInspector.LookupTlsaAsync"/>, or <see cref="IMtaStsDns.LookupTlsaAsync"/>) for <paramref name="mxHost"/> and the port you connect to.</param>
    /// <param name="dane">The DANE validator.</param>
    /// <param name="strictness">Whether a host DANE authenticates must also pass the PKIX check of an <c>enforce</c> policy (checklist I.6); as <see cref="MtaStsDeliveryOptions.DaneStrictness"/>.</param>
    /// <returns>The guard, which says how to connect (<see cref="SecureSocketOptions"/>, <see cref="ServerName"/>) and records the certificate verdict.</returns>
    /// <remarks>
    /// What <paramref name="tlsa"/> decides:
    /// <list type="table">
    /// <listheader><term><see cref="TlsaLookupResult.Status"/></term><description>Connection</description></listheader>
    /// <item><term><see cref="TlsaLookupStatus.Usable"/></term><description>STARTTLS mandatory, TLS 1.2 or later; the certificate must match a usable record (RFC 7672 §3), and under <c>enforce</c> with <see cref="DaneStrictness.RequireBoth"/> also pass the PKIX check; refused inside the handshake otherwise, whatever the MTA-STS mode (RFC 8461 §2). SNI is the TLSA base domain (RFC 7672 §8.1).</description></item>
    /// <item><term><see cref="TlsaLookupStatus.Unusable"/></term><description>STARTTLS mandatory, without DANE authentication (RFC 7672 §3.1.3, §2.2); under <c>enforce</c> the PKIX check still applies.</description></item>
    /// <item><term><see cref="TlsaLookupStatus.NotFound"/>, <see cref="TlsaLookupStatus.Insecure"/></term><description>No DANE: exactly the MTA-STS behaviour of the four-argument overload.</description></item>
    /// <item><term><see cref="TlsaLookupStatus.Indeterminate"/></term><description>Not usable now: <see cref="MtaStsDeliveryException"/> (<see cref="TlsRptResultType.DnssecInvalid"/>, <see cref="ReasonCodes.TlsaLookupFailed"/>) and <paramref name="client"/> is left untouched. Never a fall-back to MTA-STS or plaintext (RFC 7672 §2.1.1): try the host again later, or the next MX host.</description></item>
    /// </list>
    /// Local mandatory DANE (RFC 7672 §6, <see cref="MtaStsDeliveryOptions.DaneRequiredDomains"/>) and the TLS-RPT outcome
    /// are the caller's: check <see cref="TlsaLookupResult.Status"/> before connecting, report from <see cref="CertificateResult"/>.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="tlsa"/> was looked up for another host than <paramref name="mxHost"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="strictness"/> or <paramref name="tlsa"/>'s status is not a defined value.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="client"/> is already connected.</exception>
    /// <exception cref="MtaStsDeliveryException">The TLSA lookup is <see cref="TlsaLookupStatus.Indeterminate"/>: the host must not be used until it can be answered.</exception>
    public static MtaStsTlsGuard Apply(SmtpClient client, PolicyResolution resolution, string mxHost, MxCertificateValidator validator, TlsaLookupResult tlsa, DaneCertificateValidator dane, DaneStrictness strictness = DaneStrictness.RequireBoth)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resolution);
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(tlsa);
        ArgumentNullException.ThrowIfNull(dane);
        if (!Enum.IsDefined(strictness))
        {
            throw new ArgumentOutOfRangeException(nameof(strictness), strictness, "Unknown DANE strictness.");
        }

        if (!Enum.IsDefined(tlsa.Status))
        {
            throw new ArgumentOutOfRangeException(nameof(tlsa), tlsa.Status, "Unknown TLSA lookup status.");
        }

        if (!string.Equals(tlsa.MxHost, mxHost.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The TLSA lookup is for {tlsa.MxHost}, not {mxHost}.", nameof(tlsa));
        }

        if (client.IsConnected)
        {
            throw new InvalidOperationException("The MTA-STS policy must be applied before the SmtpClient connects.");
        }

        if (tlsa.Status == TlsaLookupStatus.Indeterminate)
        {
            // RFC 7672 §2.1.1: an unanswerable TLSA lookup is never "no DANE"; the host waits, whatever the policy.
            throw new MtaStsDeliveryException(
                $"Delivery to {mxHost} for {resolution.PolicyDomain} was refused: its TLSA lookup could not be answered ({tlsa.Error}); RFC 7672 §2.1.1 forbids falling back to MTA-STS or plaintext, so try the host later.",
                resolution.PolicyDomain,
                mxHost,
                TlsRptResultType.DnssecInvalid,
                ReasonCodes.TlsaLookupFailed);
        }

        // The PKIX check of an enforced policy applies to a DANE host too, unless DaneSupersedesPkix (checklist I.6), as in
        // the delivery agent.
        var pkixRequired = resolution.IsEnforced && (tlsa.Status != TlsaLookupStatus.Usable || strictness == DaneStrictness.RequireBoth);
        var verdict = new TlsVerdict(validator, dane, mxHost, pkixRequired, tlsa);
        verdict.Configure(client);
        return new MtaStsTlsGuard(resolution, verdict, tlsa);
    }

    /// <summary>
    /// Throws when the connected <paramref name="client"/> does not meet what this connection requires: TLS when
    /// <see cref="IsTlsRequired"/>, and a validated certificate when an enforced policy or DANE authentication requires
    /// one. A defence in depth: with <see cref="SecureSocketOptions"/> and the callback this cannot happen, unless the TLS
    /// session was resumed without the callback being called.
    /// </summary>
    /// <param name="client">The connected client.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="MtaStsDeliveryException">The connection is not the TLS an enforced policy (RFC 8461 §5) or the host's secure TLSA records (RFC 7672 §2.2, §3) require.</exception>
    public void ThrowIfNotCompliant(SmtpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_verdict.IsCompliant(client))
        {
            return;
        }

        if (!client.IsSecure)
        {
            throw Refused(TlsRptResultType.StartTlsNotSupported, ReasonCodes.StartTlsNotSupported);
        }

        var result = CertificateResult;
        throw Refused(result?.ResultType ?? TlsRptResultType.ValidationFailure, result?.ReasonCode ?? "certificate-not-validated");
    }

    private MtaStsDeliveryException Refused(TlsRptResultType type, string reason) => _verdict.Tlsa is null
        ? new MtaStsDeliveryException(Resolution.PolicyDomain, MxHost, type, reason)
        : new MtaStsDeliveryException(
            $"Delivery to {MxHost} for {Resolution.PolicyDomain} was refused: its secure TLSA records (RFC 7672) require TLS{(IsDaneAuthenticated ? " and DANE authentication" : string.Empty)}: {type.ToResultTypeString()} ({reason}).",
            Resolution.PolicyDomain,
            MxHost,
            type,
            reason);
}
