namespace MtaSts;

internal sealed partial class TlsReportScheduler
{
    private async Task RunReportJobAsync(ReportJob job, CancellationToken cancellationToken)
    {
        var now = Now;
        job.FirstAttempt ??= now;
        var domain = job.PolicyDomain;

        // RFC 8460 §3: the reporting policy is the TXT record at "_smtp._tls.<Policy Domain>". No record, no report.
        TxtLookupResult txt;
        try
        {
            txt = await _dns.LookupTxtAsync("_smtp._tls." + domain, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            txt = TxtLookupResult.Failure(ex.GetType().Name);
        }

        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            if (NextAttempt(job.Attempt, job.FirstAttempt.Value, now) is { } retry)
            {
                LogRecordLookupFailed(_logger, domain, txt.Error, retry);
                job.Attempt++;
                job.Due = retry;
                Enqueue(job);
            }
            else
            {
                LogRecordLookupGaveUp(_logger, domain, job.Day, txt.Error);
            }

            return;
        }

        if (!TlsRptRecord.TryParseRecordSet(txt.Records, out var record))
        {
            LogNoReportingRecord(_logger, domain, txt.Records.Count);
            return;
        }

        foreach (var ignored in record.IgnoredUris)
        {
            LogReportUriIgnored(_logger, domain, ignored);
        }

        IReadOnlyList<TlsReportCounter> counters;
        try
        {
            counters = await _store.GetCountersAsync(job.Day, domain, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStoreFailed(_logger, "read", ex);
            Retry(job, now);
            return;
        }

        var report = _builder.Build(domain, job.Day, counters, out var unreadable);
        if (unreadable > 0)
        {
            LogUnreadableCounters(_logger, domain, job.Day, unreadable);
        }

        if (report is null)
        {
            return;
        }

        if (_options.ReportOnlyDaysWithFailures && report.Policies.All(p => p.TotalFailureSessionCount == 0))
        {
            LogNoFailuresNotReported(_logger, domain, job.Day);
            return;
        }

        var destinations = new List<(Uri Uri, string? Address, ITlsReportTransport Transport)>();
        for (var i = 0; i < record.ReportUris.Count; i++)
        {
            var uri = record.ReportUris[i];
            if (destinations.Any(d => d.Uri == uri))
            {
                // A URI listed twice gets the report once.
                continue;
            }

            var isMail = uri.Scheme == Uri.UriSchemeMailto;
            if (!isMail && uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
            {
                // The HTTPS stack resolves host names through the project's DNS and checks the certificate by name.
                LogReportUriIgnored(_logger, domain, uri.OriginalString);
                continue;
            }

            var enabled = (_options.Transports & (isMail ? TlsReportTransports.Mail : TlsReportTransports.Https)) != 0;
            if (!enabled || !_transports.TryGetValue(uri.Scheme, out var transport))
            {
                _telemetry.ReportSuppressed(uri.Scheme, "transport_disabled");
                LogTransportDisabled(_logger, domain, uri.Scheme);
                continue;
            }

            destinations.Add((uri, isMail ? MailtoAddress(record, uri) : null, transport));
        }

        if (destinations.Count == 0)
        {
            return;
        }

        // "Marked sent before queued": once marked, no crash and no other process sharing the store sends it again.
        bool marked;
        try
        {
            marked = await _store.TryMarkReportSentAsync(job.Day, domain, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStoreFailed(_logger, "mark-sent", ex);
            Retry(job, now);
            return;
        }

        if (!marked)
        {
            LogAlreadySent(_logger, domain, job.Day);
            return;
        }

        var content = report.ToGzip();
        var fileName = _builder.FileName(domain, job.Day);
        _telemetry.ReportBuilt();
        var successes = report.Policies.Sum(p => p.TotalSuccessfulSessionCount);
        var failures = report.Policies.Sum(p => p.TotalFailureSessionCount);
        LogReportBuilt(_logger, domain, job.Day, report.ReportId!, successes, failures, destinations.Count);
        foreach (var (uri, address, transport) in destinations)
        {
            var submission = new TlsReportSubmission(report, domain, _builder.SubmitterDomain, uri, address, fileName, content);
            Enqueue(new DeliveryJob(submission, transport, DestinationLimiter.KeyOf(uri, address), job.Day) { Due = now });
        }
    }

    private async Task RunDeliveryJobAsync(DeliveryJob job, CancellationToken cancellationToken)
    {
        var now = Now;
        var submission = job.Submission;
        var scheme = job.Transport.Scheme;
        if (job.FirstAttempt is null)
        {
            job.FirstAttempt = now;
            switch (_limiter.TryAcquire(job.DestinationKey, now))
            {
                case DestinationLimiter.Verdict.Suppressed:
                    _telemetry.ReportSuppressed(scheme, "suppressed");
                    LogDestinationSkipped(_logger, submission.PolicyDomain, submission.Destination, "suppressed after failing repeatedly");
                    return;
                case DestinationLimiter.Verdict.RateLimited:
                    _telemetry.ReportSuppressed(scheme, "rate_limited");
                    LogDestinationSkipped(_logger, submission.PolicyDomain, submission.Destination, $"more than {_options.MaxReportsPerDestinationPerDay} reports in 24 hours");
                    return;
            }
        }

        TlsReportDeliveryResult result;
        try
        {
            result = await job.Transport.DeliverAsync(submission, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A transport must not throw for protocol outcomes; if one does, retry as a temporary failure.
            result = TlsReportDeliveryResult.TemporaryFailure("exception: " + ex.GetType().Name);
        }

        _telemetry.DeliveryAttempted(scheme, result.Status);
        now = Now;
        switch (result.Status)
        {
            case TlsReportDeliveryStatus.Delivered:
                _limiter.Succeeded(job.DestinationKey);
                _telemetry.ReportSent(scheme);
                LogReportSent(_logger, submission.PolicyDomain, job.Day, submission.Destination, job.Attempt, result.Detail);
                return;

            case TlsReportDeliveryStatus.TemporaryFailure when NextAttempt(job.Attempt, job.FirstAttempt.Value, now) is { } retry:
                LogDeliveryFailed(_logger, submission.PolicyDomain, submission.Destination, job.Attempt, result.Detail, retry);
                job.Attempt++;
                job.Due = retry;
                Enqueue(job);
                return;

            default:
                var errorType = result.Status == TlsReportDeliveryStatus.PermanentFailure ? "permanent_failure" : "retries_exhausted";
                _telemetry.ReportFailed(scheme, errorType);
                LogGaveUp(_logger, submission.PolicyDomain, job.Day, submission.Destination, job.Attempt, errorType, result.Detail);
                if (_limiter.Failed(job.DestinationKey, now) is { } until)
                {
                    LogDestinationSuppressed(_logger, job.DestinationKey, _options.SuppressAfterFailures, until);
                }

                return;
        }
    }

    /// <summary>Queues a report job again after a store failure, within the retry window.</summary>
    private void Retry(ReportJob job, DateTimeOffset now)
    {
        if (NextAttempt(job.Attempt, job.FirstAttempt!.Value, now) is { } retry)
        {
            job.Attempt++;
            job.Due = retry;
            Enqueue(job);
        }
    }

    private static string MailtoAddress(TlsRptRecord record, Uri uri)
    {
        // TlsRptRecord keeps the decoded address of each mailto: URI in the same order.
        var index = 0;
        foreach (var candidate in record.ReportUris)
        {
            if (ReferenceEquals(candidate, uri))
            {
                return record.MailtoAddresses[index];
            }

            if (candidate.Scheme == Uri.UriSchemeMailto)
            {
                index++;
            }
        }

        throw new InvalidOperationException("The URI is not a mailto: URI of the record.");
    }
}
