using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MtaSts.Tests.Resolution;

/// <summary>Bad options fail at start, with messages that name the option and the value.</summary>
public sealed class MtaStsOptionsValidationTests
{
    public static TheoryData<string> BadOptions() =>
    [
        nameof(MtaStsOptions.DnsTimeout),
        nameof(MtaStsOptions.FetchTimeout),
        nameof(MtaStsOptions.FetchRetryCount),
        nameof(MtaStsOptions.FetchRetryDelay),
        nameof(MtaStsOptions.MaxPolicyBodySize),
        nameof(MtaStsOptions.FetchBackoff),
        nameof(MtaStsOptions.RecordCheckInterval),
        nameof(MtaStsOptions.RefreshInterval),
        nameof(MtaStsOptions.UnusedPolicyLifetime),
        nameof(MtaStsOptions.RevocationMode),
        nameof(MtaStsOptions.StoreTimeout),
        nameof(MtaStsOptions.TrustedValidatingResolvers),
    ];

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Create_BadOption_ThrowsNamingTheOption(string option)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => MtaStsResolver.Create(o => Break(o, option)));

        Assert.Contains("MtaStsOptions." + option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMtaSts_BadOptions_FailWhenOptionsAreFirstRead()
    {
        var services = new ServiceCollection();
        services.AddMtaSts(o => o.FetchTimeout = TimeSpan.FromSeconds(-1));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IMtaStsPolicyResolver>());

        Assert.Contains("MtaStsOptions.FetchTimeout must be greater than zero (was -00:00:01)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMtaSts_Defaults_ResolveAWorkingResolver()
    {
        var services = new ServiceCollection();
        var builder = services.AddMtaSts();
        await using var provider = services.BuildServiceProvider();

        var sut = provider.GetRequiredService<IMtaStsPolicyResolver>();

        Assert.Same(services, builder.Services);
        Assert.Same(sut, provider.GetRequiredService<IMtaStsPolicyResolver>());
        Assert.Equal(TimeSpan.FromSeconds(60), provider.GetRequiredService<IOptions<MtaStsOptions>>().Value.FetchTimeout);
    }

    [Fact]
    public void AddMtaSts_CalledTwice_RegistersOneResolver()
    {
        var services = new ServiceCollection();
        services.AddMtaSts();
        services.AddMtaSts();

        Assert.Single(services, d => d.ServiceType == typeof(IMtaStsPolicyResolver));
    }

    [Theory]
    [InlineData("ftp://proxy.example:21/", "must be an absolute http, https, socks4, socks4a or socks5 URI")]
    [InlineData("proxy.example:3128", "must be an absolute http, https, socks4, socks4a or socks5 URI")]
    [InlineData("http://user:secret@proxy.example:3128/", "must not carry user information")]
    [InlineData("http://proxy.example:3128/path", "must be a scheme, host and port only")]
    public void Create_BadProxy_ThrowsNamingTheOptionWithoutTheSecret(string proxy, string message)
    {
        var uri = Uri.TryCreate(proxy, UriKind.Absolute, out var absolute) ? absolute : new Uri(proxy, UriKind.Relative);

        var ex = Assert.Throws<OptionsValidationException>(() => MtaStsResolver.Create(o => o.Proxy = uri));

        Assert.Contains("MtaStsOptions.Proxy " + message, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://proxy.example:3128")]
    [InlineData("https://proxy.example/")]
    [InlineData("socks5://127.0.0.1:1080")]
    public void Create_GoodProxy_IsAccepted(string proxy)
    {
        using var sut = MtaStsResolver.Create(o => o.Proxy = new Uri(proxy));

        Assert.NotNull(sut);
    }

    [Fact]
    public void Proxy_ByDefault_IsOffAndTheHandlerIgnoresTheSystemProxy()
    {
        var options = new MtaStsOptions();
        var factory = new PolicyHttpHandlerFactory(options, new Fakes.FakeDns(), new CertificateValidator([], System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck, TimeProvider.System), TimeProvider.System);

        using var handler = factory.Create();

        Assert.Null(options.Proxy);
        Assert.False(handler.UseProxy);
        Assert.NotNull(handler.ConnectCallback);
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public void Proxy_Set_HandlerUsesExactlyThatProxyAndKeepsTheFetchRules()
    {
        var options = new MtaStsOptions { Proxy = new Uri("http://proxy.example:3128") };
        var factory = new PolicyHttpHandlerFactory(options, new Fakes.FakeDns(), new CertificateValidator([], System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck, TimeProvider.System), TimeProvider.System);

        using var handler = factory.Create();

        Assert.True(handler.UseProxy);
        Assert.Equal(new Uri("http://proxy.example:3128"), handler.Proxy!.GetProxy(new Uri("https://mta-sts.example.com/.well-known/mta-sts.txt")));
        Assert.False(handler.Proxy.IsBypassed(new Uri("https://mta-sts.localhost/")));
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
        Assert.NotNull(handler.SslOptions.RemoteCertificateValidationCallback);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, handler.SslOptions.EnabledSslProtocols);
    }

    private static void Break(MtaStsOptions o, string option)
    {
        switch (option)
        {
            case nameof(MtaStsOptions.DnsTimeout): o.DnsTimeout = TimeSpan.Zero; break;
            case nameof(MtaStsOptions.FetchTimeout): o.FetchTimeout = TimeSpan.FromSeconds(-5); break;
            case nameof(MtaStsOptions.FetchRetryCount): o.FetchRetryCount = -1; break;
            case nameof(MtaStsOptions.FetchRetryDelay): o.FetchRetryDelay = TimeSpan.FromSeconds(-1); break;
            case nameof(MtaStsOptions.MaxPolicyBodySize): o.MaxPolicyBodySize = 65537; break;
            case nameof(MtaStsOptions.FetchBackoff): o.FetchBackoff = TimeSpan.FromSeconds(-1); break;
            case nameof(MtaStsOptions.RecordCheckInterval): o.RecordCheckInterval = TimeSpan.Zero; break;
            case nameof(MtaStsOptions.RefreshInterval): o.RefreshInterval = TimeSpan.Zero; break;
            case nameof(MtaStsOptions.UnusedPolicyLifetime): o.UnusedPolicyLifetime = TimeSpan.Zero; break;
            case nameof(MtaStsOptions.StoreTimeout): o.StoreTimeout = TimeSpan.Zero; break;
            case nameof(MtaStsOptions.TrustedValidatingResolvers): o.TrustedValidatingResolvers.Add(System.Net.IPAddress.Any); break;
            case nameof(MtaStsOptions.RevocationMode): o.RevocationMode = (System.Security.Cryptography.X509Certificates.X509RevocationMode)42; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }
    }
}
