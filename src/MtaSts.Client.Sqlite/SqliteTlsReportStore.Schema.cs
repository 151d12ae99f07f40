using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

public sealed partial class SqliteTlsReportStore : ISqliteSchema
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

    /// <summary>Gets the report schema version this code writes and the newest it can read.</summary>
    internal static int SchemaVersion => Migrations.Length;

    /// <inheritdoc/>
    IReadOnlyList<string> ISqliteSchema.Migrations => Migrations;

    /// <summary>Reads the report schema version (0 without the table) and refuses one newer than this code knows.</summary>
    int ISqliteSchema.ReadVersion(SqliteConnection connection)
    {
        if (SqliteDatabase.Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tlsrpt_schema'") == 0)
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
        if (SqliteDatabase.Scalar<long>(connection, "PRAGMA user_version") != 0)
        {
            return SqliteDatabase.Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'policies'") == 0;
        }

        return SqliteDatabase.Scalar<long>(connection, "SELECT count(*) FROM sqlite_master WHERE tbl_name NOT LIKE 'tlsrpt\\_%' ESCAPE '\\'") != 0;
    }

    /// <inheritdoc/>
    void ISqliteSchema.RefuseWithoutTables(SqliteConnection connection, bool readOnly)
    {
        if (IsForeign(connection))
        {
            throw new SqlitePolicyStoreException(
                $"The file '{DatabasePath}' is a SQLite database of another program (it has tables that are neither MTA-STS policies nor TLS reports); it was left untouched. Configure another path for the TLS report store.",
                DatabasePath,
                0);
        }
    }

    /// <inheritdoc/>
    string ISqliteSchema.RecordVersion(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"DELETE FROM tlsrpt_schema; INSERT INTO tlsrpt_schema (version) VALUES ({version})");

    /// <inheritdoc/>
    void ISqliteSchema.OnOpened(SqliteCommand command)
    {
        // Nothing to do: old days go through RemoveBeforeAsync, which the reporter calls.
    }
}
