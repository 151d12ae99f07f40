using Microsoft.Extensions.Configuration;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class ServePostfixOptionsValidatorTests
{
    private readonly ServePostfixOptionsValidator _sut = new();

    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(_sut.Validate(null, new ServePostfixOptions()).Succeeded);

    [Fact]
    public void Validate_EveryKindOfSetting_Succeeds()
    {
        var options = new ServePostfixOptions
        {
            Listen = ["inet:127.0.0.1:8461", "inet:[::1]:8461", "inet:localhost:9000", "unix:/run/mta-sts/socketmap.sock"],
            Socket = new UnixSocketOptions { Mode = "660", Owner = "root", Group = "0" },
            Names = new() { ["strict"] = new SocketmapNameOptions { Testing = TestingPolicy.Enforce } },
            Store = new StoreSettings { Type = PolicyStoreType.Sqlite, Path = "/tmp/policies.db" },
        };

        Assert.True(_sut.Validate(null, options).Succeeded, _sut.Validate(null, options).FailureMessage);
    }

    [Theory]
    [InlineData("Listen", "Listen: 'inet:127.0.0.1:1' is given more than once.")]
    [InlineData("Owner", "Socket:Owner: 'no-such-user-here' is not a user of this system.")]
    [InlineData("MaxRequestBytes", "Limits:MaxRequestBytes: 10 is not between 64 and 65536.")]
    [InlineData("RequestTimeout", "Limits:RequestTimeout: 00:00:00 is not between")]
    [InlineData("ShutdownTimeout", "Limits:ShutdownTimeout: -00:00:01 is not between")]
    [InlineData("DnsTimeout", "Resolver:DnsTimeout: 00:10:00 is not between")]
    [InlineData("DiscoveryTimeout", "Resolver:DiscoveryTimeout: 00:00:00 is not between")]
    [InlineData("FetchTimeout", "Resolver:FetchTimeout: 1.00:00:00 is not between")]
    [InlineData("Store", "Store:Type: '7' is not None, Sqlite or Redis.")]
    [InlineData("Testing", "Testing: '9' is not ReportOnly or Enforce.")]
    [InlineData("Name", "Names: 'x\ty' is not a socketmap name")]
    public void Validate_BadSetting_FailsNamingIt(string setting, string expected)
    {
        var options = new ServePostfixOptions();
        switch (setting)
        {
            case "Listen": options.Listen = ["inet:127.0.0.1:1", "inet:127.0.0.1:1"]; break;
            case "Owner": options.Socket.Owner = "no-such-user-here"; break;
            case "MaxRequestBytes": options.Limits.MaxRequestBytes = 10; break;
            case "RequestTimeout": options.Limits.RequestTimeout = TimeSpan.Zero; break;
            case "ShutdownTimeout": options.Limits.ShutdownTimeout = TimeSpan.FromSeconds(-1); break;
            case "DnsTimeout": options.Resolver.DnsTimeout = TimeSpan.FromMinutes(10); break;
            case "DiscoveryTimeout": options.Resolver.DiscoveryTimeout = TimeSpan.Zero; break;
            case "FetchTimeout": options.Resolver.FetchTimeout = TimeSpan.FromDays(1); break;
            case "Store": options.Store.Type = (PolicyStoreType)7; break;
            case "Testing": options.Testing = (TestingPolicy)9; break;
            default: options.Names["x\ty"] = new SocketmapNameOptions(); break;
        }

        var result = _sut.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplySettings_NameWithoutItsOwnValue_TakesTheTopLevel()
    {
        var options = new ServePostfixOptions { TlsRpt = true, RequireSni = false, Names = new() { ["strict"] = new SocketmapNameOptions { Testing = TestingPolicy.Enforce } } };

        var (defaults, names) = options.ReplySettings();

        Assert.Equal(TestingPolicy.ReportOnly, defaults.Testing);
        Assert.Equal(TestingPolicy.Enforce, names["strict"].Testing);
        Assert.True(names["strict"].TlsRpt);
        Assert.False(names["strict"].RequireSni);
    }

    [Theory]
    [InlineData("inet:127.0.0.1:8461", true)]
    [InlineData("inet:[::1]:8461", true)]
    [InlineData("unix:/run/x.sock", true)]
    [InlineData("inet:127.0.0.1", false)]
    [InlineData("inet:example.com:25", false)]
    [InlineData("inet::25", false)]
    [InlineData("unix:", false)]
    [InlineData("unix:/run/", false)]
    [InlineData("127.0.0.1:8461", false)]
    public void ListenEndpoint_TryParse(string text, bool valid) =>
        Assert.Equal(valid, ListenEndpoint.TryParse(text, out _, out _));

    [Fact]
    public void Options_AreBoundFromConfiguration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Listen:0"] = "unix:/run/a.sock",
                ["Testing"] = "Enforce",
                ["Limits:IdleTimeout"] = "00:00:30",
                ["Store:Type"] = "Redis",
                ["Store:Configuration"] = "127.0.0.1:6379",
                ["Names:strict:TlsRpt"] = "true",
            })
            .Build();
        var options = new ServePostfixOptions();

        configuration.Bind(options);

        Assert.Equal(["unix:/run/a.sock"], options.Listen);
        Assert.Equal(TestingPolicy.Enforce, options.Testing);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Limits.IdleTimeout);
        Assert.Equal(PolicyStoreType.Redis, options.Store.Type);
        Assert.True(options.Names["strict"].TlsRpt);
        Assert.True(_sut.Validate(null, options).Succeeded);
    }
}
