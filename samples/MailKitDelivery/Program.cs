// Sends a message straight to the recipients' MX hosts under their MTA-STS policies, and shows how to guard a
// connection you make yourself with MailKit's SmtpClient.
//
//   dotnet run --project samples/MailKitDelivery -- <from> <to> [--dns <ip:port>] [--port <smtp-port>] [--helo <this-host-fqdn>] [--via <mx-host>]
//
// With --via, the message goes through a SmtpClient connection you make yourself to that host, guarded by the policy.
// Exit codes: 0 delivered to every recipient, 1 a recipient failed temporarily (retry later), 2 a recipient failed permanently.
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MimeKit;
using MtaSts;
using MtaSts.MailKit;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: MailKitDelivery <from> <to> [--dns <ip:port>] [--port <smtp-port>] [--helo <this-host-fqdn>] [--via <mx-host> | --via-dane <mx-host>]");
    return 64;
}

var message = new MimeMessage();
message.From.Add(MailboxAddress.Parse(args[0]));
message.To.Add(MailboxAddress.Parse(args[1]));
message.Subject = "Delivered under MTA-STS";
message.Body = new TextPart("plain") { Text = "This message was never sent in plaintext to a host that requires TLS." };

var via = Array.IndexOf(args, "--via");
if (via >= 0 && via < args.Length - 1)
{
    await using var resolver = MtaStsResolver.Create(policy => ConfigurePolicy(policy, args));
    await SendThroughGuardedClientAsync(resolver, message, message.To.Mailboxes.First().Domain, args[via + 1]);
    return 0;
}

var viaDane = Array.IndexOf(args, "--via-dane");
if (viaDane >= 0 && viaDane < args.Length - 1)
{
    await using var resolver = MtaStsResolver.Create(policy => ConfigurePolicy(policy, args));
    await using var inspector = MtaStsInspector.Create(policy => ConfigurePolicy(policy, args));
    await SendThroughDaneGuardedClientAsync(resolver, inspector, message, message.To.Mailboxes.First().Domain, args[viaDane + 1]);
    return 0;
}

await using (var agent = MtaStsDeliveryAgent.Create(
    policy => ConfigurePolicy(policy, args),
    delivery =>
    {
        delivery.Port = PortFrom(args);
        delivery.HeloName = ValueOf(args, "--helo"); // null: this machine's fully qualified name
    }))
{
    var results = await agent.DeliverAsync(message);
    foreach (var result in results)
    {
        // example.com: Delivered (mode Enforce, via mx1.example.com, Tls13)
        Console.WriteLine(result);
        foreach (var attempt in result.Attempts)
        {
            Console.WriteLine($"  {attempt.MxHost} {attempt.Address}: {attempt.Outcome} {attempt.ResultType?.ToResultTypeString()} {attempt.Detail}");
        }

        foreach (var recipient in result.RecipientResults)
        {
            // someone@example.com: Delivered 250 2.0.0 Ok: queued as 4XyZ
            Console.WriteLine($"  {recipient}");
        }
    }

    var recipients = results.SelectMany(r => r.RecipientResults).ToList();
    return recipients.Any(r => r.Status == DeliveryStatus.PermanentFailure) ? 2
        : recipients.Any(r => r.Status == DeliveryStatus.TemporaryFailure) ? 1
        : 0;
}

// Guarding a connection you make yourself, for example to a host you already chose:
static async Task SendThroughGuardedClientAsync(IMtaStsPolicyResolver resolver, MimeMessage message, string domain, string mxHost)
{
    var resolution = await resolver.ResolveAsync(domain);
    if (resolution.Policy is { Mode: not MtaStsMode.None } policy && !policy.MatchesMx(mxHost) && resolution.IsEnforced)
    {
        throw new MtaStsDeliveryException(domain, mxHost, TlsRptResultType.ValidationFailure, ReasonCodes.MxNotInPolicy);
    }

    using var client = new SmtpClient();
    var guard = MtaStsTlsGuard.Apply(client, resolution, mxHost, new MxCertificateValidator());
    await client.ConnectAsync(mxHost, 25, guard.SecureSocketOptions);
    guard.ThrowIfNotCompliant(client);
    await client.SendAsync(message);
    await client.DisconnectAsync(true);
}

// The same with DANE, which takes precedence per MX host (RFC 8461 §2): the guard gets the host's TLSA lookup too.
static async Task SendThroughDaneGuardedClientAsync(IMtaStsPolicyResolver resolver, MtaStsInspector inspector, MimeMessage message, string domain, string mxHost)
{
    var resolution = await resolver.ResolveAsync(domain);
    var tlsa = await inspector.LookupTlsaAsync(mxHost, 25);     // or IMtaStsDns.LookupTlsaAsync
    using var client = new SmtpClient();
    // Throws MtaStsDeliveryException (dnssec-invalid) when the lookup is Indeterminate: try the host later, never without DANE.
    var guard = MtaStsTlsGuard.Apply(client, resolution, mxHost, new MxCertificateValidator(), tlsa,
        new DaneCertificateValidator(), DaneStrictness.RequireBoth);
    using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
    await socket.ConnectAsync(tlsa.Addresses.Addresses[0], 25);
    await client.ConnectAsync(socket, guard.ServerName, 25, guard.SecureSocketOptions);
    guard.ThrowIfNotCompliant(client);
    await client.SendAsync(message);
    await client.DisconnectAsync(true);
}

static void ConfigurePolicy(MtaStsOptions options, string[] args)
{
    for (var i = 2; i < args.Length - 1; i++)
    {
        if (args[i] == "--dns")
        {
            options.NameServers.Add(IPEndPoint.Parse(args[i + 1]));
        }
    }
}

static int PortFrom(string[] args) =>
    ValueOf(args, "--port") is { } port ? int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) : 25;

static string? ValueOf(string[] args, string option)
{
    var i = Array.IndexOf(args, option);
    return i >= 0 && i < args.Length - 1 ? args[i + 1] : null;
}
