using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

public sealed partial class SqlitePolicyStore : ISqliteSchema
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

    /// <summary>Gets the schema version this code writes and the newest it can read.</summary>
    internal static int SchemaVersion => Migrations.Length;

    /// <inheritdoc/>
    IReadOnlyList<string> ISqliteSchema.Migrations => Migrations;

    /// <summary>Reads the schema version (<c>PRAGMA user_version</c>) and refuses one newer than this code knows.</summary>
    int ISqliteSchema.ReadVersion(SqliteConnection connection)
    {
        var version = SqliteDatabase.Scalar<long>(connection, "PRAGMA user_version");
        if (version > SchemaVersion || version < 0)
        {
            throw new SqlitePolicyStoreException(
                $"The MTA-STS policy database '{DatabasePath}' has schema version {version}, but this version of MtaSts.Client.Sqlite knows versions up to {SchemaVersion}; it was left untouched. Upgrade the MtaSts.Client.Sqlite package, or configure another path.",
                DatabasePath,
                (int)Math.Clamp(version, int.MinValue, int.MaxValue));
        }

        return (int)version;
    }

    /// <inheritdoc/>
    void ISqliteSchema.RefuseWithoutTables(SqliteConnection connection, bool readOnly)
    {
        if (readOnly)
        {
            throw new SqlitePolicyStoreException(
                $"The file '{DatabasePath}' is not an MTA-STS policy database (it has no MTA-STS policy schema version).",
                DatabasePath,
                0);
        }

        // The TLS report store's tables (tlsrpt_*, their own schema version) may be there already.
        if (SqliteDatabase.Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE tbl_name NOT LIKE 'tlsrpt\\_%' ESCAPE '\\'") != 0)
        {
            throw new SqlitePolicyStoreException(
                $"The file '{DatabasePath}' is a SQLite database of another program (it has tables but no MTA-STS policy schema version); it was left untouched. Configure another path for the MTA-STS policy store.",
                DatabasePath,
                0);
        }
    }

    /// <inheritdoc/>
    string ISqliteSchema.RecordVersion(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version}");

    /// <inheritdoc/>
    void ISqliteSchema.OnOpened(SqliteCommand command)
    {
        if (_timeProvider is not null && _unusedLifetime > TimeSpan.Zero)
        {
            // Records nobody has used for the lifetime go even if no resolver ever loads them (another process's).
            Purge(command, _timeProvider.GetUtcNow() - _unusedLifetime);
        }
    }

    private static int Purge(SqliteCommand command, DateTimeOffset unusedSince)
    {
        command.CommandText = "DELETE FROM policies WHERE last_used < $cutoff";
        command.Parameters.AddWithValue("$cutoff", unusedSince.UtcTicks);
        return command.ExecuteNonQuery();
    }
}
