using System.Net;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// The DNSSEC world of the DANE tests, on a <see cref="KnotDnsServer"/> the caller owns: a zone Knot signs itself
/// (<see cref="SignedZone"/>, the resolver's trust anchor, keys made at test time) with two kinds of child zone — one
/// signed with a key its parent's DS does not match (bogus), one delegated to a server that does not answer
/// (unreachable) — and a private Unbound validating resolver in front of it all. Zones outside <see cref="SignedZone"/>
/// (every MTA-STS test zone) are unsigned: insecure to Unbound.
/// </summary>
/// <remarks>
/// Every <see cref="PublishAsync"/> rewrites the signed zone and its children whole: a fixture publishes every record
/// its tests need once. Owner names are relative to the zone they are given for.
/// </remarks>
public sealed class DnssecEnvironment : IAsyncDisposable
{
    /// <summary>The signed zone; Unbound's only trust anchor.</summary>
    public const string SignedZone = "signed.mtasts.test";

    /// <summary>A host label in <see cref="SignedZone"/> whose <c>_tcp</c> subzone is signed with a key the parent's DS does not match.</summary>
    public const string BogusTlsaLabel = "tlsa-bogus";

    /// <summary>A host label in <see cref="SignedZone"/> whose <c>_tcp</c> subzone is delegated to a server that never answers.</summary>
    public const string DeadTlsaLabel = "tlsa-dead";

    /// <summary>The bogus subzone: <c>_tcp.tlsa-bogus.signed.mtasts.test</c>.</summary>
    public const string BogusZone = "_tcp." + BogusTlsaLabel + "." + SignedZone;

    /// <summary>The unreachable subzone: <c>_tcp.tlsa-dead.signed.mtasts.test</c>.</summary>
    public const string DeadZone = "_tcp." + DeadTlsaLabel + "." + SignedZone;

    private DnssecEnvironment(KnotDnsServer knot, KnotDnsServer children, UnboundResolver unbound)
    {
        Knot = knot;
        Children = children;
        Unbound = unbound;
    }

    /// <summary>The authoritative server (through its counting proxy, where the hostile responder's rules apply).</summary>
    public KnotDnsServer Knot { get; }

    /// <summary>
    /// A second Knot for the child zones: a server authoritative for both sides of a cut answers DS queries from the
    /// child, so the children must live elsewhere for the parent's DS (or its signed denial) to be what a resolver sees.
    /// </summary>
    public KnotDnsServer Children { get; }

    /// <summary>The validating resolver the library is pointed at.</summary>
    public UnboundResolver Unbound { get; }

    /// <summary>
    /// Signs and serves the zones with these records, then starts Unbound with the signed zone's DS as trust anchor.
    /// <paramref name="signedRecords"/> go into <see cref="SignedZone"/> (the delegations are added), <paramref name="bogusRecords"/>
    /// into <see cref="BogusZone"/> (for example <c>_25 TLSA 3 1 1 …</c>).
    /// </summary>
    public static async Task<DnssecEnvironment> StartAsync(KnotDnsServer knot, string[] signedRecords, string[] bogusRecords)
    {
        var children = await KnotDnsServer.StartAsync();
        try
        {
            await PublishAsync(knot, children, signedRecords, bogusRecords);
            var anchor = SignedZone + ". " + await knot.GetDsRecordAsync(SignedZone);
            var dead = new IPEndPoint(IPAddress.Loopback, FreePort.GetUdpAndTcpPort());
            var unbound = await UnboundResolver.StartAsync(
                [("test", knot.EndPoint), (BogusZone, children.EndPoint), (DeadZone, dead)],
                [anchor]);
            return new DnssecEnvironment(knot, children, unbound);
        }
        catch
        {
            await children.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rewrites the zones (see <see cref="StartAsync"/>); the signing keys stay, so the trust anchor holds.</summary>
    public Task PublishAsync(string[] signedRecords, string[] bogusRecords) =>
        PublishAsync(Knot, Children, signedRecords, bogusRecords);

    public async ValueTask DisposeAsync()
    {
        await Unbound.DisposeAsync();
        await Children.DisposeAsync();
    }

    private static async Task PublishAsync(KnotDnsServer knot, KnotDnsServer children, string[] signedRecords, string[] bogusRecords)
    {
        await children.SetSignedZoneRecordsAsync(BogusZone, bogusRecords);
        var bogusDs = await children.GetDsRecordAsync(BogusZone, corrupt: true);
        var delegations = new[]
        {
            $"{Relative(BogusZone)} 1 IN NS {ZoneText.NameServer}",
            $"{Relative(BogusZone)} 1 IN {bogusDs}",
            $"{Relative(DeadZone)} 1 IN NS {ZoneText.NameServer}",
            $"{Relative(DeadZone)} 1 IN {bogusDs}",
        };
        await knot.SetSignedZoneRecordsAsync(SignedZone, [.. delegations, .. signedRecords]);
    }

    private static string Relative(string name) => name[..^(SignedZone.Length + 1)];
}
