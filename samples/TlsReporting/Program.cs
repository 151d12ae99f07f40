// A sender that reports on TLS (RFC 8460): every SMTP session of the MailKit delivery agent is counted, and after each
// UTC day every recipient domain that publishes a TLS-RPT record gets a report, by DKIM-signed mail and HTTPS.
//
//   dotnet run --project samples/TlsReporting -- [<from> <to>] [--key dkim-private-key.pem] [--dns <ip:port>]
//
// Without a key file a new RSA key is made and the DKIM record to publish is printed. With <from> and <to>, a message is
// delivered (and counted); the program then shows the report it would send for the recipient's domain today.
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using MtaSts;
using MtaSts.MailKit;

var keyPem = ReadOrCreateKey(args);
var builder = Host.CreateApplicationBuilder();

builder.Services.AddMtaSts(policy => ConfigurePolicy(policy, args))
    .AddMailKitDelivery(delivery => delivery.HeloName = "mta.example.org")
    .AddSqlitePolicyStore("mta-sts.db")
    .AddSqliteTlsReportStore("mta-sts.db")
    .AddTlsReporting(reporting =>
    {
        reporting.OrganizationName = "Example Org";
        reporting.ContactInfo = "tlsrpt-noreply@example.org";
        reporting.DkimSelector = "tlsrpt";
        reporting.DkimPrivateKeyPem = keyPem;
    })
    .AddTlsReportMail();

using var host = builder.Build();
await host.StartAsync();

var recipientDomain = "example.com";
if (args.Length >= 2 && !args[0].StartsWith("--", StringComparison.Ordinal))
{
    var message = new MimeMessage();
    message.From.Add(MailboxAddress.Parse(args[0]));
    message.To.Add(MailboxAddress.Parse(args[1]));
    message.Subject = "Counted for TLS reporting";
    message.Body = new TextPart("plain") { Text = "Each SMTP session to the recipient's MX hosts goes into its TLS report." };
    recipientDomain = message.To.Mailboxes.First().Domain;

    var agent = host.Services.GetRequiredService<MtaStsDeliveryAgent>();
    foreach (var result in await agent.DeliverAsync(message))
    {
        Console.WriteLine(result);
    }
}

// Look at today's report for a domain without sending it (the scheduled report is unaffected):
var reports = host.Services.GetRequiredService<ITlsReportGenerator>();
var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
var report = await reports.GenerateReportAsync(recipientDomain, today);
Console.WriteLine(report?.ToString() ?? $"No session to {recipientDomain} counted today.");

await host.StopAsync();
return 0;

static string ReadOrCreateKey(string[] args)
{
    var i = Array.IndexOf(args, "--key");
    if (i >= 0 && i < args.Length - 1)
    {
        return File.ReadAllText(args[i + 1]);
    }

    // Publish the public half as TXT at tlsrpt._domainkey.example.org; "s=tlsrpt" marks it for TLS reports (RFC 8460 §3).
    using var rsa = RSA.Create(2048);
    Console.WriteLine($"tlsrpt._domainkey.example.org. TXT \"v=DKIM1; k=rsa; s=tlsrpt; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}\"");
    return rsa.ExportRSAPrivateKeyPem();
}

static void ConfigurePolicy(MtaStsOptions options, string[] args)
{
    var i = Array.IndexOf(args, "--dns");
    if (i >= 0 && i < args.Length - 1)
    {
        options.NameServers.Add(IPEndPoint.Parse(args[i + 1]));
    }
}
