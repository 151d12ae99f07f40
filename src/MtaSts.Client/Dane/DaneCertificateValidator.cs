using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>
/// Authenticates an SMTP server's certificate against the usable TLSA records of its MX host (RFC 7672 §3, RFC 7671 §5):
/// DANE-EE(3) matches the leaf certificate or its public key, ignoring names and dates; DANE-TA(2) matches a certificate
/// of the presented chain, which must then chain the leaf to it within its validity, and the leaf must name the MX host
/// or its secure CNAME target. Usable without MailKit: call it from any certificate validation callback. Thread-safe.
/// </summary>
/// <remarks>
/// PKIX-TA(0) and PKIX-EE(1) records are unusable for SMTP (RFC 7672 §3.1.3) and never authenticate a server; a host
/// whose records are all unusable gets mandatory TLS without DANE authentication, which this class does not judge. Only
/// SAN dNSNames are names (no CN fallback, as for MTA-STS), a wildcard only as the whole left-most label. A DANE-TA(2)
/// trust anchor must be in the chain the server sends (RFC 7671 §5.2.2 asks servers to include it).
/// </remarks>
public sealed class DaneCertificateValidator
{
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="DaneCertificateValidator"/> class.</summary>
    /// <param name="timeProvider">The clock DANE-TA(2) chains are checked against; <see langword="null"/> for the system clock.</param>
    public DaneCertificateValidator(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Authenticates <paramref name="certificate"/> with the usable records of <paramref name="tlsa"/>.</summary>
    /// <param name="certificate">The certificate the server presented; <see langword="null"/> fails.</param>
    /// <param name="chain">The chain the TLS stack built from what the server sent (it supplies DANE-TA(2) candidates); may be <see langword="null"/>.</param>
    /// <param name="tlsa">The host's TLSA lookup; its <see cref="TlsaLookupResult.UsableRecords"/> and <see cref="TlsaLookupResult.ReferenceNames"/> are used.</param>
    /// <returns>
    /// Valid when a usable record authenticates the server; otherwise <see cref="TlsRptResultType.TlsaInvalid"/> (no record
    /// matches: <c>tlsa-no-match</c>; a DANE-TA(2) anchor matched but the chain to it does not verify: <c>dane-ta-chain-invalid</c>),
    /// <see cref="TlsRptResultType.CertificateHostMismatch"/> or <see cref="TlsRptResultType.CertificateExpired"/> for a DANE-TA(2) chain
    /// whose leaf names another host or has expired, <see cref="TlsRptResultType.CertificateNotTrusted"/> without a certificate.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="tlsa"/> is <see langword="null"/>.</exception>
    public CertificateValidationResult Validate(X509Certificate? certificate, X509Chain? chain, TlsaLookupResult tlsa)
    {
        ArgumentNullException.ThrowIfNull(tlsa);
        if (certificate is null)
        {
            return Fail(TlsRptResultType.CertificateNotTrusted, ReasonCodes.NoCertificate);
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

        // RFC 7672 §3.1.1: DANE-EE(3) binds the key or certificate itself; names and validity dates are not checked.
        if (tlsa.UsableRecords.Any(r => r.CertificateUsage == 3 && Matches(r, leaf)))
        {
            return CertificateValidationResult.Valid;
        }

        var anchors = tlsa.UsableRecords.Where(r => r.CertificateUsage == 2).ToArray();
        if (anchors.Length == 0 || chain is null)
        {
            return Fail(TlsRptResultType.TlsaInvalid, ReasonCodes.TlsaNoMatch);
        }

        var presented = chain.ChainElements.Select(e => e.Certificate).Where(c => !c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)).ToArray();
        var anchor = presented.FirstOrDefault(c => anchors.Any(r => Matches(r, c)));
        if (anchor is null)
        {
            return Fail(TlsRptResultType.TlsaInvalid, ReasonCodes.TlsaNoMatch);
        }

        // RFC 7672 §3.1.2: the chain from the leaf must verify up to the trust anchor the TLSA record names.
        var now = _timeProvider.GetUtcNow();
        if (!ChainsTo(leaf, anchor, presented, now))
        {
            return Fail(TlsRptResultType.TlsaInvalid, ReasonCodes.DaneTaChainInvalid);
        }

        if (leaf.NotAfter.ToUniversalTime() < now.UtcDateTime || leaf.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            return Fail(TlsRptResultType.CertificateExpired, ReasonCodes.CertificateExpired);
        }

        // RFC 7672 §3.2.2: with DANE-TA(2) the leaf must name the MX host or its secure CNAME target (SAN dNSName only).
        return tlsa.ReferenceNames.Any(name => CertificateNames.MatchesSanDnsName(leaf, name))
            ? CertificateValidationResult.Valid
            : Fail(TlsRptResultType.CertificateHostMismatch, ReasonCodes.NoMatchingSanDnsName);
    }

    /// <summary>Whether <paramref name="certificate"/> matches <paramref name="record"/>: selector, then matching type (RFC 6698 §2.1.2, §2.1.3).</summary>
    internal static bool Matches(TlsaRecord record, X509Certificate2 certificate)
    {
        var selected = record.Selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var data = record.Data.Span;
        return record.MatchingType switch
        {
            0 => data.SequenceEqual(selected),
            1 => data.SequenceEqual(SHA256.HashData(selected)),
            2 => data.SequenceEqual(SHA512.HashData(selected)),
            _ => false,
        };
    }

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 anchor, X509Certificate2[] presented, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(anchor);
        policy.ExtraStore.AddRange(presented);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.VerificationTime = now.UtcDateTime;

        // Decision 39: the chain is built from what the server sent, never from certificates an attacker's AIA URL points at.
        policy.DisableCertificateDownloads = true;
        chain.Build(leaf);
        if (!chain.ChainElements.Any(e => e.Certificate.RawDataMemory.Span.SequenceEqual(anchor.RawDataMemory.Span)))
        {
            return false;
        }

        var flags = X509ChainStatusFlags.NoError;
        for (var i = 0; i < chain.ChainElements.Count; i++)
        {
            var element = chain.ChainElements[i];
            var isAnchor = element.Certificate.RawDataMemory.Span.SequenceEqual(anchor.RawDataMemory.Span);
            foreach (var status in element.ChainElementStatus)
            {
                // RFC 7671 §5.2.2: the rest of the chain must validate, so an expired intermediate below the anchor fails.
                // The leaf's own dates are judged after the chain (certificate-expired); the anchor's are not judged: the
                // TLSA record, not its validity period, makes it trusted.
                flags |= i == 0 || isAnchor ? status.Status & ~X509ChainStatusFlags.NotTimeValid : status.Status;
            }

            if (isAnchor)
            {
                break;
            }
        }

        // An anchor that is not self-signed leaves the chain "partial" for the platform; every link below it must verify.
        flags &= ~(X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain);
        return flags == X509ChainStatusFlags.NoError;
    }

    private static CertificateValidationResult Fail(TlsRptResultType type, string reason) =>
        CertificateValidationResult.From(CertificateCheckResult.Fail(type, reason));
}
