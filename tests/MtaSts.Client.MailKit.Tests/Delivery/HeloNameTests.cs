using Microsoft.Extensions.Options;

namespace MtaSts.MailKit.Tests.Delivery;

/// <summary>The EHLO name: a fully qualified name or an address literal, never anything that could carry a second command.</summary>
public sealed class HeloNameTests
{
    [Theory]
    [InlineData("mta.example.org", true)]
    [InlineData("[192.0.2.1]", true)]
    [InlineData("[IPv6:2001:db8::1]", true)]
    [InlineData("localhost", false)]
    [InlineData("vm", false)]
    [InlineData("mta.example.org\r\nMAIL FROM:<x@y.example>", false)]
    [InlineData("mta .example.org", false)]
    [InlineData("[IPv6:fe80::1%eth0\r\nMAIL FROM:<a@b.example>]", false)]
    [InlineData("[IPv6:fe80::1%1]", false)]
    [InlineData("[not an address]", false)]
    [InlineData("-bad.example.org", false)]
    [InlineData("", false)]
    public void IsValid_Name_OnlyFullyQualifiedNamesAndLiterals(string name, bool valid) =>
        Assert.Equal(valid, HeloNames.IsValid(name));

    [Fact]
    public void Validate_NoHeloNameAndNoMachineName_AsksForIt()
    {
        var sut = new MtaStsDeliveryOptionsValidator();

        var result = sut.Validate(null, new MtaStsDeliveryOptions { HeloName = null });

        Assert.True(result.Failed);
        Assert.Contains("MtaStsDeliveryOptions.HeloName is not set", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(MtaStsDeliveryOptions.SessionTimeout))]
    [InlineData(nameof(MtaStsDeliveryOptions.DomainTimeout))]
    [InlineData(nameof(MtaStsDeliveryOptions.CommandTimeout))]
    [InlineData(nameof(MtaStsDeliveryOptions.ConnectTimeout))]
    public void Validate_NonPositiveTimeout_NamesTheOptionAndValue(string option)
    {
        var options = new MtaStsDeliveryOptions { HeloName = "mta.example.org" };
        typeof(MtaStsDeliveryOptions).GetProperty(option)!.SetValue(options, TimeSpan.Zero);

        var result = new MtaStsDeliveryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"MtaStsDeliveryOptions.{option} must be greater than zero (was 00:00:00)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TinyReplyCap_Refused()
    {
        var result = new MtaStsDeliveryOptionsValidator().Validate(null, new MtaStsDeliveryOptions { HeloName = "mta.example.org", MaxReplyBytes = 100 });

        Assert.True(result.Failed);
        Assert.Contains("MaxReplyBytes must be at least 512 (was 100)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoHeloNameOnAMachineWithoutFqdn_FailsAtStartWithTheMessage()
    {
        if (HeloNames.MachineName() is not null)
        {
            // This machine has a fully qualified name: the default is it, and Create succeeds.
            using var agent = MtaStsDeliveryAgent.Create(p => p.NameServers.Add(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 53)));
            return;
        }

        var ex = Assert.Throws<OptionsValidationException>(() => MtaStsDeliveryAgent.Create(p => p.NameServers.Add(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 53))));
        Assert.Contains("HeloName", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("bücher.example", false)]
    [InlineData("example.com.", false)]
    [InlineData("[192.0.2.1]", false)]
    public void Validate_DaneRequiredDomain_OnlyALabelNames(string domain, bool valid)
    {
        var options = new MtaStsDeliveryOptions { HeloName = "mta.example.org" };
        options.DaneRequiredDomains.Add(domain);

        var result = new MtaStsDeliveryOptionsValidator().Validate(null, options);

        Assert.Equal(!valid, result.Failed);
        if (!valid)
        {
            Assert.Contains($"MtaStsDeliveryOptions.DaneRequiredDomains must hold domain names in A-labels without a trailing dot (was '{domain}')", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
