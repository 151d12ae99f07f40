using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary><c>AddMtaSts</c> in a real generic host: validation at start, resolution, and the hosted refresh service.</summary>
[Collection(MtaStsCollection.Name)]
public sealed class MtaStsServiceCollectionExtensionsTests(MtaStsEnvironment env)
{
    private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AddMtaSts_ZeroFetchTimeout_HostStartFailsNamingTheOption()
    {
        var builder = NewHostBuilder();
        builder.Services.AddMtaSts(o => o.FetchTimeout = TimeSpan.Zero);
        using var sut = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => sut.StartAsync());

        Assert.Contains("MtaStsOptions.FetchTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("00:00:00", ex.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(MtaStsOptions), ex.OptionsType);
    }

    [Fact]
    public async Task AddMtaSts_ValidOptionsInHost_ResolvesAgainstRealServersAndRefreshServiceStopsWithHost()
    {
        var domain = await env.AddDomainAsync(id: "host1");
        var builder = NewHostBuilder();
        builder.Services.AddMtaSts(env.ConfigureOptions);
        using var host = builder.Build();

        await host.StartAsync();
        using var resolutions = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), MtaStsDiagnostics.MeterName, "mtasts.resolutions");
        using var lookups = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), MtaStsDiagnostics.MeterName, "mtasts.cache.lookups");
        var sut = host.Services.GetRequiredService<IMtaStsPolicyResolver>();
        var first = await sut.ResolveAsync(domain);
        var second = await sut.ResolveAsync(domain);
        var refresh = Assert.Single(host.Services.GetServices<IHostedService>().OfType<PolicyRefreshService>());
        var refreshRunning = refresh.ExecuteTask is { IsCompleted: false };
        using var stopBudget = new CancellationTokenSource(StopBudget);
        await host.StopAsync(stopBudget.Token);

        Assert.Equal(PolicyResolutionStatus.Fetched, first.Status);
        Assert.Equal("host1", first.PolicyId);
        Assert.True(first.IsEnforced);
        Assert.Equal(PolicyResolutionStatus.Cached, second.Status);
        Assert.Same(host.Services.GetRequiredService<PolicyResolver>(), sut);
        Assert.Equal(1, env.Dns.QueryCount("_mta-sts." + domain, "TXT"));
        Assert.Equal(1, env.Https.RequestCount("mta-sts." + domain));

        // The resolver's meter comes from the host's IMeterFactory.
        Assert.Equal(["fetched"], resolutions.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.resolution.status"]));
        Assert.Equal(["miss", "hit"], lookups.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.cache.result"]));

        Assert.True(refreshRunning);
        Assert.False(stopBudget.IsCancellationRequested);
        Assert.True(refresh.ExecuteTask!.IsCompletedSuccessfully);
    }

    private static HostApplicationBuilder NewHostBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        return builder;
    }
}
