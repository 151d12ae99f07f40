using Microsoft.Extensions.Options;

namespace MtaSts.MailKit;

/// <summary>Validates <see cref="MtaStsDeliveryOptions"/> at start; each message names the option and the bad value.</summary>
internal sealed class MtaStsDeliveryOptionsValidator : IValidateOptions<MtaStsDeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, MtaStsDeliveryOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"MtaStsDeliveryOptions.Port must be a TCP port (was {options.Port}).");
        }

        Positive(nameof(MtaStsDeliveryOptions.ConnectTimeout), options.ConnectTimeout, failures);
        Positive(nameof(MtaStsDeliveryOptions.CommandTimeout), options.CommandTimeout, failures);
        Positive(nameof(MtaStsDeliveryOptions.SessionTimeout), options.SessionTimeout, failures);
        Positive(nameof(MtaStsDeliveryOptions.DomainTimeout), options.DomainTimeout, failures);
        if (options.MaxConcurrency < 1)
        {
            failures.Add($"MtaStsDeliveryOptions.MaxConcurrency must be greater than zero (was {options.MaxConcurrency}).");
        }

        if (options.MaxReplyBytes < MtaStsDeliveryOptions.MinReplyBytes)
        {
            failures.Add($"MtaStsDeliveryOptions.MaxReplyBytes must be at least {MtaStsDeliveryOptions.MinReplyBytes} (was {options.MaxReplyBytes}).");
        }

        if (options.HeloName is null)
        {
            failures.Add($"MtaStsDeliveryOptions.HeloName is not set and this machine has no fully qualified domain name (its host name is '{HeloNames.HostName()}'): set HeloName to this host's name in DNS, such as mta.example.org (RFC 5321 §4.1.4; receivers refuse short names).");
        }
        else if (!HeloNames.IsValid(options.HeloName))
        {
            failures.Add($"MtaStsDeliveryOptions.HeloName must be a fully qualified domain name or an address literal such as [192.0.2.1] (was '{options.HeloName}').");
        }

        foreach (var domain in options.DaneRequiredDomains)
        {
            // Compared with the recipient domain in A-labels, lower case, without a trailing dot.
            if (!PolicyDomainName.TryParse(domain, out var parsed) || !string.Equals(parsed.Value, domain, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"MtaStsDeliveryOptions.DaneRequiredDomains must hold domain names in A-labels without a trailing dot (was '{domain}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(string name, TimeSpan value, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"MtaStsDeliveryOptions.{name} must be greater than zero (was {value}).");
        }
    }
}
