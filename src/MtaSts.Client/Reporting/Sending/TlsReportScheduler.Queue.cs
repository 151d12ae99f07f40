namespace MtaSts;

internal sealed partial class TlsReportScheduler
{
    private void Enqueue(Job job)
    {
        lock (_queueGate)
        {
            _queue.Enqueue(job, job.Due);
        }
    }

    private async Task RunDueJobsAsync(CancellationToken cancellationToken)
    {
        List<Job> due = [];
        var now = Now;
        lock (_queueGate)
        {
            while (_queue.TryPeek(out _, out var at) && at <= now)
            {
                due.Add(_queue.Dequeue());
            }
        }

        if (due.Count == 0)
        {
            return;
        }

        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelJobs, CancellationToken = cancellationToken },
            async (job, ct) =>
            {
                try
                {
                    await (job switch
                    {
                        ReportJob report => RunReportJobAsync(report, ct),
                        DeliveryJob delivery => RunDeliveryJobAsync(delivery, ct),
                        _ => Task.CompletedTask,
                    }).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    LogSchedulerFailed(_logger, ex);
                }
            }).ConfigureAwait(false);
    }

    /// <summary>When the next attempt after <paramref name="attempt"/> failed attempts is due: exponential back-off with ±20% jitter, capped; <see langword="null"/> past the retry window.</summary>
    private DateTimeOffset? NextAttempt(int attempt, DateTimeOffset firstAttempt, DateTimeOffset now)
    {
        // RFC 8460 §5.5: "a sender SHOULD attempt redelivery for up to 24 hours after the initial attempt" ... "with exponential backoff".
        var end = firstAttempt + _options.RetryWindow;
        if (now >= end)
        {
            return null;
        }

        var exponential = _options.InitialRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = exponential < _options.MaxRetryDelay ? exponential : _options.MaxRetryDelay;
        var next = now + (capped * (0.8 + (0.4 * NextRandom())));

        // The last attempt falls at the end of the window rather than not at all.
        return next < end ? next : end;
    }

    /// <summary>Work the loop runs when it is due.</summary>
    private abstract class Job
    {
        public DateTimeOffset Due { get; set; }

        public int Attempt { get; set; } = 1;

        public DateTimeOffset? FirstAttempt { get; set; }
    }

    /// <summary>Discovers where a domain's report goes, builds it, marks it sent and queues its deliveries.</summary>
    private sealed class ReportJob(DateOnly day, string policyDomain) : Job
    {
        public DateOnly Day { get; } = day;

        public string PolicyDomain { get; } = policyDomain;
    }

    /// <summary>Delivers one report to one destination.</summary>
    private sealed class DeliveryJob(TlsReportSubmission submission, ITlsReportTransport transport, string destinationKey, DateOnly day) : Job
    {
        public TlsReportSubmission Submission { get; } = submission;

        public ITlsReportTransport Transport { get; } = transport;

        public string DestinationKey { get; } = destinationKey;

        public DateOnly Day { get; } = day;
    }
}
