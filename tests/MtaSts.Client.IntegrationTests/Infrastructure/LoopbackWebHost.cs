using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>Shared Kestrel plumbing: one endpoint on 127.0.0.1 with a kernel-assigned port, no logging, one terminal handler.</summary>
internal static class LoopbackWebHost
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Starts the host and returns it with the port it is bound to.</summary>
    public static async Task<(WebApplication App, int Port)> StartAsync(
        Action<ListenOptions> configureListener,
        RequestDelegate handler,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MinResponseDataRate = null;
            options.Listen(IPAddress.Loopback, 0, configureListener);
        });

        var app = builder.Build();
        app.Run(handler);
        try
        {
            await app.StartAsync(cancellationToken);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return (app, new Uri(addresses.Addresses.Single()).Port);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the host, aborting whatever is still running after a short grace period, and disposes it.</summary>
    public static async Task StopAsync(WebApplication app)
    {
        using var timeout = new CancellationTokenSource(ShutdownTimeout);
        try
        {
            await app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Remaining connections were aborted.
        }

        await app.DisposeAsync();
    }
}
