namespace MtaSts;

/// <summary>
/// Durable storage for TLS reporting: the day's session counters, and which reports have been sent. The collector adds
/// its counts every <see cref="TlsRptOptions.FlushInterval"/>; the reporter reads them when the day is over.
/// </summary>
/// <remarks>
/// <para>The default store keeps everything in memory. <c>AddSqliteTlsReportStore</c> (package MtaSts.Client.Sqlite)
/// keeps it in a SQLite file so that a restart loses no counts; <see cref="Microsoft.Extensions.DependencyInjection.MtaStsTlsRptBuilderExtensions.AddTlsReportStore"/> plugs in another.</para>
/// <para>Implementations must be thread-safe. Several processes may share one store: counts add up, and
/// <see cref="TryMarkReportSentAsync"/> lets exactly one of them send each report.</para>
/// </remarks>
public interface ITlsReportStore
{
    /// <summary>Adds each counter's count to the stored count with the same day, policy domain and key (missing: zero), atomically.</summary>
    /// <param name="counters">The amounts to add.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the counts are stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="counters"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask AddCountersAsync(IReadOnlyList<TlsReportCounter> counters, CancellationToken cancellationToken = default);

    /// <summary>Reads the stored counters of a day, for one policy domain or all.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="policyDomain">The policy domain, or <see langword="null"/> for every domain.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The counters, in no particular order.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<IReadOnlyList<TlsReportCounter>> GetCountersAsync(DateOnly day, string? policyDomain = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the report for <paramref name="policyDomain"/> and <paramref name="day"/> is sent, unless it already was.
    /// Called before the report is queued for delivery, so that a crash never sends a report twice.
    /// </summary>
    /// <param name="day">The UTC day of the report.</param>
    /// <param name="policyDomain">The policy domain.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when this call marked it; <see langword="false"/> when it was marked before.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<bool> TryMarkReportSentAsync(DateOnly day, string policyDomain, CancellationToken cancellationToken = default);

    /// <summary>Removes the counters and sent marks of every day before <paramref name="day"/>.</summary>
    /// <param name="day">The first day to keep.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when they are removed.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask RemoveBeforeAsync(DateOnly day, CancellationToken cancellationToken = default);
}
