using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

public sealed partial class SqlitePolicyStore
{
    /// <summary>
    /// The forward migrations: entry <c>n</c> takes a database from schema version <c>n</c> (<c>PRAGMA user_version</c>)
    /// to <c>n + 1</c>. Version 0 is a new, empty file. Append only; never edit a step that has shipped.
    /// </summary>
    private static readonly string[] Migrations =
    [
        // 0 → 1. Times are UTC ticks (100 ns since 0001-01-01), so they round-trip exactly.
        """
        CREATE TABLE policies (
            domain TEXT NOT NULL PRIMARY KEY,
            policy_id TEXT NOT NULL,
            policy_text TEXT NOT NULL,
            fetched_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            last_used INTEGER NOT NULL
        )
        """,
    ];

    // SQLite error codes that mean the file itself is unusable (not a transient failure).
    private const int SqliteCantOpen = 14;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <summary>Gets the schema version this code writes and the newest it can read.</summary>
    internal static int SchemaVersion => Migrations.Length;

    private async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await InitializeAsync(cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        catch
        {
            // Not cached on failure: a file that an operator fixes or replaces is picked up by the next operation,
            // which must not reuse a pooled connection to the old file.
            ClearPool();
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            await InitializeReadOnlyAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                // Look before writing anything: a file we must refuse keeps every byte (WAL mode changes the header).
                var version = CheckVersion(connection);
                // The TLS report store's tables (tlsrpt_*, their own schema version) may be there already.
                if (version == 0 && Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE tbl_name NOT LIKE 'tlsrpt\\_%' ESCAPE '\\'") != 0)
                {
                    throw new SqlitePolicyStoreException(
                        $"The file '{DatabasePath}' is a SQLite database of another program (it has tables but no MTA-STS policy schema version); it was left untouched. Configure another path for the MTA-STS policy store.",
                        DatabasePath,
                        0);
                }

                // Readers never block the writer and vice versa; the setting is kept in the file.
                var mode = Scalar<string>(connection, "PRAGMA journal_mode = WAL");
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new SqlitePolicyStoreException(
                        $"The MTA-STS policy database '{DatabasePath}' could not be switched to write-ahead logging (journal mode is '{mode}'); use a file on a local file system.",
                        DatabasePath,
                        version);
                }

                using var transaction = connection.BeginTransaction(deferred: false);
                using var command = connection.CreateCommand();
                command.Transaction = transaction;

                // Again under the write lock: another process may have created or migrated the schema meanwhile.
                version = CheckVersion(connection);
                for (var step = version; step < SchemaVersion; step++)
                {
                    command.CommandText = Migrations[step];
                    command.ExecuteNonQuery();
                }

                if (version < SchemaVersion)
                {
                    command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {SchemaVersion}");
                    command.ExecuteNonQuery();
                }

                if (_timeProvider is not null && _unusedLifetime > TimeSpan.Zero)
                {
                    // Records nobody has used for the lifetime go even if no resolver ever loads them (another process's).
                    command.CommandText = "DELETE FROM policies WHERE last_used < $cutoff";
                    command.Parameters.AddWithValue("$cutoff", (_timeProvider.GetUtcNow() - _unusedLifetime).UtcTicks);
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch (SqliteException ex) when (IsDamaged(ex))
            {
                throw Damaged(ex);
            }
        }
    }

    /// <summary>Checks, without writing anything, that the file exists and holds a policy schema this code can read.</summary>
    private async Task InitializeReadOnlyAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath))
        {
            throw new SqlitePolicyStoreException($"The MTA-STS policy database '{DatabasePath}' does not exist.", DatabasePath, null);
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                if (CheckVersion(connection) == 0)
                {
                    throw new SqlitePolicyStoreException(
                        $"The file '{DatabasePath}' is not an MTA-STS policy database (it has no MTA-STS policy schema version).",
                        DatabasePath,
                        0);
                }
            }
            catch (SqliteException ex) when (IsDamaged(ex))
            {
                throw Damaged(ex);
            }
        }
    }

    /// <summary>Reads the schema version and refuses one newer than this code knows.</summary>
    private int CheckVersion(SqliteConnection connection)
    {
        var version = Scalar<long>(connection, "PRAGMA user_version");
        if (version > SchemaVersion || version < 0)
        {
            throw new SqlitePolicyStoreException(
                $"The MTA-STS policy database '{DatabasePath}' has schema version {version}, but this version of MtaSts.Client.Sqlite knows versions up to {SchemaVersion}; it was left untouched. Upgrade the MtaSts.Client.Sqlite package, or configure another path.",
                DatabasePath,
                (int)Math.Clamp(version, int.MinValue, int.MaxValue));
        }

        return (int)version;
    }

    private static T Scalar<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(IsReadOnly ? ReadOnlyConnectionString() : _connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (IsReadOnly)
            {
                return connection;
            }

            // Per connection (pooled connections keep it, but a new one starts at the default). FULL: a commit is
            // on disk before SetAsync returns, so it survives power loss too, not only a killed process (which
            // NORMAL in WAL mode already survives). Policy writes are rare: about one per domain per day.
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
        var immutable = !File.Exists(DatabasePath + "-wal");
        return new SqliteConnectionStringBuilder
        {
            DataSource = immutable ? new Uri(DatabasePath).AbsoluteUri + "?immutable=1" : DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
    }

    /// <summary>Runs one write in its own immediate transaction, one writer of this store at a time.</summary>
    private async Task<int> WriteAsync<TState>(Func<SqliteCommand, TState, int> write, TState state, CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new InvalidOperationException($"The MTA-STS policy database '{DatabasePath}' was opened read-only.");
        }

        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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

    private static bool IsDamaged(SqliteException ex) =>
        ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase or SqliteCantOpen;

    private SqlitePolicyStoreException Damaged(SqliteException ex)
    {
        ClearPool();
        return new($"The MTA-STS policy database '{DatabasePath}' cannot be used: {ex.Message} It was left untouched; repair or move it, or configure another path.", DatabasePath, null, ex);
    }

    private void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
