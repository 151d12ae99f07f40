namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>Test classes in this collection share one <see cref="MtaStsEnvironment"/> (one Knot, one Kestrel).</summary>
[CollectionDefinition(Name)]
public sealed class MtaStsCollection : ICollectionFixture<MtaStsEnvironment>
{
    public const string Name = "MTA-STS environment";
}
