using Microsoft.Extensions.Hosting;

namespace MtaSts;

/// <summary>
/// Runs <see cref="PolicyResolver.RefreshDueAsync"/> periodically so that policies in use are re-fetched before they
/// expire and an attacker who blocks one fetch cannot make a policy lapse (RFC 8461 §10.2).
/// </summary>
internal sealed class PolicyRefreshService : BackgroundService
{
    private readonly PolicyResolver _resolver;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _scanInterval;

    public PolicyRefreshService(PolicyResolver resolver, MtaStsOptions options, TimeProvider timeProvider)
    {
        _resolver = resolver;
        _timeProvider = timeProvider;

        // Look for due refreshes often enough that the jitter of the schedule is kept, at most once a minute.
        _scanInterval = TimeSpan.FromTicks(Math.Clamp(options.RefreshInterval.Ticks / 24, TimeSpan.TicksPerMinute, TimeSpan.TicksPerHour));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Decision 27 / RFC 8461 §10.2: policies known before a restart apply again without network access.
            await _resolver.WarmUpAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_scanInterval, _timeProvider, stoppingToken).ConfigureAwait(false);
                await _resolver.RefreshDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
