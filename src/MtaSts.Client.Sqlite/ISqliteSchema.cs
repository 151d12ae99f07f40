using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite;

/// <summary>
/// The tables one store keeps in a SQLite file, as <see cref="SqliteDatabase"/> needs to know them: their forward
/// migrations, how their schema version is read and recorded, and which files they refuse. The messages of the
/// exceptions thrown here name the kind of database.
/// </summary>
internal interface ISqliteSchema
{
    /// <summary>Gets the forward migrations: entry <c>n</c> takes the tables from schema version <c>n</c> to <c>n + 1</c>.</summary>
    IReadOnlyList<string> Migrations { get; }

    /// <summary>Reads the schema version of the tables (0 when they are not there yet), without writing anything.</summary>
    /// <exception cref="SqlitePolicyStoreException">The version is newer than this code knows, or unreadable.</exception>
    int ReadVersion(SqliteConnection connection);

    /// <summary>Refuses a file without the tables (schema version 0) that must not get them.</summary>
    /// <param name="connection">An open connection to the file.</param>
    /// <param name="readOnly">Whether the file is opened for reading only, so that the tables cannot be created.</param>
    /// <exception cref="SqlitePolicyStoreException">The file belongs to another program, or is read-only without the tables.</exception>
    void RefuseWithoutTables(SqliteConnection connection, bool readOnly);

    /// <summary>Gets the statement that records <paramref name="version"/> as the schema version of the tables.</summary>
    string RecordVersion(int version);

    /// <summary>Runs in the transaction that opens a writable file, after the migrations (for example a purge).</summary>
    void OnOpened(SqliteCommand command);
}
