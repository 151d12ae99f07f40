using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

/// <summary>
/// An <see cref="ITlsReportStore"/> in one embedded SQLite database file, so that a restart loses none of the day's TLS-RPT
/// counts and a sent report is never sent again. It can share the file of <see cref="SqlitePolicyStore"/>: its tables
/// (<c>tlsrpt_*</c>) sit beside the policies, with a schema version of their own.
/// </summary>
/// <remarks>
/// <para>
/// Opened on first use like the policy store: schema created or migrated forward in one transaction, write-ahead log, every
/// write its own transaction committed with <c>synchronous=FULL</c>. A file that is not a database, is corrupt, holds
/// another program's tables, or has a newer report schema than this version knows is never changed: operations throw
/// <see cref="SqlitePolicyStoreException"/> naming the file, and the reporter keeps its counts in memory.
/// </para>
/// <para>Several processes on one machine may share the file: their counts add up, and each report is marked sent once.
/// Instances are thread-safe. Dispose the store to close its pooled connections.</para>
/// </remarks>
public sealed partial class SqliteTlsReportStore : ITlsReportStore, IDisposable
{
    private const string UpsertCounter =
        "INSERT INTO tlsrpt_counters (day, policy_domain, key, count) VALUES ($day, $domain, $key, $count) " +
        "ON CONFLICT (day, policy_domain, key) DO UPDATE SET count = count + excluded.count";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="SqliteTlsReportStore"/> class over the database file at <paramref name="path"/>.</summary>
    /// <param name="path">The database file (it may be the policy store's). It and its directory are created on first use if missing; a relative path is resolved against the current directory now.</param>
    /// <remarks>Nothing is opened until the first operation, so a bad file is reported by the operations, not here.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or not a valid path.</exception>
    public SqliteTlsReportStore(string path)
        : this(path, TimeProvider.System)
    {
    }

    internal SqliteTlsReportStore(string path, TimeProvider timeProvider)
    {
        _database = new SqliteDatabase(path, "TLS report database", this, readOnly: false);
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <inheritdoc/>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error, a full disk, a lock held by another process past the busy timeout).</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    public async ValueTask AddCountersAsync(IReadOnlyList<TlsReportCounter> counters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counters);
        if (counters.Count == 0)
        {
            return;
        }

        await _database.WriteAsync(
            static (command, counters) =>
            {
                command.CommandText = UpsertCounter;
                var day = command.Parameters.Add("$day", SqliteType.Integer);
                var domain = command.Parameters.Add("$domain", SqliteType.Text);
                var key = command.Parameters.Add("$key", SqliteType.Text);
                var count = command.Parameters.Add("$count", SqliteType.Integer);
                foreach (var counter in counters)
                {
                    day.Value = counter.Day.DayNumber;
                    domain.Value = counter.PolicyDomain;
                    key.Value = counter.Key;
                    count.Value = counter.Count;
                    command.ExecuteNonQuery();
                }

                return counters.Count;
            },
            counters,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error).</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    public async ValueTask<IReadOnlyList<TlsReportCounter>> GetCountersAsync(DateOnly day, string? policyDomain = null, CancellationToken cancellationToken = default)
    {
        return await _database.ReadAsync(
            static async (command, state, cancellationToken) =>
            {
                var (day, policyDomain) = state;
                command.CommandText = policyDomain is null
                    ? "SELECT policy_domain, key, count FROM tlsrpt_counters WHERE day = $day"
                    : "SELECT policy_domain, key, count FROM tlsrpt_counters WHERE day = $day AND policy_domain = $domain";
                command.Parameters.AddWithValue("$day", day.DayNumber);
                if (policyDomain is not null)
                {
                    command.Parameters.AddWithValue("$domain", policyDomain);
                }

                var counters = new List<TlsReportCounter>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        // Rows are not trusted: a NULL or a value of the wrong type is skipped, never an exception.
                        if (reader.GetFieldType(0) == typeof(string) && reader.GetFieldType(1) == typeof(string) && reader.GetFieldType(2) == typeof(long))
                        {
                            counters.Add(new TlsReportCounter(day, reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
                        }
                    }
                }

                return (IReadOnlyList<TlsReportCounter>)counters;
            },
            (Day: day, PolicyDomain: policyDomain),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error, a lock held by another process past the busy timeout).</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    public async ValueTask<bool> TryMarkReportSentAsync(DateOnly day, string policyDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policyDomain);
        var changed = await _database.WriteAsync(
            static (command, state) =>
            {
                command.CommandText = "INSERT OR IGNORE INTO tlsrpt_sent (day, policy_domain, marked_at) VALUES ($day, $domain, $at)";
                command.Parameters.AddWithValue("$day", state.Day.DayNumber);
                command.Parameters.AddWithValue("$domain", state.Domain);
                command.Parameters.AddWithValue("$at", state.At);
                return command.ExecuteNonQuery();
            },
            (Day: day, Domain: policyDomain, At: _timeProvider.GetUtcNow().UtcTicks),
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <inheritdoc/>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error, a lock held by another process past the busy timeout).</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    public async ValueTask RemoveBeforeAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        await _database.WriteAsync(
            static (command, day) =>
            {
                command.CommandText = "DELETE FROM tlsrpt_counters WHERE day < $day; DELETE FROM tlsrpt_sent WHERE day < $day";
                command.Parameters.AddWithValue("$day", day.DayNumber);
                return command.ExecuteNonQuery();
            },
            day,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Closes the pooled connections to the database file. Operations after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _database.Dispose();
}
