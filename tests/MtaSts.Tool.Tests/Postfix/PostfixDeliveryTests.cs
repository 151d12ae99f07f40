using System.Globalization;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// A real Postfix (Debian's package, a private instance) with <c>smtp_tls_policy_maps</c> pointing at
/// <c>mta-sts serve-postfix</c>, over TCP and over a unix socket, delivering to the test MX hosts: what the operator
/// gets when replacing postfix-mta-sts-resolver.
/// </summary>
[Collection(ToolCollection.Name)]
public sealed class PostfixDeliveryTests(ToolEnvironment env)
{
    [Theory]
    [InlineData("inet")]
    [InlineData("unix")]
    public async Task Postfix_WithTheServerAsPolicyMap_EnforcesMtaSts(string transport)
    {
        var (policyMap, serveArgs, socketDirectory) = PolicyMap(transport);
        await using var sender = await PostfixSender.StartAsync(env, policyMap);
        if (socketDirectory is not null)
        {
            // Inside the queue directory, so that the chrooted smtp(8) reaches it by the relative path in main.cf; the
            // postfix user connects through the socket's group.
            Directory.CreateDirectory(Path.Combine(sender.QueueDirectory, socketDirectory), (UnixFileMode)0b111_101_101);
        }

        await using var server = await ServerProcess.StartAsync(serveArgs(sender.QueueDirectory), expectedEndpoints: socketDirectory is null ? 1 : 2);

        // enforce, MX with a valid certificate: delivered over verified TLS (Postfix's "secure" level).
        var enforced = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["*." + MxHosts.Zone]);
        var marker = DeliveryEnvironment.NewMarker();
        var queueId = await sender.SubmitAsync("rcpt@" + enforced, marker);
        Assert.Contains("status=sent", await sender.WaitForOutcomeAsync(queueId), StringComparison.Ordinal);
        var received = await DeliveryEnvironment.WaitForMessageAsync(env.World.Postfix, marker);
        Assert.NotNull(received.TlsProtocol);
        Assert.Contains(sender.SmtpLog(), l => l.Contains($"Verified TLS connection established to {MxHosts.Valid}[", StringComparison.Ordinal));

        // enforce, STARTTLS stripped on the way: deferred, and the message never reaches the MX host.
        var stripped = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Stripped], ["*." + MxHosts.Zone]);
        var strippedMarker = DeliveryEnvironment.NewMarker();
        var strippedId = await sender.SubmitAsync("rcpt@" + stripped, strippedMarker);
        var outcome = await sender.WaitForOutcomeAsync(strippedId);
        Assert.Contains("status=deferred", outcome, StringComparison.Ordinal);
        Assert.Contains($"TLS is required, but was not offered by host {MxHosts.Stripped}[", outcome, StringComparison.Ordinal);
        Assert.Null(DeliveryEnvironment.FindMessage(env.World.Postfix, strippedMarker));
        Assert.False(env.World.Forwarder(MxHosts.Stripped).ClientSent(strippedMarker));

        // No policy, STARTTLS stripped the same way: delivered as before MTA-STS (opportunistic, here in plaintext). The
        // stripping proxy is reached through a forwarder of this test's own, so that the shared one's wire tap never
        // sees a MAIL FROM (other tests assert that enforcement never sends one there).
        await using var plainForwarder = env.World.StartForwarder(env.World.Proxy(MxHosts.Stripped)!.EndPoint);
        var open = MtaStsEnvironment.NewDomainName("pf");
        await env.Mta.Dns.SetZoneRecordsAsync(open, $"@ 1 IN MX 10 mx.{open}.", $"mx 1 IN A {plainForwarder.Address}");
        var openMarker = DeliveryEnvironment.NewMarker();
        var openId = await sender.SubmitAsync("rcpt@" + open, openMarker);
        Assert.Contains("status=sent", await sender.WaitForOutcomeAsync(openId), StringComparison.Ordinal);
        Assert.Null((await DeliveryEnvironment.WaitForMessageAsync(env.World.Postfix, openMarker)).TlsProtocol);
        Assert.True(plainForwarder.ClientSent(openMarker));

        // No policy, a good MX host: opportunistic TLS, which Postfix logs as "Trusted", not "Verified".
        var unverified = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Spare], []);
        var unverifiedId = await sender.SubmitAsync("rcpt@" + unverified, DeliveryEnvironment.NewMarker());
        Assert.Contains("status=sent", await sender.WaitForOutcomeAsync(unverifiedId), StringComparison.Ordinal);
        Assert.Contains(sender.SmtpLog(), l => l.Contains($"Trusted TLS connection established to {MxHosts.Spare}[", StringComparison.Ordinal));
        Assert.DoesNotContain(sender.SmtpLog(), l => l.Contains($"Verified TLS connection established to {MxHosts.Spare}[", StringComparison.Ordinal));

        // The policies came from our server: it answered the lookups Postfix made.
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Postfix37_WithTlsRptAttributes_RejectsThePolicyAndDefers()
    {
        // Why --tls-rpt is off by default: Postfix before 3.10 does not know the attributes and fails the lookup.
        var port = FreePort.GetTcpPort();
        await using var sender = await PostfixSender.StartAsync(env, $"socketmap:inet:127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}:postfix");
        await using var server = await ServerProcess.StartAsync(env.ServeArgs(port, "--tls-rpt"));
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], ["*." + MxHosts.Zone]);
        var marker = DeliveryEnvironment.NewMarker();

        var outcome = await sender.WaitForOutcomeAsync(await sender.SubmitAsync("rcpt@" + domain, marker));

        Assert.Contains("status=deferred", outcome, StringComparison.Ordinal);
        Assert.Contains(sender.Postfix.ReadLog().Split('\n'), l => l.Contains("policy_type", StringComparison.Ordinal));
        Assert.Null(DeliveryEnvironment.FindMessage(env.World.Postfix, marker));
    }

    private (string PolicyMap, Func<string, string[]> ServeArgs, string? SocketDirectory) PolicyMap(string transport)
    {
        if (transport == "inet")
        {
            var port = FreePort.GetTcpPort();
            return ($"socketmap:inet:127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}:postfix", _ => env.ServeArgs(port), null);
        }

        return (
            "socketmap:unix:mtasts/socketmap.sock:postfix",
            queue =>
            [
                .. env.ServeArgs(FreePort.GetTcpPort()),
                "--listen", "unix:" + Path.Combine(queue, "mtasts", "socketmap.sock"),
                "--socket-mode", "0660",
                "--socket-group", "postfix",
            ],
            "mtasts");
    }
}
