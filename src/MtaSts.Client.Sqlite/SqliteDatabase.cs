using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

/// <summary>
/// The plumbing a store needs around one SQLite database file: opening it on first use (creating or migrating the store's
/// tables in one transaction, in write-ahead-log mode), one writer of the store at a time, every write its own immediate
/// transaction committed with <c>synchronous=FULL</c>, and a file that cannot be used reported as
/// <see cref="SqlitePolicyStoreException"/> and never changed. Several stores may share one file, each with its own
/// <see cref="SqliteDatabase"/> and <see cref="ISqliteSchema"/>.
/// </summary>
/// <remarks>Thread-safe. Dispose it to close the pooled connections to the file.</remarks>
internal sealed partial class SqliteDatabase : IDisposable
{
    // SQLite error codes that mean the file itself is unusable (not a transient failure).
    private const int SqliteCantOpen = 14;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly string _name;
    private readonly ISqliteSchema _schema;
    private readonly string _connectionString;

    // In-process writers queue here without blocking threads; SQLite's busy timeout only arbitrates between processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private volatile bool _initialized;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="SqliteDatabase"/> class. Nothing is opened until the first operation.</summary>
    /// <param name="path">The database file; a relative path is resolved against the current directory now.</param>
    /// <param name="name">What the file is to the store, for messages ("MTA-STS policy database").</param>
    /// <param name="schema">The store's tables; also the object <see cref="ObjectDisposedException"/> names.</param>
    /// <param name="readOnly">
    /// Whether the file is only read: it is then never created, migrated or switched to write-ahead logging, and
    /// <see cref="WriteAsync"/> throws.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or not a valid path.</exception>
    public SqliteDatabase(string path, string name, ISqliteSchema schema, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        IsReadOnly = readOnly;
        _name = name;
        _schema = schema;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Gets a value indicating whether the file is only read.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Opens a connection to the file, opening the file first if this is the first use.</summary>
    /// <exception cref="SqlitePolicyStoreException">The file cannot be used.</exception>
    /// <exception cref="ObjectDisposedException">The database has been disposed.</exception>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one read on a connection of its own; a damaged file is reported as <see cref="SqlitePolicyStoreException"/>.</summary>
    /// <exception cref="SqlitePolicyStoreException">The file cannot be used.</exception>
    /// <exception cref="ObjectDisposedException">The database has been disposed.</exception>
    public async Task<TResult> ReadAsync<TState, TResult>(
        Func<SqliteCommand, TState, CancellationToken, Task<TResult>> read,
        TState state,
        CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            try
            {
                return await read(command, state, cancellationToken).ConfigureAwait(false);
            }
            catch (SqliteException ex) when (IsDamaged(ex))
            {
                throw Damaged(ex);
            }
        }
    }

    /// <summary>Runs one write in its own immediate transaction, one writer of this database at a time.</summary>
    /// <returns>What <paramref name="write"/> returns.</returns>
    /// <exception cref="InvalidOperationException">The file is only read.</exception>
    /// <exception cref="SqlitePolicyStoreException">The file cannot be used.</exception>
    /// <exception cref="ObjectDisposedException">The database has been disposed.</exception>
    public async Task<int> WriteAsync<TState>(Func<SqliteCommand, TState, int> write, TState state, CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"The {_name} '{Path}' was opened read-only.");
        }

        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    using var transaction = connection.BeginTransaction(deferred: false);
                    using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    var result = write(command, state);
                    transaction.Commit();
                    return result;
                }
                catch (SqliteException ex) when (IsDamaged(ex))
                {
                    throw Damaged(ex);
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of the first row.</summary>
    public static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>Gets a value indicating whether <paramref name="ex"/> says the file itself is unusable.</summary>
    public static bool IsDamaged(SqliteException ex) =>
        ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase or SqliteCantOpen;

    /// <summary>Reports a damaged file, and drops the pooled connections so that a repaired or replaced file is opened afresh.</summary>
    public SqlitePolicyStoreException Damaged(SqliteException ex)
    {
        ClearPool();
        return new($"The {_name} '{Path}' cannot be used: {ex.Message} It was left untouched; repair or move it, or configure another path.", Path, null, ex);
    }

    /// <summary>Closes the pooled connections to the file. Operations after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ClearPool();
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, _schema);
        var connection = new SqliteConnection(IsReadOnly ? ReadOnlyConnectionString() : _connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (IsReadOnly)
            {
                return connection;
            }

            // Per connection (pooled connections keep it, but a new one starts at the default). FULL: a commit is
            // on disk before the write returns, so it survives power loss too, not only a killed process (which
            // NORMAL in WAL mode already survives). Writes are rare: a policy about once per domain per day, TLS-RPT
            // counts once per flush interval.
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException ex) when (IsDamaged(ex))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Damaged(ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A read-only connection. Without a <c>-wal</c> file no writer has the database open, so it is opened immutable (reading
    /// a write-ahead-log database otherwise creates <c>-wal</c> and <c>-shm</c> files that stay behind).
    /// </summary>
    private string ReadOnlyConnectionString()
    {
        var immutable = !File.Exists(Path + "-wal");
        return new SqliteConnectionStringBuilder
        {
            DataSource = immutable ? new Uri(Path).AbsoluteUri + "?immutable=1" : Path,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
    }

    private void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
