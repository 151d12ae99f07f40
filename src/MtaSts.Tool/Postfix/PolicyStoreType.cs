namespace MtaSts.Tool.Postfix;

/// <summary>The durable policy store behind the memory cache.</summary>
internal enum PolicyStoreType
{
    /// <summary>Memory only: policies are fetched again after a restart.</summary>
    None,

    /// <summary>One SQLite file (package MtaSts.Client.Sqlite).</summary>
    Sqlite,

    /// <summary>Redis, shared by a fleet (through <c>IDistributedCache</c>).</summary>
    Redis,
}
