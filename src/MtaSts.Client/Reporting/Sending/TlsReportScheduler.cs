using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MtaSts;

/// <summary>
/// The TLS-RPT hosted service, on <see cref="TimeProvider"/>: writes the collector's counts to the store every
/// <see cref="TlsRptOptions.FlushInterval"/> (and on stop); after each UTC day closes, sends every policy domain's report
/// at a random moment within <see cref="TlsRptOptions.DelayWindow"/> (RFC 8460 §4.1) to each usable <c>rua</c> on its own,
/// retrying with exponential back-off and jitter for <see cref="TlsRptOptions.RetryWindow"/> (§5.5).
/// </summary>
/// <remarks>
/// A report is built only for a domain with a TLS-RPT record, and marked sent in the store before it is queued, so a
/// crash or a second process sharing the store never sends it twice (at most once). Days closed while the process was
/// down (yesterday and the day before) are caught up at start.
/// </remarks>
internal sealed partial class TlsReportScheduler : IHostedService, IAsyncDisposable
{
    private const int MaxParallelJobs = 4;
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CloseRetryDelay = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CounterRetention = TimeSpan.FromDays(7);

    private readonly TlsRptCollector _collector;
    private readonly ITlsReportStore _store;
    private readonly TlsReportBuilder _builder;
    private readonly IMtaStsDns _dns;
    private readonly Dictionary<string, ITlsReportTransport> _transports;
    private readonly TlsRptOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly TlsRptTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly DestinationLimiter _limiter;
    private readonly Lock _queueGate = new();
    private readonly PriorityQueue<Job, DateTimeOffset> _queue = new();
    private readonly HashSet<(DateOnly Day, string Domain)> _scheduled = [];
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private long _idleGeneration;
    private long _nextWakeUtcTicks = long.MaxValue;
    private int _disposed;

    public TlsReportScheduler(
        TlsRptCollector collector,
        ITlsReportStore store,
        TlsReportBuilder builder,
        IMtaStsDns dns,
        IEnumerable<ITlsReportTransport> transports,
        TlsRptOptions options,
        TimeProvider timeProvider,
        TlsRptTelemetry telemetry,
        ILogger<TlsReportScheduler> logger)
    {
        _collector = collector;
        _store = store;
        _builder = builder;
        _dns = dns;
        _options = options;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
        _limiter = new DestinationLimiter(options);

        // The last registration of a scheme wins, as with TryAdd-style replacement.
        _transports = new Dictionary<string, ITlsReportTransport>(StringComparer.OrdinalIgnoreCase);
        foreach (var transport in transports)
        {
            _transports[transport.Scheme] = transport;
        }
    }

    /// <summary>Gets or sets the source of randomness in [0, 1) for the delay window and jitter; tests pin it.</summary>
    internal Func<double> NextRandom { get; set; } = Random.Shared.NextDouble;

    /// <summary>Gets how many times the loop has gone to sleep; with <see cref="NextWake"/>, lets tests advance fake time deterministically.</summary>
    internal long IdleGeneration => Volatile.Read(ref _idleGeneration);

    /// <summary>Gets when the sleeping loop wakes next.</summary>
    internal DateTimeOffset NextWake => new(Volatile.Read(ref _nextWakeUtcTicks), TimeSpan.Zero);

    /// <summary>Gets the per-destination limits, for tests.</summary>
    internal DestinationLimiter Limiter => _limiter;

    /// <summary>Checks that every enabled transport is registered, then starts the loop.</summary>
    /// <exception cref="InvalidOperationException">Mail reports are enabled but no mail transport is registered.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if ((_options.Transports & TlsReportTransports.Mail) != 0 && !_transports.ContainsKey(Uri.UriSchemeMailto))
        {
            throw new InvalidOperationException(
                "TlsRptOptions.Transports includes Mail, but no mail transport is registered: call AddTlsReportMail() (package MtaSts.Client.MailKit) on the MTA-STS builder, or set TlsRptOptions.Transports to TlsReportTransports.Https.");
        }

        if ((_options.Transports & TlsReportTransports.Https) != 0 && !_transports.ContainsKey(Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException("TlsRptOptions.Transports includes Https, but no HTTPS transport is registered.");
        }

        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops the loop (deliveries in flight are cancelled) and writes the counts in memory to the store.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || _loop is null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's stop budget ran out first.
        }

        // A clean stop loses no counts.
        await FlushQuietlyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes the instance once per registration (the scheduler and the hosted service): once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_loop is not null)
            {
                await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            _stopping.Dispose();
        }
    }

    private DateTimeOffset Now => _timeProvider.GetUtcNow();

    private static DateOnly DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextFlush = Now + _options.FlushInterval;
        var nextClose = Now; // At start: catch up on days that closed while the process was down.
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = Now;
                if (now >= nextFlush)
                {
                    await FlushQuietlyAsync(cancellationToken).ConfigureAwait(false);
                    nextFlush = now + _options.FlushInterval;
                }

                if (now >= nextClose)
                {
                    // A store that could not be read is tried again soon, not at the next midnight.
                    nextClose = await CloseDaysAsync(now, cancellationToken).ConfigureAwait(false)
                        ? TlsReportBuilder.Start(DayOf(now).AddDays(1))
                        : now + CloseRetryDelay;
                }

                await RunDueJobsAsync(cancellationToken).ConfigureAwait(false);

                var wake = nextFlush < nextClose ? nextFlush : nextClose;
                lock (_queueGate)
                {
                    if (_queue.TryPeek(out _, out var due) && due < wake)
                    {
                        wake = due;
                    }
                }

                var delay = wake - Now;
                if (delay > TimeSpan.Zero)
                {
                    // The timer exists before the loop says it sleeps, so that advancing fake time after that always wakes it.
                    var sleep = Task.Delay(delay, _timeProvider, cancellationToken);
                    Volatile.Write(ref _nextWakeUtcTicks, wake.UtcTicks);
                    Interlocked.Increment(ref _idleGeneration);
                    await sleep.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bug: keep reporting alive rather than end the loop.
                LogSchedulerFailed(_logger, ex);
                try
                {
                    await Task.Delay(ErrorPause, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _collector.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // The counts stay in memory and go with the next flush.
            _telemetry.FlushFailed();
            LogFlushFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Queues a report job for every domain with counts on a closed day (yesterday, the day before) not queued yet;
    /// <see langword="false"/> when the store could not be read.
    /// </summary>
    private async Task<bool> CloseDaysAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await FlushQuietlyAsync(cancellationToken).ConfigureAwait(false);
        var read = true;
        var today = DayOf(now);
        for (var day = today.AddDays(-2); day < today; day = day.AddDays(1))
        {
            IReadOnlyList<TlsReportCounter> counters;
            try
            {
                counters = await _store.GetCountersAsync(day, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogStoreFailed(_logger, "read", ex);
                read = false;
                continue;
            }

            // RFC 8460 §4.1: "the reports should be delivered after some delay"; each domain at its own random moment.
            var closedAt = TlsReportBuilder.Start(day.AddDays(1));
            foreach (var domain in counters.Select(c => c.PolicyDomain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (_scheduled.Add((day, domain)))
                {
                    var due = closedAt + (_options.DelayWindow * NextRandom());
                    Enqueue(new ReportJob(day, domain) { Due = due > now ? due : now });
                }
            }
        }

        _scheduled.RemoveWhere(s => s.Day < today.AddDays(-2));
        _limiter.Prune(now);
        try
        {
            await _store.RemoveBeforeAsync(today.AddDays(-(int)CounterRetention.TotalDays), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStoreFailed(_logger, "remove", ex);
        }

        return read;
    }
}
