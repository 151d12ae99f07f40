using Microsoft.Data.Sqlite;
using MtaSts.Sqlite;
using MtaSts.Tool.Cli;

namespace MtaSts.Tool.Commands;

/// <summary>Opens the SQLite policy store named by <c>--store</c>: read-only unless a command writes, and never creates it.</summary>
internal static class PolicyStoreFile
{
    /// <summary>Opens the existing store for reading only.</summary>
    /// <exception cref="ToolException">The file does not exist or is a directory (exit 2).</exception>
    public static SqlitePolicyStore OpenReadOnly(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw ToolException.Usage($"the policy store '{full}' is a directory, not a SQLite file.");
        }

        if (!File.Exists(full))
        {
            throw ToolException.Usage($"the policy store '{full}' does not exist.");
        }

        return SqlitePolicyStore.OpenReadOnly(full);
    }

    /// <summary>Runs a store operation, turning the store's failures into one-line errors.</summary>
    public static async Task<T> UseAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (SqlitePolicyStoreException ex)
        {
            // Not a store, a newer schema, a damaged file: the input is wrong (exit 2); the file was left untouched.
            throw ToolException.Usage(ex.Message, ex);
        }
        catch (SqliteException ex)
        {
            // Locked past the busy timeout, an I/O error: the work could not be done now (exit 3).
            throw ToolException.Incomplete($"the policy store could not be used: {ex.Message}", ex);
        }
    }
}
