using System.Collections.Concurrent;

namespace MtaSts.Tests.Reporting;

/// <summary>A hand-written <see cref="ITlsReportTransport"/>: records every attempt with the (fake) time, answers as told.</summary>
internal sealed class RecordingTransport(string scheme, TimeProvider time) : ITlsReportTransport
{
    private readonly ConcurrentQueue<(TlsReportSubmission Submission, DateTimeOffset At)> _calls = new();

    public string Scheme { get; } = scheme;

    /// <summary>Gets or sets the answer to the n-th attempt (1-based) for a submission.</summary>
    public Func<TlsReportSubmission, int, TlsReportDeliveryResult> Respond { get; set; } = (_, _) => TlsReportDeliveryResult.Delivered("250 ok");

    /// <summary>Gets or sets what runs before answering (to observe the store at delivery time).</summary>
    public Func<TlsReportSubmission, Task>? OnDeliver { get; set; }

    public IReadOnlyList<(TlsReportSubmission Submission, DateTimeOffset At)> Calls => [.. _calls];

    public async Task<TlsReportDeliveryResult> DeliverAsync(TlsReportSubmission submission, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue((submission, time.GetUtcNow()));
        if (OnDeliver is { } hook)
        {
            await hook(submission);
        }

        return Respond(submission, _calls.Count(c => c.Submission == submission));
    }
}
