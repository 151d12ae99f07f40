using MimeKit;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// End-to-end tests of <see cref="MtaStsDeliveryAgent"/>: real DNS (Knot), a real policy server (Kestrel), real SMTP
/// (Postfix) and attacker proxies, all on loopback (see <see cref="DeliveryEnvironment"/>). The partial files group the
/// tests: the mode × MX behaviour matrix, the checklist edge cases K.71–K.79, and the rest of the delivery rules.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed partial class MtaStsDeliveryAgentTests
{
    private readonly DeliveryEnvironment _env;

    public MtaStsDeliveryAgentTests(DeliveryEnvironment env) => _env = env;

    private static MimeMessage NewMessage(string domain, string marker, string localPart = "rcpt") =>
        DeliveryEnvironment.NewMessage(domain, marker, localPart);

    private static IReadOnlyList<MailboxAddress> Recipients(MimeMessage message) => [.. message.To.Mailboxes];

    /// <summary>Waits until the forwarders of <paramref name="hosts"/> (and the proxies behind them) have finished every connection.</summary>
    private async Task WaitForIdleAsync(params string[] hosts)
    {
        foreach (var host in hosts.Where(h => h != MxHosts.Down))
        {
            await _env.Forwarder(host).WaitForIdleAsync();
            if (_env.Proxy(host) is { } proxy)
            {
                await proxy.WaitForIdleAsync();
            }
        }
    }

    /// <summary>Asserts that the Postfix behind every shared host never stored the message with <paramref name="marker"/>.</summary>
    private void AssertNotReceived(string marker) =>
        Assert.Null(DeliveryEnvironment.FindMessage(_env.Postfix, marker));
}
