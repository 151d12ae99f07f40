namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// The end-to-end delivery tests share one <see cref="DeliveryEnvironment"/> (Knot, the test CA with its CRL server,
/// Kestrel, one Postfix and the attacker proxies in front of it) and run one after another, so that a test may count
/// connections and requests on shared servers.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DeliveryCollection : ICollectionFixture<DeliveryEnvironment>
{
    public const string Name = "MTA-STS delivery environment";
}
