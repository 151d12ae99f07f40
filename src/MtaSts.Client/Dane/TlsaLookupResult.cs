namespace MtaSts;

/// <summary>
/// The DANE view of one MX host (RFC 7672 §2.2): its addresses, whether they are DNSSEC-secure, and the TLSA records at
/// <c>_&lt;port&gt;._tcp.&lt;TLSA base domain&gt;</c> with their status. Immutable.
/// </summary>
public sealed class TlsaLookupResult
{
    /// <summary>Initializes a new instance of the <see cref="TlsaLookupResult"/> class.</summary>
    /// <param name="status">What DNS says about DANE for the host.</param>
    /// <param name="mxHost">The MX host name as found in the MX record.</param>
    /// <param name="addresses">The host's addresses (looked up with the DNSSEC OK bit).</param>
    /// <param name="records">The TLSA records found (all of them, usable or not); empty unless <paramref name="status"/> is <see cref="TlsaLookupStatus.Usable"/> or <see cref="TlsaLookupStatus.Unusable"/>.</param>
    /// <param name="baseDomain">The TLSA base domain the records were found at; <see langword="null"/> for the original MX host name.</param>
    /// <param name="canonicalName">The host's CNAME target when its address records were reached through a DNSSEC-secure CNAME chain, otherwise <see langword="null"/>.</param>
    /// <param name="error">A short code saying why the lookup was indeterminate, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/>, <paramref name="addresses"/> or <paramref name="records"/> is <see langword="null"/>.</exception>
    public TlsaLookupResult(
        TlsaLookupStatus status,
        string mxHost,
        AddressLookupResult addresses,
        IReadOnlyList<TlsaRecord> records,
        string? baseDomain = null,
        string? canonicalName = null,
        string? error = null)
    {
        Status = status;
        MxHost = (mxHost ?? throw new ArgumentNullException(nameof(mxHost))).TrimEnd('.');
        Addresses = addresses ?? throw new ArgumentNullException(nameof(addresses));
        Records = records ?? throw new ArgumentNullException(nameof(records));
        UsableRecords = [.. records.Where(r => r.IsUsable)];
        BaseDomain = baseDomain?.TrimEnd('.') ?? MxHost;
        CanonicalName = canonicalName?.TrimEnd('.');
        Error = error;
    }

    /// <summary>Gets what DNS says about DANE for the host.</summary>
    public TlsaLookupStatus Status { get; }

    /// <summary>Gets the MX host name as found in the MX record, without a trailing dot.</summary>
    public string MxHost { get; }

    /// <summary>Gets the host's addresses; a failed or empty lookup leaves the host unreachable whatever <see cref="Status"/> says.</summary>
    public AddressLookupResult Addresses { get; }

    /// <summary>Gets the TLSA records found, in the order DNS gave them (TLS-RPT <c>policy-string</c>, RFC 8460 §4.5).</summary>
    public IReadOnlyList<TlsaRecord> Records { get; }

    /// <summary>Gets the records SMTP may use (<see cref="TlsaRecord.IsUsable"/>).</summary>
    public IReadOnlyList<TlsaRecord> UsableRecords { get; }

    /// <summary>
    /// Gets the TLSA base domain (RFC 7672 §2.2.3): the secure CNAME target when TLSA records were found there, otherwise the
    /// MX host name. It is the TLS-RPT policy domain of a <c>tlsa</c> policy (RFC 8460 §1.1) and the SNI name (RFC 7672 §8.1).
    /// </summary>
    public string BaseDomain { get; }

    /// <summary>Gets the host's CNAME target when reached through a DNSSEC-secure CNAME chain, or <see langword="null"/>.</summary>
    public string? CanonicalName { get; }

    /// <summary>Gets the TLS-RPT counter text of the records (<see cref="TlsaPolicyText"/>), made once.</summary>
    internal string PolicyText => field ??= TlsaPolicyText.Encode(this);

    /// <summary>Gets a short code saying why the lookup was indeterminate (see <see cref="ReasonCodes"/>), or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>
    /// Gets the names a DANE-TA(2) certificate may carry (RFC 7672 §3.2.2): the MX host name and, when it is an alias reached
    /// securely, its CNAME target. DANE-EE(3) records ignore names (RFC 7672 §3.1.1).
    /// </summary>
    public IReadOnlyList<string> ReferenceNames =>
        CanonicalName is { } target && !string.Equals(target, MxHost, StringComparison.OrdinalIgnoreCase) ? [MxHost, target] : [MxHost];

    /// <summary>Creates the result for a DNS implementation that cannot tell secure answers from insecure ones: no DANE.</summary>
    /// <param name="mxHost">The MX host name.</param>
    /// <param name="addresses">The host's addresses.</param>
    /// <returns>An <see cref="TlsaLookupStatus.Insecure"/> result.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static TlsaLookupResult Insecure(string mxHost, AddressLookupResult addresses) => new(TlsaLookupStatus.Insecure, mxHost, addresses, []);

    /// <inheritdoc/>
    public override string ToString() => Status switch
    {
        TlsaLookupStatus.Usable or TlsaLookupStatus.Unusable => $"{MxHost}: {Status} at _tcp.{BaseDomain} ({string.Join("; ", Records)})",
        TlsaLookupStatus.Indeterminate => $"{MxHost}: {Status} ({Error})",
        _ => $"{MxHost}: {Status}",
    };
}
