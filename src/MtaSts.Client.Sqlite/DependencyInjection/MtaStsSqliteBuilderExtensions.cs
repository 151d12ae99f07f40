using Microsoft.Extensions.Options;
using MtaSts;
using MtaSts.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SQLite policy store and TLS report store.</summary>
public static class MtaStsSqliteBuilderExtensions
{
    /// <summary>
    /// Keeps MTA-STS policies in the SQLite database file at <paramref name="path"/>, so that they survive restarts
    /// (RFC 8461 §10.2): every fetched policy is written through, and the whole file is loaded into memory at start.
    /// Replaces any policy store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>.</param>
    /// <param name="path">The database file; created, with its directory, on first use. A relative path is resolved against the current directory when the store is created.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// When the store first opens the file it also deletes records unused for <see cref="MtaStsOptions.UnusedPolicyLifetime"/>,
    /// so that policies no delivery needs any more do not accumulate. The store is a singleton disposed with the container.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static IMtaStsBuilder AddSqlitePolicyStore(this IMtaStsBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.AddPolicyStore(sp => new SqlitePolicyStore(
            path,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<MtaStsOptions>>().Value.UnusedPolicyLifetime));
    }

    /// <summary>
    /// Keeps TLS-RPT session counters and sent marks in the SQLite database file at <paramref name="path"/> (it may be the
    /// policy store's file), so that a restart in the middle of the day loses no counts and a report is never sent twice.
    /// Replaces any report store registered before.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddMtaSts</c>.</param>
    /// <param name="path">The database file; created, with its directory, on first use. A relative path is resolved against the current directory when the store is created.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Counts are written every <see cref="TlsRptOptions.FlushInterval"/> and when the host stops. The store is a singleton disposed with the container.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    public static IMtaStsBuilder AddSqliteTlsReportStore(this IMtaStsBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.AddTlsReportStore(sp => new SqliteTlsReportStore(path, sp.GetRequiredService<TimeProvider>()));
    }
}
