using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Caching.Memory;

namespace MtaSts;

/// <summary>
/// The WebPKI checks RFC 8461 requires of the policy host (§3.3) and of MX hosts (§4.2): a chain to a trusted
/// root, within validity, not revoked, and a SAN dNSName that matches the host name. Platform name checks are not
/// used because they may fall back to the subject CN, which RFC 8461 does not allow.
/// </summary>
internal sealed class CertificateValidator
{
    /// <summary>How long a successful chain verdict for one certificate is reused (revocation is re-checked after it).</summary>
    internal static readonly TimeSpan ChainVerdictLifetime = TimeSpan.FromMinutes(10);

    internal const int ChainCacheLimit = 10_000;

    // Successful chain verdicts by the certificate's SHA-256: a sender connects to the same MX hosts again and again,
    // and building the chain is most of the cost of a check. Failures are never cached. A side table bounded in entries,
    // each expiring after ChainVerdictLifetime (or with the certificate) on the injected clock.
    private readonly MemoryCache _validChains;
    private readonly X509Certificate2Collection _trustRoots;
    private readonly X509RevocationMode _revocationMode;
    private readonly TimeProvider _timeProvider;

    public CertificateValidator(X509Certificate2Collection trustRoots, X509RevocationMode revocationMode, TimeProvider timeProvider)
    {
        _trustRoots = trustRoots;
        _revocationMode = revocationMode;
        _timeProvider = timeProvider;
        _validChains = SideTable.Create(ChainCacheLimit, new TimeProviderClock(timeProvider));
    }

    /// <summary>Gets the number of chain verdicts held (for tests).</summary>
    internal int CachedChainVerdicts => _validChains.Count;

    /// <summary>Validates <paramref name="certificate"/> for <paramref name="hostName"/>.</summary>
    /// <param name="certificate">The end-entity certificate presented.</param>
    /// <param name="presented">The chain the TLS stack built, whose elements supply the intermediates the server sent; may be <see langword="null"/>.</param>
    /// <param name="hostName">The reference identifier: an A-label host name without a trailing dot.</param>
    public CertificateCheckResult Validate(X509Certificate2? certificate, X509Chain? presented, string hostName)
    {
        if (certificate is null)
        {
            return CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "no-certificate");
        }

        var now = _timeProvider.GetUtcNow();
        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
        {
            // RFC 8461 §4.2: "the certificate presented by the receiving MTA MUST not be expired".
            return CertificateCheckResult.Fail(TlsRptResultType.CertificateExpired, "certificate-expired");
        }

        if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            return CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "certificate-not-yet-valid");
        }

        var key = CertificateKey.Of(certificate);
        if (!_validChains.TryGetValue(key, out _))
        {
            var chainResult = ValidateChain(certificate, presented, now);
            if (!chainResult.IsValid)
            {
                return chainResult;
            }

            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            var lifetimeEnd = now + ChainVerdictLifetime;
            _validChains.Set(key, true, SideTable.ExpiringAt(notAfter < lifetimeEnd ? notAfter : lifetimeEnd));
        }

        // RFC 8461 §4.2: the certificate "MUST [...] be valid for the MX hostname" as a DNS-ID; no CN fallback.
        return CertificateNames.MatchesSanDnsName(certificate, hostName)
            ? CertificateCheckResult.Valid
            : CertificateCheckResult.Fail(TlsRptResultType.CertificateHostMismatch, "no-matching-san-dns-name");
    }

    /// <summary>Wraps <see cref="Validate"/> for <see cref="RemoteCertificateValidationCallback"/>, ignoring the platform's own verdict.</summary>
    public bool ValidateForTls(object sender, X509Certificate? certificate, X509Chain? chain, out CertificateCheckResult result)
    {
        var host = sender is SslStream { TargetHostName: { Length: > 0 } target } ? target : null;
        if (host is null)
        {
            result = CertificateCheckResult.Fail(TlsRptResultType.ValidationFailure, "no-server-name");
            return false;
        }

        result = Validate(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())), chain, host);
        return result.IsValid;
    }

    private CertificateCheckResult ValidateChain(X509Certificate2 certificate, X509Chain? presented, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.VerificationTime = now.UtcDateTime;
        policy.RevocationMode = _revocationMode;
        policy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
        policy.UrlRetrievalTimeout = TimeSpan.FromSeconds(10);

        // TLS server authentication (id-kp-serverAuth), as .NET requires by default for TLS clients.
        policy.ApplicationPolicy.Add(new("1.3.6.1.5.5.7.3.1"));
        if (_trustRoots.Count > 0)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(_trustRoots);
        }

        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    policy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        chain.Build(certificate);
        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in chain.ChainStatus)
        {
            flags |= status.Status;
        }

        // Decision 31: revocation is soft-fail when the status cannot be determined; a revoked certificate fails.
        flags &= ~(X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation);
        if (flags == X509ChainStatusFlags.NoError)
        {
            return CertificateCheckResult.Valid;
        }

        if ((flags & X509ChainStatusFlags.Revoked) != 0)
        {
            return CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "certificate-revoked");
        }

        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            // An intermediate or the root is out of its validity period.
            return CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "chain-not-time-valid");
        }

        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "untrusted-root");
        }

        return CertificateCheckResult.Fail(TlsRptResultType.CertificateNotTrusted, "chain-" + flags.ToString().Replace(", ", "-", StringComparison.Ordinal).ToLowerInvariant());
    }

    /// <summary>A certificate's SHA-256 as four machine words: a dictionary key that allocates nothing.</summary>
    private readonly record struct CertificateKey(ulong A, ulong B, ulong C, ulong D)
    {
        public static CertificateKey Of(X509Certificate2 certificate)
        {
            Span<byte> hash = stackalloc byte[32];
            certificate.TryGetCertHash(HashAlgorithmName.SHA256, hash, out _);
            var words = MemoryMarshal.Cast<byte, ulong>(hash);
            return new CertificateKey(words[0], words[1], words[2], words[3]);
        }
    }
}
