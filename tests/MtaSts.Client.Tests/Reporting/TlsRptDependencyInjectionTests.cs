using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Reporting;

/// <summary>How <c>AddTlsReporting</c> wires the parts, and their lifetime in a container.</summary>
public sealed class TlsRptDependencyInjectionTests
{
    [Fact]
    public async Task AddTlsReporting_CalledTwice_OneSinkOneSchedulerOneHttpsTransport()
    {
        var services = NewServices();
        services.AddMtaSts().AddTlsReporting(Configure).AddTlsReporting(Configure);
        await using var provider = services.BuildServiceProvider();

        var sink = Assert.Single(provider.GetServices<ISmtpSessionOutcomeSink>());
        Assert.Same(provider.GetRequiredService<TlsRptCollector>(), sink);
        Assert.Single(provider.GetServices<IHostedService>().OfType<TlsReportScheduler>());
        Assert.Equal("https", Assert.Single(provider.GetServices<ITlsReportTransport>()).Scheme);
        Assert.IsType<MemoryTlsReportStore>(provider.GetRequiredService<ITlsReportStore>());
    }

    [Fact]
    public async Task AddTlsReportStore_BeforeOrAfterAddTlsReporting_ReplacesTheMemoryStore()
    {
        var store = new MemoryTlsReportStore();
        var before = NewServices();
        before.AddMtaSts().AddTlsReportStore(_ => store).AddTlsReporting(Configure);
        var after = NewServices();
        after.AddMtaSts().AddTlsReporting(Configure).AddTlsReportStore(_ => store);

        await using var first = before.BuildServiceProvider();
        await using var second = after.BuildServiceProvider();

        Assert.Same(store, first.GetRequiredService<ITlsReportStore>());
        Assert.Same(store, second.GetRequiredService<ITlsReportStore>());
    }

    [Fact]
    public async Task DisposeAsync_StartedAndStoppedScheduler_DisposedOncePerRegistrationWithoutThrowing()
    {
        // Regression: the container disposes the scheduler once as itself and once as the hosted service.
        var services = NewServices();
        services.AddMtaSts().AddTlsReporting(Configure);
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().OfType<TlsReportScheduler>().Single();
        await hosted.StartAsync(CancellationToken.None);
        await hosted.StopAsync(CancellationToken.None);

        await provider.DisposeAsync();
        await hosted.StopAsync(CancellationToken.None);
    }

    private static ServiceCollection NewServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        return services;
    }

    private static void Configure(TlsRptOptions o)
    {
        o.OrganizationName = "Sender Org";
        o.ContactInfo = "tlsrpt@sender.example";
        o.Transports = TlsReportTransports.Https;
    }
}
