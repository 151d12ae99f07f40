namespace MtaSts.Sqlite;

/// <summary>
/// The SQLite policy database cannot be used: it is not a database, it is corrupt, it belongs to another program, or it
/// was written by a newer version of this package. The file is left as it was.
/// </summary>
/// <remarks>
/// The resolver catches this like any store failure, logs it and carries on from memory and the network (the policies
/// are not persisted until the file is fixed or another path is configured). The message names the file and, for a
/// schema mismatch, both versions.
/// </remarks>
public sealed class SqlitePolicyStoreException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="SqlitePolicyStoreException"/> class.</summary>
    public SqlitePolicyStoreException()
        : base("The SQLite MTA-STS policy database cannot be used.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqlitePolicyStoreException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public SqlitePolicyStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqlitePolicyStoreException"/> class with a message and the exception that caused it.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SqlitePolicyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal SqlitePolicyStoreException(string message, string databasePath, int? schemaVersion, Exception? innerException = null)
        : base(message, innerException)
    {
        DatabasePath = databasePath;
        SchemaVersion = schemaVersion;
    }

    /// <summary>Gets the full path of the database file, or <see langword="null"/> when not given.</summary>
    public string? DatabasePath { get; }

    /// <summary>Gets the schema version found in the file (<c>PRAGMA user_version</c>), or <see langword="null"/> when it could not be read or does not matter.</summary>
    public int? SchemaVersion { get; }
}
