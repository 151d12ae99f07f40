using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MimeKit;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>
/// A private Postfix that sends mail (the operator's MTA), with <c>smtp_tls_policy_maps</c> pointing at our socketmap
/// server, delivering to the test MX hosts of the <see cref="ToolEnvironment"/>. Everything stays on loopback.
/// </summary>
/// <remarks>
/// <para>
/// Postfix's smtp(8) finds MX hosts through the C resolver, which only asks the name servers of resolv.conf on port 53.
/// So smtp runs chrooted in the queue directory (as on Debian), with its own <c>etc/resolv.conf</c> naming a loopback
/// address of 127.53.0.0/16 where a DNS forwarder on port 53 relays to Knot: MX and A lookups see the test zones only.
/// <c>smtp_tcp_port</c> is the MX hosts' shared test port, and the test CA is the only trust anchor
/// (<c>smtp_tls_CAfile</c>, read before the chroot).
/// </para>
/// <para>
/// Mail is submitted over SMTP to the instance's smtpd (relaying is allowed from 127.0.0.0/8) and its queue ID read from
/// the reply; <see cref="WaitForOutcomeAsync"/> reads what smtp(8) logged for it.
/// </para>
/// </remarks>
public sealed partial class PostfixSender : IAsyncDisposable
{
    private static int _nextAddress = Random.Shared.Next(0, 200);

    private PostfixSender(SmtpTestServer postfix, DnsCountingProxy dns)
    {
        Postfix = postfix;
        Dns = dns;
    }

    public SmtpTestServer Postfix { get; }

    public DnsCountingProxy Dns { get; }

    /// <summary>The queue directory: the chroot of smtp(8) and the base of relative unix socket paths.</summary>
    public string QueueDirectory => Path.Combine(Postfix.WorkingDirectory, "queue");

    /// <summary>Starts the sender with <paramref name="policyMap"/> as <c>smtp_tls_policy_maps</c>.</summary>
    public static async Task<PostfixSender> StartAsync(ToolEnvironment env, string policyMap)
    {
        var dns = StartDnsForwarder(env.Mta.Dns.KnotEndPoint);
        try
        {
            var postfix = await SmtpTestServer.StartAsync(null, new SmtpTestServerOptions
            {
                OfferStartTls = false,
                HostName = "sender.smtp-test.invalid",
                AdditionalParameters = new Dictionary<string, string>
                {
                    // Send, do not store: the fixture's catch-all mailbox is switched off.
                    ["virtual_mailbox_domains"] = string.Empty,
                    ["virtual_mailbox_maps"] = string.Empty,
                    ["default_transport"] = "smtp",
                    ["relay_transport"] = "smtp",
                    ["smtpd_relay_restrictions"] = "permit_mynetworks, reject",
                    ["smtp_tcp_port"] = env.World.SmtpPort.ToString(CultureInfo.InvariantCulture),
                    ["smtp_helo_name"] = "sender.test",
                    ["smtp_tls_security_level"] = "may",
                    ["smtp_tls_CAfile"] = env.TrustRootPath,
                    ["smtp_tls_loglevel"] = "1",
                    ["smtp_tls_policy_maps"] = policyMap,
                    ["smtp_connect_timeout"] = "10s",
                    ["smtp_address_preference"] = "ipv4",
                },
                AdditionalServices = ["smtp      unix  -       -       y       -       -       smtp"],
                QueueFiles = new Dictionary<string, string> { ["etc/resolv.conf"] = $"nameserver {dns.EndPoint.Address}\noptions timeout:2 attempts:2\n" },
            });
            return new PostfixSender(postfix, dns);
        }
        catch
        {
            await dns.DisposeAsync();
            throw;
        }
    }

    /// <summary>Submits a message to <paramref name="recipient"/> whose body carries <paramref name="marker"/>; returns the queue ID.</summary>
    public async Task<string> SubmitAsync(string recipient, string marker)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Sender", "sender@sender.test"));
        message.To.Add(new MailboxAddress("Recipient", recipient));
        message.Subject = "Postfix with mta-sts serve-postfix " + marker;
        message.Body = new TextPart("plain") { Text = $"The secret body of this message is {marker}.\r\n" };
        using var client = new SmtpClient();
        await client.ConnectAsync(Postfix.EndPoint.Address.ToString(), Postfix.Port, global::MailKit.Security.SecureSocketOptions.None);
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
        return QueuedAsPattern().Match(reply) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("No queue ID in: " + reply);
    }

    /// <summary>Waits until smtp(8) logged a delivery status for <paramref name="queueId"/>; returns that log line.</summary>
    public async Task<string> WaitForOutcomeAsync(string queueId)
    {
        string? line = null;
        await Poll.UntilAsync(
            () => (line = Postfix.ReadLog().Split('\n').FirstOrDefault(l => l.Contains($"{queueId}: to=<", StringComparison.Ordinal) && l.Contains("status=", StringComparison.Ordinal))) is not null,
            $"Postfix to log the outcome of {queueId}",
            TimeSpan.FromSeconds(60));
        return line!;
    }

    /// <summary>The lines smtp(8) logged while delivering (TLS and policy messages carry no queue ID).</summary>
    public IEnumerable<string> SmtpLog() => Postfix.ReadLog().Split('\n').Where(l => l.Contains("postfix/smtp[", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await Postfix.DisposeAsync();
        await Dns.DisposeAsync();
    }

    private static DnsCountingProxy StartDnsForwarder(IPEndPoint knot)
    {
        for (var attempt = 0; ; attempt++)
        {
            var n = Interlocked.Increment(ref _nextAddress);
            var address = new IPAddress([127, 53, (byte)(n / 250 % 250), (byte)(1 + (n % 250))]);
            try
            {
                return DnsCountingProxy.Start(knot, new IPEndPoint(address, 53));
            }
            catch (SocketException) when (attempt < 50)
            {
                // Another test run has this address: take the next.
            }
        }
    }

    [GeneratedRegex(@"queued as ([0-9A-Za-z]+)", RegexOptions.CultureInvariant)]
    private static partial Regex QueuedAsPattern();
}
