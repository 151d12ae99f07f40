using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

internal sealed partial class SqliteDatabase
{
    // Opening the file on first use: refusing a file that is not the store's, then creating or migrating its tables.

    private async ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, _schema);
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
            if (!File.Exists(Path))
            {
                throw new SqlitePolicyStoreException($"The {_name} '{Path}' does not exist.", Path, null);
            }
        }
        else
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }

        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                // Look before writing anything: a file we must refuse keeps every byte (WAL mode changes the header).
                var version = _schema.ReadVersion(connection);
                if (version == 0)
                {
                    _schema.RefuseWithoutTables(connection, IsReadOnly);
                }

                if (!IsReadOnly)
                {
                    Migrate(connection, version);
                }
            }
            catch (SqliteException ex) when (IsDamaged(ex))
            {
                throw Damaged(ex);
            }
        }
    }

    private void Migrate(SqliteConnection connection, int version)
    {
        // Readers never block the writer and vice versa; the setting is kept in the file.
        var mode = Scalar<string>(connection, "PRAGMA journal_mode = WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new SqlitePolicyStoreException(
                $"The {_name} '{Path}' could not be switched to write-ahead logging (journal mode is '{mode}'); use a file on a local file system.",
                Path,
                version);
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;

        // Again under the write lock: another process may have created or migrated the tables meanwhile.
        version = _schema.ReadVersion(connection);
        var latest = _schema.Migrations.Count;
        for (var step = version; step < latest; step++)
        {
            command.CommandText = _schema.Migrations[step];
            command.ExecuteNonQuery();
        }

        if (version < latest)
        {
            command.CommandText = _schema.RecordVersion(latest);
            command.ExecuteNonQuery();
        }

        _schema.OnOpened(command);
        transaction.Commit();
    }
}
