using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

/// <summary>
/// An <see cref="IMtaStsPolicyStore"/> in one embedded SQLite database file, so that a sender keeps its MTA-STS
/// policies across restarts (RFC 8461 §10.2: a sender that forgets them reopens the first-contact downgrade window).
/// </summary>
/// <remarks>
/// <para>
/// The database is opened on first use: its schema is created (or migrated forward) in one transaction, and it is put
/// in write-ahead-log mode. Every write is its own transaction, committed with <c>synchronous=FULL</c>, so a record
/// that <see cref="SetAsync"/> has stored survives the process being killed and the machine losing power.
/// </para>
/// <para>
/// A file that is not a database, is corrupt, holds another program's tables, or has a newer schema than this
/// version knows is never changed: every operation throws <see cref="SqlitePolicyStoreException"/> naming the file,
/// and the resolver carries on from memory and the network. Several processes may share one file on a local file
/// system (not a network share: SQLite's write-ahead log needs shared memory).
/// </para>
/// <para>Instances are thread-safe. Dispose the store to close its pooled connections.</para>
/// </remarks>
public sealed partial class SqlitePolicyStore : IMtaStsPolicyStore, IDisposable
{
    private const string Columns = "domain, policy_id, policy_text, fetched_at, expires_at, last_used";

    private const string Upsert =
        $"INSERT INTO policies ({Columns}) VALUES ($domain, $id, $text, $fetched, $expires, $used) " +
        "ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy_text = excluded.policy_text, " +
        "fetched_at = excluded.fetched_at, expires_at = excluded.expires_at, last_used = excluded.last_used";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider? _timeProvider;
    private readonly TimeSpan _unusedLifetime;

    /// <summary>Initializes a new instance of the <see cref="SqlitePolicyStore"/> class over the database file at <paramref name="path"/>.</summary>
    /// <param name="path">The database file. It and its directory are created on first use if missing; a relative path is resolved against the current directory now.</param>
    /// <remarks>Nothing is opened until the first operation, so a bad file is reported by the operations, not here.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or not a valid path.</exception>
    public SqlitePolicyStore(string path)
        : this(path, null, TimeSpan.Zero)
    {
    }

    /// <summary>Initializes a store that also deletes, when it opens the file, records unused for longer than <paramref name="unusedLifetime"/>.</summary>
    internal SqlitePolicyStore(string path, TimeProvider? timeProvider, TimeSpan unusedLifetime)
        : this(path, timeProvider, unusedLifetime, readOnly: false)
    {
    }

    private SqlitePolicyStore(string path, TimeProvider? timeProvider, TimeSpan unusedLifetime, bool readOnly)
    {
        _database = new SqliteDatabase(path, "MTA-STS policy database", this, readOnly);
        _timeProvider = timeProvider;
        _unusedLifetime = unusedLifetime;
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <summary>Gets a value indicating whether the store was opened with <see cref="OpenReadOnly"/>.</summary>
    public bool IsReadOnly => _database.IsReadOnly;

    /// <summary>
    /// Opens an existing store file for reading only (for inspection tools): the file is never created, migrated,
    /// switched to write-ahead logging or purged, and <see cref="SetAsync"/> and <see cref="RemoveAsync"/> throw.
    /// </summary>
    /// <param name="path">The database file; a relative path is resolved against the current directory now.</param>
    /// <returns>The store. Nothing is opened until the first operation.</returns>
    /// <remarks>
    /// While no writer has the file open (no <c>-wal</c> file beside it), it is read as immutable, so that reading creates
    /// no <c>-wal</c> or <c>-shm</c> file; otherwise it is read through the write-ahead log, which SQLite requires, and
    /// sees every committed write. A missing file, a file without the MTA-STS policy schema and a newer schema make every
    /// operation throw <see cref="SqlitePolicyStoreException"/>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or not a valid path.</exception>
    public static SqlitePolicyStore OpenReadOnly(string path) => new(path, null, TimeSpan.Zero, readOnly: true);

    /// <inheritdoc/>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error, a lock held by another process past the busy timeout).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    public async ValueTask<StoredPolicyRecord?> GetAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policyDomain);
        return await _database.ReadAsync(
            static async (command, domain, cancellationToken) =>
            {
                command.CommandText = $"SELECT {Columns} FROM policies WHERE domain = $domain";
                command.Parameters.AddWithValue("$domain", domain);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader) : null;
                }
            },
            policyDomain,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error, a full disk, a lock held by another process past the busy timeout).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The store was opened with <see cref="OpenReadOnly"/>.</exception>
    public async ValueTask SetAsync(StoredPolicyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _database.WriteAsync(
            static (command, record) =>
            {
                command.CommandText = Upsert;
                Bind(command, record);
                command.ExecuteNonQuery();
                return 1;
            },
            record,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="policyDomain"/> is <see langword="null"/>.</exception>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error, a lock held by another process past the busy timeout).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The store was opened with <see cref="OpenReadOnly"/>.</exception>
    public async ValueTask RemoveAsync(string policyDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policyDomain);
        await _database.WriteAsync(
            static (command, domain) =>
            {
                command.CommandText = "DELETE FROM policies WHERE domain = $domain";
                command.Parameters.AddWithValue("$domain", domain);
                return command.ExecuteNonQuery();
            },
            policyDomain,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Rows are streamed from one read transaction (a consistent snapshot); writers are not blocked meanwhile.</remarks>
    /// <exception cref="SqlitePolicyStoreException">The database file cannot be used (see the class remarks).</exception>
    /// <exception cref="SqliteException">SQLite failed (an I/O error).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The store has been disposed.</exception>
    public async IAsyncEnumerable<StoredPolicyRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM policies";
            SqliteDataReader reader;
            try
            {
                reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (SqliteDatabase.IsDamaged(ex))
            {
                throw _database.Damaged(ex);
            }

            await using (reader.ConfigureAwait(false))
            {
                while (await ReadAsync(reader, cancellationToken).ConfigureAwait(false))
                {
                    yield return ReadRecord(reader);
                }
            }
        }
    }

    /// <summary>Closes the pooled connections to the database file. Operations after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _database.Dispose();

    /// <summary>Deletes the records last used before <paramref name="unusedSince"/>, in one transaction.</summary>
    /// <returns>The number of records deleted.</returns>
    internal async Task<int> PurgeAsync(DateTimeOffset unusedSince, CancellationToken cancellationToken = default) =>
        await _database.WriteAsync(Purge, unusedSince, cancellationToken).ConfigureAwait(false);

    /// <summary>Inserts or replaces many records in one transaction (bulk loads for tests and benchmarks).</summary>
    internal async Task SetManyAsync(IEnumerable<StoredPolicyRecord> records, CancellationToken cancellationToken = default) =>
        await _database.WriteAsync(
            static (command, records) =>
            {
                command.CommandText = Upsert;
                foreach (var record in records)
                {
                    command.Parameters.Clear();
                    Bind(command, record);
                    command.ExecuteNonQuery();
                }

                return 0;
            },
            records,
            cancellationToken).ConfigureAwait(false);

    private static void Bind(SqliteCommand command, StoredPolicyRecord record)
    {
        command.Parameters.AddWithValue("$domain", record.PolicyDomain);
        command.Parameters.AddWithValue("$id", record.PolicyId);
        command.Parameters.AddWithValue("$text", record.PolicyText);
        command.Parameters.AddWithValue("$fetched", record.FetchedAt.UtcTicks);
        command.Parameters.AddWithValue("$expires", record.ExpiresAt.UtcTicks);
        command.Parameters.AddWithValue("$used", record.LastUsed.UtcTicks);
    }

    /// <summary>
    /// Reads a row without trusting it: a NULL, a value of the wrong type or a time out of range yields a record the
    /// resolver's validation refuses (and then removes), never an exception that would abort a whole listing.
    /// </summary>
    private static StoredPolicyRecord ReadRecord(SqliteDataReader reader) =>
        new(Text(reader, 0), Text(reader, 1), Text(reader, 2), Time(reader, 3), Time(reader, 4), Time(reader, 5));

    private static string Text(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? "" : reader.GetString(ordinal);

    private static DateTimeOffset Time(SqliteDataReader reader, int ordinal)
    {
        // Times are UTC ticks (100 ns units since 0001-01-01): exact, so FetchedAt + max_age equals ExpiresAt again.
        var ticks = reader.IsDBNull(ordinal) ? 0L : reader.GetInt64(ordinal);
        return ticks >= 0 && ticks <= DateTime.MaxValue.Ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : DateTimeOffset.MinValue;
    }

    private async ValueTask<bool> ReadAsync(SqliteDataReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (SqliteDatabase.IsDamaged(ex))
        {
            throw _database.Damaged(ex);
        }
    }
}
