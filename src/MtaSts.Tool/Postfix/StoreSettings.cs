namespace MtaSts.Tool.Postfix;

/// <summary>Where policies are kept beyond the memory cache, so that a restart does not forget them (RFC 8461 §10.2).</summary>
internal sealed class StoreSettings
{
    public PolicyStoreType Type { get; set; } = PolicyStoreType.None;

    /// <summary>Gets or sets the SQLite file (<see cref="PolicyStoreType.Sqlite"/>).</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets the StackExchange.Redis configuration string, such as <c>127.0.0.1:6379</c> (<see cref="PolicyStoreType.Redis"/>).</summary>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the prefix of the Redis keys.</summary>
    public string InstanceName { get; set; } = "mta-sts:";
}
