using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MtaSts.Tests.Reporting;

/// <summary>Bad TLS-RPT options fail at start, with messages that name the option and the bad value (never the key).</summary>
public sealed class TlsRptOptionsValidationTests
{
    public static TheoryData<string, string> BadOptions() => new()
    {
        { nameof(TlsRptOptions.OrganizationName), "TlsRptOptions.OrganizationName is required and must be printable text (was null)" },
        { nameof(TlsRptOptions.ContactInfo), "TlsRptOptions.ContactInfo must be an e-mail address (addr-spec, RFC 5322 §3.4.1) at a domain name (was 'reports at sender.example')" },
        { nameof(TlsRptOptions.SubmitterDomain), "TlsRptOptions.SubmitterDomain must be the domain of ContactInfo ('tlsrpt@sender.example'), RFC 8460 §5.3 (was 'other.example')" },
        { nameof(TlsRptOptions.DelayWindow), "TlsRptOptions.DelayWindow must be at least zero and less than a day (was 1.00:00:00)" },
        { nameof(TlsRptOptions.RetryWindow), "TlsRptOptions.RetryWindow must be greater than zero and at most 7 days (was 00:00:00)" },
        { nameof(TlsRptOptions.InitialRetryDelay), "TlsRptOptions.InitialRetryDelay must be greater than zero (was -00:00:01)" },
        { nameof(TlsRptOptions.MaxRetryDelay), "TlsRptOptions.MaxRetryDelay must be at least InitialRetryDelay (00:05:00) (was 00:01:00)" },
        { nameof(TlsRptOptions.FlushInterval), "TlsRptOptions.FlushInterval must be greater than zero (was 00:00:00)" },
        { nameof(TlsRptOptions.HttpsTimeout), "TlsRptOptions.HttpsTimeout must be greater than zero (was 00:00:00)" },
        { nameof(TlsRptOptions.SuppressionPeriod), "TlsRptOptions.SuppressionPeriod must not be negative (was -1.00:00:00)" },
        { nameof(TlsRptOptions.MaxReportsPerDestinationPerDay), "TlsRptOptions.MaxReportsPerDestinationPerDay must be at least 1 (was 0)" },
        { nameof(TlsRptOptions.SuppressAfterFailures), "TlsRptOptions.SuppressAfterFailures must be at least 1 (was 0)" },
        { nameof(TlsRptOptions.InstanceId), "TlsRptOptions.InstanceId must be 1 to 32 ASCII letters or digits (was 'mta-1')" },
        { nameof(TlsRptOptions.Transports), "TlsRptOptions.Transports has undefined flags (was 4)" },
        { nameof(TlsRptOptions.DkimSelector), "TlsRptOptions.DkimSelector must be one or more DNS labels (was 'sel_1')" },
        { nameof(TlsRptOptions.DkimDomain), "TlsRptOptions.DkimDomain must be a domain name (was '[192.0.2.1]')" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_BadOption_FailsNamingTheOptionAndTheValue(string option, string message)
    {
        var options = Valid();
        Break(options, option);

        var result = new TlsRptOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MailWithoutDkimKeyOrSelector_FailsCitingRfc8460()
    {
        var options = Valid();
        options.DkimPrivateKeyPem = null;
        options.DkimSelector = " ";

        var result = new TlsRptOptionsValidator().Validate(null, options);

        Assert.Contains("TlsRptOptions.DkimPrivateKeyPem is required: mail reports (TlsRptOptions.Transports includes Mail) must be DKIM-signed (RFC 8460 §3)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("TlsRptOptions.DkimSelector is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpsOnlyWithoutDkim_Succeeds()
    {
        var options = Valid();
        options.Transports = TlsReportTransports.Https;
        options.DkimPrivateKeyPem = null;
        options.DkimSelector = null;

        Assert.True(new TlsRptOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("sender.example")]
    [InlineData("SENDER.example.")]
    public void Validate_SubmitterDomainEqualToTheContactDomain_Succeeds(string submitter)
    {
        var options = Valid();
        options.SubmitterDomain = submitter;

        Assert.True(new TlsRptOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("sender.example", options.GetSubmitterDomain());
    }

    [Fact]
    public void Validate_DigitOnlySelectorAsGoogleUses_Succeeds()
    {
        var options = Valid();
        options.DkimSelector = "20230601";

        Assert.True(new TlsRptOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task AddTlsReporting_MailWithoutDkimKey_HostFailsToStartWithTheMessage()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddTlsReporting(o =>
        {
            o.OrganizationName = "Sender Org";
            o.ContactInfo = "tlsrpt@sender.example";
        });
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ITlsReportGenerator>());

        Assert.Contains("TlsRptOptions.DkimPrivateKeyPem is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInstanceId_NotSet_MachineNameLettersAndDigitsOnly()
    {
        var id = new TlsRptOptions().GetInstanceId();

        Assert.InRange(id.Length, 1, 32);
        Assert.All(id, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
    }

    private static TlsRptOptions Valid() => new()
    {
        OrganizationName = "Sender Org",
        ContactInfo = "tlsrpt@sender.example",
        DkimSelector = "tlsrpt",
        DkimPrivateKeyPem = "-----BEGIN PRIVATE KEY-----\n(checked by the MailKit package)\n-----END PRIVATE KEY-----",
    };

    private static void Break(TlsRptOptions o, string option)
    {
        switch (option)
        {
            case nameof(TlsRptOptions.OrganizationName): o.OrganizationName = null; break;
            case nameof(TlsRptOptions.ContactInfo): o.ContactInfo = "reports at sender.example"; break;
            case nameof(TlsRptOptions.SubmitterDomain): o.SubmitterDomain = "other.example"; break;
            case nameof(TlsRptOptions.DelayWindow): o.DelayWindow = TimeSpan.FromDays(1); break;
            case nameof(TlsRptOptions.RetryWindow): o.RetryWindow = TimeSpan.Zero; break;
            case nameof(TlsRptOptions.InitialRetryDelay): o.InitialRetryDelay = TimeSpan.FromSeconds(-1); break;
            case nameof(TlsRptOptions.MaxRetryDelay): o.MaxRetryDelay = TimeSpan.FromMinutes(1); break;
            case nameof(TlsRptOptions.FlushInterval): o.FlushInterval = TimeSpan.Zero; break;
            case nameof(TlsRptOptions.HttpsTimeout): o.HttpsTimeout = TimeSpan.Zero; break;
            case nameof(TlsRptOptions.SuppressionPeriod): o.SuppressionPeriod = TimeSpan.FromDays(-1); break;
            case nameof(TlsRptOptions.MaxReportsPerDestinationPerDay): o.MaxReportsPerDestinationPerDay = 0; break;
            case nameof(TlsRptOptions.SuppressAfterFailures): o.SuppressAfterFailures = 0; break;
            case nameof(TlsRptOptions.InstanceId): o.InstanceId = "mta-1"; break;
            case nameof(TlsRptOptions.Transports): o.Transports = (TlsReportTransports)4; break;
            case nameof(TlsRptOptions.DkimSelector): o.DkimSelector = "sel_1"; break;
            case nameof(TlsRptOptions.DkimDomain): o.DkimDomain = "[192.0.2.1]"; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }
    }
}
