namespace Microsoft.Extensions.DependencyInjection;

internal sealed class MtaStsBuilder(IServiceCollection services) : IMtaStsBuilder
{
    public IServiceCollection Services { get; } = services;
}
