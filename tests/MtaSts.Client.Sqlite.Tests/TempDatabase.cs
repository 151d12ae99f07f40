using Microsoft.Data.Sqlite;

namespace MtaSts.Sqlite.Tests;

/// <summary>A database path in a fresh temporary directory, deleted with everything in it on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase(string fileName = "policies.db")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mtasts-sqlite-").FullName;
        Path = System.IO.Path.Combine(Directory, fileName);
    }

    public string Directory { get; }

    public string Path { get; }

    /// <summary>Runs SQL on the file through a connection of its own (no pooling, so nothing stays open).</summary>
    public object? Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar();
    }

    /// <summary>Runs a statement and returns the number of rows it changed.</summary>
    public int Update(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public long Count() => (long)Execute("SELECT count(*) FROM policies")!;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A child process killed by a test may still be closing its handles; the OS cleans the temp dir eventually.
        }
    }
}
