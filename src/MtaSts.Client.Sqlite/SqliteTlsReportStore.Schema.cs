using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

public sealed partial class SqliteTlsReportStore
{
    /// <summary>
    /// The forward migrations of the report tables: entry <c>n</c> takes them from report schema version <c>n</c> (the row of
    /// <c>tlsrpt_schema</c>; 0 when the table is missing) to <c>n + 1</c>. Kept apart from the policy store's
    /// <c>PRAGMA user_version</c>, so that either can evolve, or be rolled back, without the other refusing the file.
    /// Append only; never edit a step that has shipped.
    /// </summary>
    private static readonly string[] Migrations =
    [
        // 0 → 1. day: DateOnly.DayNumber (days since 0001-01-01, UTC). key: the collector's opaque counter key.
        """
        CREATE TABLE tlsrpt_schema (version INTEGER NOT NULL);
        CREATE TABLE tlsrpt_counters (
            day INTEGER NOT NULL,
            policy_domain TEXT NOT NULL,
            key TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, policy_domain, key)
        ) WITHOUT ROWID;
        CREATE TABLE tlsrpt_sent (
            day INTEGER NOT NULL,
            policy_domain TEXT NOT NULL,
            marked_at INTEGER NOT NULL,
            PRIMARY KEY (day, policy_domain)
        ) WITHOUT ROWID;
        """,
    ];

    private const int SqliteCantOpen = 14;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <summary>Gets the report schema version this code writes and the newest it can read.</summary>
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
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                // Look before writing anything: a file we must refuse keeps every byte.
                var version = CheckVersion(connection);
                if (version == 0 && IsForeign(connection))
                {
                    throw new SqlitePolicyStoreException(
                        $"The file '{DatabasePath}' is a SQLite database of another program (it has tables that are neither MTA-STS policies nor TLS reports); it was left untouched. Configure another path for the TLS report store.",
                        DatabasePath,
                        0);
                }

                var mode = Scalar<string>(connection, "PRAGMA journal_mode = WAL");
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new SqlitePolicyStoreException(
                        $"The TLS report database '{DatabasePath}' could not be switched to write-ahead logging (journal mode is '{mode}'); use a file on a local file system.",
                        DatabasePath,
                        version);
                }

                using var transaction = connection.BeginTransaction(deferred: false);
                using var command = connection.CreateCommand();
                command.Transaction = transaction;

                // Again under the write lock: another process may have created or migrated the tables meanwhile.
                version = CheckVersion(connection);
                for (var step = version; step < SchemaVersion; step++)
                {
                    command.CommandText = Migrations[step];
                    command.ExecuteNonQuery();
                }

                if (version < SchemaVersion)
                {
                    command.CommandText = string.Create(CultureInfo.InvariantCulture, $"DELETE FROM tlsrpt_schema; INSERT INTO tlsrpt_schema (version) VALUES ({SchemaVersion})");
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

    /// <summary>Reads the report schema version (0 without the table) and refuses one newer than this code knows.</summary>
    private int CheckVersion(SqliteConnection connection)
    {
        if (Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tlsrpt_schema'") == 0)
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(version) FROM tlsrpt_schema";
        var value = command.ExecuteScalar();
        var version = value is long v ? v : -1;
        if (version > SchemaVersion || version < 1)
        {
            throw new SqlitePolicyStoreException(
                $"The TLS report tables of '{DatabasePath}' have schema version {(version < 1 ? "(unreadable)" : version.ToString(CultureInfo.InvariantCulture))}, but this version of MtaSts.Client.Sqlite knows versions up to {SchemaVersion}; the file was left untouched. Upgrade the MtaSts.Client.Sqlite package, or configure another path.",
                DatabasePath,
                (int)Math.Clamp(version, int.MinValue, int.MaxValue));
        }

        return (int)version;
    }

    /// <summary>
    /// Whether the file holds another program's tables. With the policy store's <c>PRAGMA user_version</c> set, the file is
    /// ours if it has the policy table (later policy schemas may add tables of their own); without it, only <c>tlsrpt_*</c>
    /// tables may be there.
    /// </summary>
    private static bool IsForeign(SqliteConnection connection)
    {
        if (Scalar<long>(connection, "PRAGMA user_version") != 0)
        {
            return Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'policies'") == 0;
        }

        return Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE tbl_name NOT LIKE 'tlsrpt\\_%' ESCAPE '\\'") != 0;
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
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // As the policy store: a commit is on disk before the call returns. Counts are written every flush interval.
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

    /// <summary>Runs one write in its own immediate transaction, one writer of this store at a time.</summary>
    private async Task<int> WriteAsync<TState>(Func<SqliteCommand, TState, int> write, TState state, CancellationToken cancellationToken)
    {
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
        return new($"The TLS report database '{DatabasePath}' cannot be used: {ex.Message} It was left untouched; repair or move it, or configure another path.", DatabasePath, null, ex);
    }

    private void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
