namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>The tool tests that need servers share one <see cref="ToolEnvironment"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ToolCollection : ICollectionFixture<ToolEnvironment>
{
    public const string Name = "mta-sts tool against real servers";
}
