using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto.Parameters;

namespace MtaSts.MailKit;

/// <summary>When mail reports are enabled, checks at start that the DKIM key is one MimeKit can sign with.</summary>
internal sealed class TlsReportMailOptionsValidator : IValidateOptions<TlsRptOptions>
{
    /// <summary>RFC 8301 §3.2: verifiers must refuse RSA keys shorter than 1024 bits.</summary>
    private const int MinimumRsaKeyBits = 1024;

    public ValidateOptionsResult Validate(string? name, TlsRptOptions options)
    {
        // A missing key is reported by the core validator.
        if ((options.Transports & TlsReportTransports.Mail) == 0 || string.IsNullOrWhiteSpace(options.DkimPrivateKeyPem))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            var key = TlsReportMessageBuilder.LoadKey(options.DkimPrivateKeyPem);
            if (key is not RsaKeyParameters rsa)
            {
                return ValidateOptionsResult.Fail($"TlsRptOptions.DkimPrivateKeyPem must be an RSA private key (was {key.GetType().Name}).");
            }

            return rsa.Modulus.BitLength < MinimumRsaKeyBits
                ? ValidateOptionsResult.Fail($"TlsRptOptions.DkimPrivateKeyPem is a {rsa.Modulus.BitLength}-bit RSA key; DKIM needs at least {MinimumRsaKeyBits} bits (RFC 8301).")
                : ValidateOptionsResult.Success;
        }
        catch (FormatException ex)
        {
            // Never echo the key itself.
            return ValidateOptionsResult.Fail($"TlsRptOptions.DkimPrivateKeyPem is not a PEM private key MimeKit can sign with: {ex.InnerException?.Message ?? ex.Message}");
        }
    }
}
