using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// TLS reporting built by dependency injection (the container a test filled, with <see cref="Time"/> as its
/// <see cref="TimeProvider"/>), its scheduler started and driven on fake time by a <see cref="ReportSchedulerDriver"/>:
/// the base of the tests' reporting applications, which add what they feed it and read from it.
/// </summary>
internal abstract class ReportingHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ReportSchedulerDriver _driver;
    private readonly bool _stopOnDispose;

    /// <param name="provider">The container; disposed with this host.</param>
    /// <param name="time">The fake time of the container. The reporting day is the day it shows now.</param>
    /// <param name="stopOnDispose">
    /// Whether disposing stops the scheduler first (a clean shutdown); otherwise its loop is only cancelled, and nothing
    /// more is written, as when the process dies.
    /// </param>
    protected ReportingHost(ServiceProvider provider, FakeTimeProvider time, bool stopOnDispose = true)
    {
        _provider = provider;
        _stopOnDispose = stopOnDispose;
        Time = time;
        Scheduler = provider.GetRequiredService<TlsReportScheduler>();
        _driver = new ReportSchedulerDriver(Scheduler, time);
        Generator = provider.GetRequiredService<ITlsReportGenerator>();
        Day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
    }

    public FakeTimeProvider Time { get; }

    public ITlsReportGenerator Generator { get; }

    /// <summary>Gets the day sessions are counted on: the day fake time showed when the host was built.</summary>
    public DateOnly Day { get; }

    public DateTimeOffset DayStart => new(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Gets when the day's reports are due: 02:00 the next day (a 4 h window, randomness pinned at its middle).</summary>
    public DateTimeOffset Due => DayStart.AddDays(1).AddHours(2);

    protected IServiceProvider Services => _provider;

    protected TlsReportScheduler Scheduler { get; }

    /// <summary>Moves fake time to <paramref name="target"/>, letting the scheduler do all it has to on the way.</summary>
    public Task RunUntilAsync(DateTimeOffset target) => _driver.RunUntilAsync(target);

    /// <summary>Stops the scheduler as the host would at a clean shutdown (it flushes the counters).</summary>
    public Task StopAsync() => Scheduler.StopAsync(CancellationToken.None);

    public virtual async ValueTask DisposeAsync()
    {
        if (_stopOnDispose)
        {
            await StopAsync();
        }

        await _provider.DisposeAsync();
    }

    /// <summary>Starts <paramref name="host"/>'s scheduler and waits until it sleeps; disposes the host if that fails.</summary>
    protected static async Task<THost> StartAsync<THost>(THost host)
        where THost : ReportingHost
    {
        try
        {
            await host._driver.StartAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }
}
