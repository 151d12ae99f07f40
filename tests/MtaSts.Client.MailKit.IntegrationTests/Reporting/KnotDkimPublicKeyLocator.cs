using System.Net;
using DnsClient;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MtaSts.MailKit.IntegrationTests.Reporting;

/// <summary>Finds DKIM public keys (<c>&lt;selector&gt;._domainkey.&lt;domain&gt;</c> TXT) on the test's Knot server, as a receiver would in DNS.</summary>
internal sealed class KnotDkimPublicKeyLocator(IPEndPoint nameServer) : DkimPublicKeyLocatorBase
{
    private readonly LookupClient _client = new(new LookupClientOptions(nameServer) { UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(2) });

    /// <summary>Gets the text of the last key record found.</summary>
    public string? LastRecord { get; private set; }

    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var response = await _client.QueryAsync($"{selector}._domainkey.{domain}", QueryType.TXT, QueryClass.IN, cancellationToken);
        var record = response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).FirstOrDefault()
            ?? throw new InvalidOperationException($"No DKIM key record at {selector}._domainkey.{domain}.");
        LastRecord = record;
        return GetPublicKey(record);
    }
}
