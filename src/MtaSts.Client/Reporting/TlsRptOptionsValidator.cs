using Microsoft.Extensions.Options;

namespace MtaSts;

/// <summary>Validates <see cref="TlsRptOptions"/> at start; each message names the option and the bad value.</summary>
internal sealed class TlsRptOptionsValidator : IValidateOptions<TlsRptOptions>
{
    private const int MaxInstanceIdLength = 32;

    public ValidateOptionsResult Validate(string? name, TlsRptOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.OrganizationName) || options.OrganizationName.Any(char.IsControl))
        {
            failures.Add($"TlsRptOptions.OrganizationName is required and must be printable text (was {Show(options.OrganizationName)}).");
        }

        ValidateContact(options, failures);
        if ((options.Transports & ~TlsReportTransports.All) != 0)
        {
            failures.Add($"TlsRptOptions.Transports has undefined flags (was {(int)options.Transports}).");
        }

        if (options.DelayWindow < TimeSpan.Zero || options.DelayWindow >= TimeSpan.FromDays(1))
        {
            failures.Add($"TlsRptOptions.DelayWindow must be at least zero and less than a day (was {options.DelayWindow}).");
        }

        if (options.RetryWindow <= TimeSpan.Zero || options.RetryWindow > TimeSpan.FromDays(7))
        {
            failures.Add($"TlsRptOptions.RetryWindow must be greater than zero and at most 7 days (was {options.RetryWindow}).");
        }

        Positive(nameof(TlsRptOptions.InitialRetryDelay), options.InitialRetryDelay, failures);
        if (options.MaxRetryDelay < options.InitialRetryDelay)
        {
            failures.Add($"TlsRptOptions.MaxRetryDelay must be at least InitialRetryDelay ({options.InitialRetryDelay}) (was {options.MaxRetryDelay}).");
        }

        Positive(nameof(TlsRptOptions.FlushInterval), options.FlushInterval, failures);
        Positive(nameof(TlsRptOptions.HttpsTimeout), options.HttpsTimeout, failures);
        if (options.SuppressionPeriod < TimeSpan.Zero)
        {
            failures.Add($"TlsRptOptions.SuppressionPeriod must not be negative (was {options.SuppressionPeriod}).");
        }

        if (options.MaxReportsPerDestinationPerDay < 1)
        {
            failures.Add($"TlsRptOptions.MaxReportsPerDestinationPerDay must be at least 1 (was {options.MaxReportsPerDestinationPerDay}).");
        }

        if (options.SuppressAfterFailures < 1)
        {
            failures.Add($"TlsRptOptions.SuppressAfterFailures must be at least 1 (was {options.SuppressAfterFailures}).");
        }

        if (options.InstanceId is { } id && (id.Length is 0 or > MaxInstanceIdLength || !id.All(char.IsAsciiLetterOrDigit)))
        {
            // RFC 8460 §5.1: unique-id = 1*(ALPHA / DIGIT).
            failures.Add($"TlsRptOptions.InstanceId must be 1 to {MaxInstanceIdLength} ASCII letters or digits (was {Show(id)}).");
        }

        if ((options.Transports & TlsReportTransports.Mail) != 0)
        {
            ValidateDkim(options, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateContact(TlsRptOptions options, List<string> failures)
    {
        var contact = options.ContactInfo;
        var at = contact?.LastIndexOf('@') ?? -1;
        if (contact is null || at <= 0 || at == contact.Length - 1 || contact.Any(c => c <= ' ' || c == 0x7F) || !IsDomain(contact[(at + 1)..]))
        {
            failures.Add($"TlsRptOptions.ContactInfo must be an e-mail address (addr-spec, RFC 5322 §3.4.1) at a domain name (was {Show(contact)}).");
            return;
        }

        if (options.SubmitterDomain is { } submitter)
        {
            // RFC 8460 §5.3: "The "TLS-Report-Submitter" value MUST match the value found in the domain of the "contact-info"".
            if (!IsDomain(submitter))
            {
                failures.Add($"TlsRptOptions.SubmitterDomain must be a domain name (was {Show(submitter)}).");
            }
            else if (!string.Equals(Normalize(submitter), Normalize(contact[(at + 1)..]), StringComparison.Ordinal))
            {
                failures.Add($"TlsRptOptions.SubmitterDomain must be the domain of ContactInfo ('{contact}'), RFC 8460 §5.3 (was {Show(submitter)}).");
            }
        }
    }

    private static void ValidateDkim(TlsRptOptions options, List<string> failures)
    {
        // RFC 8460 §3: "Reports sent via SMTP MUST contain a valid DomainKeys Identified Mail (DKIM) signature".
        const string Hint = "mail reports (TlsRptOptions.Transports includes Mail) must be DKIM-signed (RFC 8460 §3); set it, or remove Mail from Transports";
        if (string.IsNullOrWhiteSpace(options.DkimPrivateKeyPem))
        {
            failures.Add($"TlsRptOptions.DkimPrivateKeyPem is required: {Hint}.");
        }

        if (string.IsNullOrWhiteSpace(options.DkimSelector))
        {
            failures.Add($"TlsRptOptions.DkimSelector is required: {Hint}.");
        }
        else if (!IsSelector(options.DkimSelector))
        {
            failures.Add($"TlsRptOptions.DkimSelector must be one or more DNS labels (was {Show(options.DkimSelector)}).");
        }

        if (options.DkimDomain is { } domain && !IsDomain(domain))
        {
            failures.Add($"TlsRptOptions.DkimDomain must be a domain name (was {Show(domain)}).");
        }
    }

    /// <summary>RFC 6376 §3.1: selector = sub-domain *( "." sub-domain ), labels of letters, digits and inner hyphens.</summary>
    private static bool IsSelector(string selector) =>
        selector.Split('.').All(label => label.Length is > 0 and <= DomainNameSyntax.MaxLabelLength
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-');

    private static bool IsDomain(string text)
    {
        try
        {
            PolicyDomainName.Normalize(text, "domain");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Normalize(string domain) => PolicyDomainName.Normalize(domain, nameof(domain));

    private static string Show(string? value) => value is null ? "null" : $"'{value}'";

    private static void Positive(string name, TimeSpan value, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"TlsRptOptions.{name} must be greater than zero (was {value}).");
        }
    }
}
