namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Returned by <see cref="MtaStsServiceCollectionExtensions.AddMtaSts"/> to chain further MTA-STS configuration.</summary>
public interface IMtaStsBuilder
{
    /// <summary>Gets the service collection MTA-STS is registered in.</summary>
    IServiceCollection Services { get; }
}
