using MimeKit;
using MtaSts.MailKit;

var message = new MimeMessage();
message.From.Add(MailboxAddress.Parse("sender@example.org"));
message.To.Add(MailboxAddress.Parse("someone@example.com"));
message.Subject = "Hello";
message.Body = new TextPart("plain") { Text = "Delivered under the recipient domain's MTA-STS policy." };

// Straight to each recipient domain's MX hosts. Under "enforce" only over TLS 1.2+ to a host named in the policy
// whose certificate is valid for it; otherwise the result is a failure to retry later, never a plaintext delivery.
await using var agent = MtaStsDeliveryAgent.Create(configureDelivery: delivery => delivery.HeloName = "mta.example.org");
foreach (var result in await agent.DeliverAsync(message))
{
    Console.WriteLine(result); // example.com: Delivered (mode Enforce, via mx1.example.com, Tls13), or why not
    foreach (var attempt in result.Attempts)
    {
        Console.WriteLine($"  {attempt}");
    }
}
