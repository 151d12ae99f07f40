using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// <see cref="MtaStsTlsGuard"/> with DANE (RFC 8461 §2, RFC 7672) on a caller's own <see cref="SmtpClient"/>, end to end
/// against the DANE delivery world: the TLSA records come from Knot's signed zone through Unbound and
/// <see cref="MtaStsInspector.LookupTlsaAsync"/>, Postfix (picking its certificate by SNI) or an attacker proxy answers,
/// and the wire taps say what crossed in the clear.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class DaneTlsGuardTests
{
    private readonly DeliveryEnvironment _env;

    public DaneTlsGuardTests(DeliveryEnvironment env) => _env = env;

    [Fact]
    public async Task Guard_DaneEeHostWithMatchingCertificate_ConnectsWithTheTlsaBaseDomainAndSends()
    {
        // The certificate is self-signed: only DANE-EE can authenticate it, and only SNI makes Postfix present it.
        var tlsa = await LookupTlsaAsync(DaneHosts.Ee);
        Assert.Equal(TlsaLookupStatus.Usable, tlsa.Status);
        var domain = DeliveryEnvironment.NewDomainName();
        var marker = DeliveryEnvironment.NewMarker();
        var wire = _env.Forwarder(DaneHosts.Ee).ClientToServer.Length;
        using var client = NewClient();

        var guard = MtaStsTlsGuard.Apply(client, Resolution(domain, "testing", DaneHosts.Ee), DaneHosts.Ee, Validator(), tlsa, new DaneCertificateValidator());
        await ConnectAsync(client, tlsa, guard);
        guard.ThrowIfNotCompliant(client);
        await client.SendAsync(DeliveryEnvironment.NewMessage(domain, marker));
        await client.DisconnectAsync(quit: true);

        Assert.True(guard.IsDaneAuthenticated);
        Assert.Equal(DaneHosts.Ee, guard.ServerName);
        Assert.True(guard.CertificateResult!.IsValid);
        Assert.True((await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker)).ReceivedOverTls);
        await _env.Forwarder(DaneHosts.Ee).WaitForIdleAsync();
        var sent = Sent(DaneHosts.Ee, wire);
        Assert.Contains("STARTTLS", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("MAIL FROM", sent, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guard_WebPkiValidCertificateMatchingNoTlsaRecordUnderEnforce_RefusedInsideTheHandshake()
    {
        // Checklist K.81 (RFC 8461 §2): MTA-STS alone would accept this certificate; DANE refuses it, and wins.
        var tlsa = await LookupTlsaAsync(DaneHosts.Mismatch);
        Assert.Equal(TlsaLookupStatus.Usable, tlsa.Status);
        var domain = DeliveryEnvironment.NewDomainName();
        var resolution = Resolution(domain, "enforce", DaneHosts.Mismatch);
        var wire = _env.Forwarder(DaneHosts.Mismatch).ClientToServer.Length;
        using var client = NewClient();

        var guard = MtaStsTlsGuard.Apply(client, resolution, DaneHosts.Mismatch, Validator(), tlsa, new DaneCertificateValidator());
        await Assert.ThrowsAsync<SslHandshakeException>(() => ConnectAsync(client, tlsa, guard));

        Assert.False(client.IsConnected);
        Assert.Equal((TlsRptResultType.TlsaInvalid, ReasonCodes.TlsaNoMatch), (guard.CertificateResult!.ResultType, guard.CertificateResult.ReasonCode));
        await _env.Forwarder(DaneHosts.Mismatch).WaitForIdleAsync();
        var sent = Sent(DaneHosts.Mismatch, wire);
        Assert.Contains("STARTTLS", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("MAIL FROM", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("RCPT TO", sent, StringComparison.Ordinal);

        // The same certificate passes the MTA-STS check of the same enforce policy: it was DANE that refused it.
        using var stsClient = NewClient();
        var sts = MtaStsTlsGuard.Apply(stsClient, resolution, DaneHosts.Mismatch, Validator());
        await ConnectAsync(stsClient, tlsa, sts);
        sts.ThrowIfNotCompliant(stsClient);
        Assert.True(sts.CertificateResult!.IsValid);
        await stsClient.DisconnectAsync(quit: true);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("testing")]
    public async Task Guard_UsableTlsaAndStartTlsStripped_NoPlaintextSession(string? mode)
    {
        // RFC 7672 §2.2: secure TLSA records make STARTTLS mandatory whatever the MTA-STS mode; no fall-back to plaintext.
        var tlsa = await LookupTlsaAsync(DaneHosts.Stripped);
        Assert.Equal(TlsaLookupStatus.Usable, tlsa.Status);
        var domain = DeliveryEnvironment.NewDomainName();
        var proxy = _env.Proxy(DaneHosts.Stripped)!;
        var wire = proxy.ClientToServer.Length;
        var connections = proxy.ConnectionCount;
        using var client = NewClient();

        var guard = MtaStsTlsGuard.Apply(client, Resolution(domain, mode, DaneHosts.Stripped), DaneHosts.Stripped, Validator(), tlsa, new DaneCertificateValidator());
        Assert.Equal(SecureSocketOptions.StartTls, guard.SecureSocketOptions);
        await Assert.ThrowsAsync<NotSupportedException>(() => ConnectAsync(client, tlsa, guard));

        Assert.False(client.IsConnected);
        Assert.Null(guard.CertificateResult);
        await proxy.WaitForIdleAsync();
        Assert.Equal(connections + 1, proxy.ConnectionCount);
        var sent = System.Text.Encoding.Latin1.GetString(proxy.ClientToServer.AsSpan(wire));
        Assert.Contains("EHLO", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("MAIL FROM", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("RCPT TO", sent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guard_IndeterminateTlsaLookup_RefusedBeforeAnyConnection()
    {
        // RFC 7672 §2.1.1: the TLSA zone's server never answers; the host must wait, never fall back to MTA-STS or plaintext.
        var tlsa = await LookupTlsaAsync(DaneHosts.DeadTlsa);
        Assert.Equal(TlsaLookupStatus.Indeterminate, tlsa.Status);
        using var client = NewClient();

        var ex = Assert.Throws<MtaStsDeliveryException>(() => MtaStsTlsGuard.Apply(client, Resolution(DeliveryEnvironment.NewDomainName(), null, DaneHosts.DeadTlsa), DaneHosts.DeadTlsa, Validator(), tlsa, new DaneCertificateValidator()));

        Assert.Equal(TlsRptResultType.DnssecInvalid, ex.ResultType);
        Assert.Null(client.ServerCertificateValidationCallback);
    }

    [Fact]
    public async Task Guard_SecondSessionToTheSameHost_CertificateCheckedAgain()
    {
        // A caller reuses the guard pattern for every session; each must reach the callback, whether or not the TLS stack
        // offers to resume an earlier session (a resumed session that skipped it would leave no verdict: GuardedSmtpClient).
        var tlsa = await LookupTlsaAsync(DaneHosts.Ee);
        var domain = DeliveryEnvironment.NewDomainName();
        for (var i = 0; i < 3; i++)
        {
            using var client = NewClient();
            var guard = MtaStsTlsGuard.Apply(client, Resolution(domain, "testing", DaneHosts.Ee), DaneHosts.Ee, Validator(), tlsa, new DaneCertificateValidator());
            await ConnectAsync(client, tlsa, guard);
            Assert.True(guard.CertificateResult?.IsValid, $"session {i}: protocol {client.SslProtocol}");
            guard.ThrowIfNotCompliant(client);
            await client.DisconnectAsync(quit: true);
        }
    }

    private static SmtpClient NewClient() => new() { LocalDomain = "sender.test", Timeout = 60_000 };

    /// <summary>A resolution as the resolver would give it (the guard takes it as given): <paramref name="mode"/> listing <paramref name="mx"/>, or no policy.</summary>
    private static PolicyResolution Resolution(string domain, string? mode, string mx) => mode is null
        ? new PolicyResolution(domain, PolicyResolutionStatus.NoPolicy)
        : new PolicyResolution(domain, PolicyResolutionStatus.Fetched, MtaStsPolicy.Parse($"version: STSv1\nmode: {mode}\nmax_age: 86400\nmx: {mx}\n"), "id1");

    /// <summary>Connects as a caller should: to the address DNS gave, with <see cref="MtaStsTlsGuard.ServerName"/> for SNI.</summary>
    private async Task ConnectAsync(SmtpClient client, TlsaLookupResult tlsa, MtaStsTlsGuard guard)
    {
        var endPoint = new IPEndPoint(tlsa.Addresses.Addresses[0], _env.SmtpPort);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint);
            await client.ConnectAsync(socket, guard.ServerName, endPoint.Port, guard.SecureSocketOptions);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<TlsaLookupResult> LookupTlsaAsync(string host)
    {
        await using var inspector = MtaStsInspector.Create(o => _env.ConfigurePolicy(o, dnssec: true));
        return await inspector.LookupTlsaAsync(host, _env.SmtpPort);
    }

    private MxCertificateValidator Validator() => new([_env.Mta.Ca.RootCertificate], X509RevocationMode.NoCheck);

    /// <summary>What the client sent in the clear through the tap of <paramref name="host"/> since <paramref name="from"/> bytes.</summary>
    private string Sent(string host, int from) => System.Text.Encoding.Latin1.GetString(_env.Forwarder(host).ClientToServer.AsSpan(from));
}
