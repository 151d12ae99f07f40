using Microsoft.Extensions.Time.Testing;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// Drives the TLS report scheduler on fake time, against real servers or fakes: <see cref="RunUntilAsync"/> moves the clock
/// to each moment the scheduler asked to wake at, and waits (in real time) until it has done its work — real DNS, HTTPS or
/// SMTP included — and sleeps again.
/// </summary>
internal sealed class ReportSchedulerDriver(TlsReportScheduler scheduler, FakeTimeProvider time)
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts the scheduler with its randomness pinned (delay window and jitter at their middle) and waits until it sleeps.</summary>
    public async Task StartAsync()
    {
        scheduler.NextRandom = () => 0.5;
        var generation = scheduler.IdleGeneration;
        await scheduler.StartAsync(CancellationToken.None);
        await WaitAsync(generation);
    }

    public async Task RunUntilAsync(DateTimeOffset target)
    {
        while (true)
        {
            var wake = scheduler.NextWake;
            if (wake > target)
            {
                if (target > time.GetUtcNow())
                {
                    time.SetUtcNow(target);
                }

                return;
            }

            var generation = scheduler.IdleGeneration;
            time.SetUtcNow(wake);
            await WaitAsync(generation);
        }
    }

    private Task WaitAsync(long generation) =>
        Poll.UntilAsync(() => scheduler.IdleGeneration > generation, "the report scheduler to go back to sleep", SettleTimeout);
}
