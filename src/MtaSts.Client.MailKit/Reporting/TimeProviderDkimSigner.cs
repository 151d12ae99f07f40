using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MtaSts.MailKit;

/// <summary>MimeKit's <see cref="DkimSigner"/> with its <c>t=</c> timestamp taken from a <see cref="TimeProvider"/>.</summary>
internal sealed class TimeProviderDkimSigner : DkimSigner
{
    private readonly TimeProvider _timeProvider;

    public TimeProviderDkimSigner(AsymmetricKeyParameter key, string domain, string selector, TimeProvider timeProvider)
        : base(key, domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Reads a PEM private key the way MimeKit does (used to load and check the key once).</summary>
    public TimeProviderDkimSigner(Stream pemKey, string domain, string selector, TimeProvider timeProvider)
        : base(pemKey, domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the private key.</summary>
    public AsymmetricKeyParameter Key => PrivateKey;

    protected override long GetTimestamp() => _timeProvider.GetUtcNow().ToUnixTimeSeconds();
}
