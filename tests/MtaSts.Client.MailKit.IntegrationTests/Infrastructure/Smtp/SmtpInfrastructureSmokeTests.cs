using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MtaSts.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>Proves the SMTP test infrastructure: the Postfix server, the STARTTLS-stripping proxy and the TLS-intercepting proxy.</summary>
public sealed class SmtpInfrastructureSmokeTests : IClassFixture<TestCertificateAuthority>
{
    private const string MxHost = "mx1.smtp-smoke.test";
    private const string DefaultHost = "default.smtp-smoke.test";
    private const string ClientName = "client.smtp-smoke.test";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TestCertificateAuthority _ca;
    private readonly ITestOutputHelper _output;

    public SmtpInfrastructureSmokeTests(TestCertificateAuthority ca, ITestOutputHelper output)
    {
        _ca = ca;
        _output = output;
    }

    [Fact]
    public async Task Server_StartTlsThroughOwnSocket_ServesTheSniCertificateAndStoresTheMessage()
    {
        using var mxCertificate = _ca.IssueServerCertificate(MxHost);
        using var defaultCertificate = _ca.IssueServerCertificate(DefaultHost);
        await using var server = await SmtpTestServer.StartAsync(
            defaultCertificate,
            new SmtpTestServerOptions { SniCertificates = new Dictionary<string, X509Certificate2> { [MxHost] = mxCertificate } });
        var body = "Hello over TLS " + Guid.NewGuid();

        string? presented = null;
        using (var client = CreateClient(TrustOnlyTestRoot(thumbprint => presented = thumbprint)))
        {
            await ConnectThroughOwnSocketAsync(client, server.EndPoint, MxHost, SecureSocketOptions.StartTls);
            Assert.True(client.IsSecure);
            Assert.Equal(mxCertificate.Thumbprint, presented);
            await client.SendAsync(NewMessage(body, "first@dest.smtp-smoke.test", "second@other.smtp-smoke.test"));
            await client.DisconnectAsync(quit: true);
        }

        var received = Assert.Single(await server.WaitForMessagesAsync(1, Timeout));
        Assert.Equal(["first@dest.smtp-smoke.test", "second@other.smtp-smoke.test"], received.Recipients);
        Assert.Equal("sender@smtp-smoke.test", received.Sender);
        Assert.Equal(ClientName, received.HeloName);
        Assert.True(received.ReceivedOverTls);
        Assert.StartsWith("TLSv1.", received.TlsProtocol, StringComparison.Ordinal);
        Assert.Contains(body, received.ToMimeMessage().TextBody, StringComparison.Ordinal);
        await Poll.UntilAsync(() => server.ConnectionCount == 1, "the server to log one connection", Timeout);

        // A name without its own certificate gets the default one.
        presented = null;
        using (var client = CreateClient(TrustOnlyTestRoot(thumbprint => presented = thumbprint)))
        {
            await ConnectThroughOwnSocketAsync(client, server.EndPoint, DefaultHost, SecureSocketOptions.StartTls);
            Assert.Equal(defaultCertificate.Thumbprint, presented);
            await client.DisconnectAsync(quit: true);
        }
    }

    [Fact]
    public async Task Server_WithoutStartTls_DoesNotAdvertiseItAndAcceptsPlaintext()
    {
        await using var server = await SmtpTestServer.StartWithoutStartTlsAsync();
        var body = "Hello in plaintext " + Guid.NewGuid();

        using (var client = CreateClient(TrustOnlyTestRoot()))
        {
            await ConnectThroughOwnSocketAsync(client, server.EndPoint, MxHost, SecureSocketOptions.None);
            Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
            await client.SendAsync(NewMessage(body, "rcpt@dest.smtp-smoke.test"));
            await client.DisconnectAsync(quit: true);
        }

        var received = Assert.Single(await server.WaitForMessagesAsync(1, Timeout));
        Assert.False(received.ReceivedOverTls);
        Assert.Contains(body, received.Text, StringComparison.Ordinal);

        using var strict = CreateClient(TrustOnlyTestRoot());
        await Assert.ThrowsAsync<NotSupportedException>(() => ConnectThroughOwnSocketAsync(strict, server.EndPoint, MxHost, SecureSocketOptions.StartTls));
    }

    [Fact]
    public async Task Server_MaximumTlsVersion_LimitsTheHandshake()
    {
        using var certificate = _ca.IssueServerCertificate(MxHost);
        await using var server = await SmtpTestServer.StartAsync(certificate, new SmtpTestServerOptions { MaximumTlsVersion = SslProtocols.Tls12 });

        using (var client = CreateClient(TrustOnlyTestRoot()))
        {
            await ConnectThroughOwnSocketAsync(client, server.EndPoint, MxHost, SecureSocketOptions.StartTls);
            Assert.Equal(SslProtocols.Tls12, client.SslProtocol);
            await client.SendAsync(NewMessage("TLS 1.2 only", "rcpt@dest.smtp-smoke.test"));
            await client.DisconnectAsync(quit: true);
        }

        Assert.Equal("TLSv1.2", Assert.Single(await server.WaitForMessagesAsync(1, Timeout)).TlsProtocol);

        using var modern = CreateClient(TrustOnlyTestRoot());
        modern.SslProtocols = SslProtocols.Tls13;
        await Assert.ThrowsAsync<SslHandshakeException>(() => ConnectThroughOwnSocketAsync(modern, server.EndPoint, MxHost, SecureSocketOptions.StartTls));
    }

    [Fact]
    public async Task Servers_SeveralInstances_RunSideBySide()
    {
        using var first = _ca.IssueServerCertificate("mx-a.smtp-smoke.test");
        using var second = _ca.IssueServerCertificate("mx-b.smtp-smoke.test");
        var starting = new[] { SmtpTestServer.StartAsync(first), SmtpTestServer.StartAsync(second) };
        await using var a = await starting[0];
        await using var b = await starting[1];
        Assert.NotEqual(a.Port, b.Port);

        foreach (var (server, host) in new[] { (a, "mx-a.smtp-smoke.test"), (b, "mx-b.smtp-smoke.test") })
        {
            using var client = CreateClient(TrustOnlyTestRoot());
            await ConnectThroughOwnSocketAsync(client, server.EndPoint, host, SecureSocketOptions.StartTls);
            await client.SendAsync(NewMessage("for " + host, "rcpt@" + host));
            await client.DisconnectAsync(quit: true);
        }

        Assert.Equal(["rcpt@mx-a.smtp-smoke.test"], Assert.Single(await a.WaitForMessagesAsync(1, Timeout)).Recipients);
        Assert.Equal(["rcpt@mx-b.smtp-smoke.test"], Assert.Single(await b.WaitForMessagesAsync(1, Timeout)).Recipients);
    }

    [Fact]
    public async Task StrippingProxy_HidesStartTls_StartTlsRequiredFails()
    {
        using var certificate = _ca.IssueServerCertificate(MxHost);
        await using var server = await SmtpTestServer.StartAsync(certificate);
        await using var proxy = StartTlsStrippingProxy.Start(server.EndPoint);

        using (var client = CreateClient(TrustOnlyTestRoot()))
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => ConnectThroughOwnSocketAsync(client, proxy.EndPoint, MxHost, SecureSocketOptions.StartTls));
        }

        using (var client = CreateClient(TrustOnlyTestRoot()))
        {
            await ConnectThroughOwnSocketAsync(client, proxy.EndPoint, MxHost, SecureSocketOptions.None);
            Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
            await client.DisconnectAsync(quit: true);
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.Equal(2, proxy.ConnectionCount);
        Assert.DoesNotContain(SmtpReplies.StartTls, Encoding.Latin1.GetString(proxy.ServerToClient), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(proxy.Faults);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task StrippingProxy_StartTlsWhenAvailable_DeliversInPlaintextThroughTheAttacker()
    {
        using var certificate = _ca.IssueServerCertificate(MxHost);
        await using var server = await SmtpTestServer.StartAsync(certificate);
        await using var proxy = StartTlsStrippingProxy.Start(server.EndPoint);
        var body = "Readable by the attacker " + Guid.NewGuid();

        using (var client = CreateClient(TrustOnlyTestRoot()))
        {
            await ConnectThroughOwnSocketAsync(client, proxy.EndPoint, MxHost, SecureSocketOptions.StartTlsWhenAvailable);
            Assert.False(client.IsSecure);
            await client.SendAsync(NewMessage(body, "rcpt@dest.smtp-smoke.test"));
            await client.DisconnectAsync(quit: true);
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.True(proxy.ClientSent(body));
        Assert.Contains(body, proxy.Transcript, StringComparison.Ordinal);
        Assert.Equal(0, proxy.StartTlsCommandCount);
        Assert.Empty(proxy.Faults);
        var received = Assert.Single(await server.WaitForMessagesAsync(1, Timeout));
        Assert.False(received.ReceivedOverTls);
        Assert.Contains(body, received.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrippingProxy_RewritesTheEhloReplyAndRefusesStartTls()
    {
        using var certificate = _ca.IssueServerCertificate(MxHost);
        await using var server = await SmtpTestServer.StartAsync(certificate);
        await using var proxy = StartTlsStrippingProxy.Start(server.EndPoint);

        using (var connection = new TcpClient())
        {
            await connection.ConnectAsync(proxy.EndPoint);
            var stream = connection.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1);
            Assert.StartsWith("220 ", Assert.Single(await ReadReplyAsync(reader)), StringComparison.Ordinal);

            await WriteLineAsync(stream, "EHLO " + ClientName);
            var ehlo = await ReadReplyAsync(reader);
            Assert.True(ehlo.Count > 2);
            Assert.All(ehlo.SkipLast(1), line => Assert.StartsWith("250-", line, StringComparison.Ordinal));
            Assert.StartsWith("250 ", ehlo[^1], StringComparison.Ordinal);
            Assert.DoesNotContain(ehlo, line => line.Contains(SmtpReplies.StartTls, StringComparison.OrdinalIgnoreCase));

            await WriteLineAsync(stream, "STARTTLS");
            Assert.Equal(["502 5.5.1 Command not recognized"], await ReadReplyAsync(reader));

            await WriteLineAsync(stream, "NOOP");
            Assert.StartsWith("250 ", Assert.Single(await ReadReplyAsync(reader)), StringComparison.Ordinal);
            await WriteLineAsync(stream, "QUIT");
            Assert.StartsWith("221 ", Assert.Single(await ReadReplyAsync(reader)), StringComparison.Ordinal);
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.Equal(1, proxy.StartTlsCommandCount);
        Assert.Contains("[1] P: 502 5.5.1 Command not recognized", proxy.Transcript, StringComparison.Ordinal);
        Assert.Empty(proxy.Faults);

        // The server never saw the STARTTLS command: its session has no starttls in the summary.
        await Poll.UntilAsync(() => server.ReadLog().Contains("disconnect from", StringComparison.Ordinal), "the server to log the disconnect", Timeout);
        Assert.DoesNotContain("starttls=", server.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrippingProxy_RelaysDataAndBdatContentVerbatim()
    {
        await using var server = await SmtpTestServer.StartWithoutStartTlsAsync();
        await using var proxy = StartTlsStrippingProxy.Start(server.EndPoint);

        using (var connection = new TcpClient())
        {
            await connection.ConnectAsync(proxy.EndPoint);
            var stream = connection.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1);
            await ReadReplyAsync(reader);
            await WriteLineAsync(stream, "EHLO " + ClientName);
            Assert.Contains(await ReadReplyAsync(reader), line => line.EndsWith("CHUNKING", StringComparison.Ordinal));

            // Content lines that look like commands are content: only the lone dot ends DATA.
            foreach (var command in new[] { "MAIL FROM:<sender@smtp-smoke.test>", "RCPT TO:<data@dest.smtp-smoke.test>", "DATA" })
            {
                await WriteLineAsync(stream, command);
                await ReadReplyAsync(reader);
            }

            await WriteLineAsync(stream, "Subject: data\r\n\r\nSTARTTLS\r\n..dot-stuffed\r\nQUIT\r\n.");
            Assert.StartsWith("250 ", Assert.Single(await ReadReplyAsync(reader)), StringComparison.Ordinal);

            // A BDAT chunk is counted bytes, whatever lines it holds.
            foreach (var command in new[] { "MAIL FROM:<sender@smtp-smoke.test>", "RCPT TO:<bdat@dest.smtp-smoke.test>" })
            {
                await WriteLineAsync(stream, command);
                await ReadReplyAsync(reader);
            }

            var chunk = "Subject: bdat\r\n\r\nSTARTTLS\r\n.\r\nQUIT\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"BDAT {chunk.Length} LAST\r\n{chunk}"));
            Assert.StartsWith("250 ", Assert.Single(await ReadReplyAsync(reader)), StringComparison.Ordinal);
            await WriteLineAsync(stream, "QUIT");
            await ReadReplyAsync(reader);
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.Equal(0, proxy.StartTlsCommandCount);
        Assert.Empty(proxy.Faults);
        var messages = await server.WaitForMessagesAsync(2, Timeout);
        var data = Assert.Single(messages, m => m.Recipients.SequenceEqual(["data@dest.smtp-smoke.test"]));
        Assert.Contains("\nSTARTTLS\n.dot-stuffed\nQUIT\n", data.Text, StringComparison.Ordinal);
        var bdat = Assert.Single(messages, m => m.Recipients.SequenceEqual(["bdat@dest.smtp-smoke.test"]));
        Assert.Contains("\nSTARTTLS\n.\nQUIT\n", bdat.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InterceptingProxy_SelfSignedCertificate_IsRejectedAndSeesNoBody()
    {
        using var certificate = _ca.IssueServerCertificate(MxHost);
        await using var server = await SmtpTestServer.StartAsync(certificate);
        using var forged = TestCertificateAuthority.CreateSelfSignedServerCertificate(MxHost);
        await using var proxy = TlsInterceptingProxy.Start(server.EndPoint, forged);
        var body = "Must not reach the attacker " + Guid.NewGuid();

        using (var client = CreateClient(TrustOnlyTestRoot()))
        {
            await Assert.ThrowsAsync<SslHandshakeException>(() => ConnectThroughOwnSocketAsync(client, proxy.EndPoint, MxHost, SecureSocketOptions.StartTls));
            Assert.False(client.IsConnected);
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.Equal(1, proxy.HandshakeCount);
        Assert.Equal(0, proxy.AcceptedHandshakeCount);
        Assert.Equal(1, proxy.RejectedHandshakeCount);
        Assert.Equal([MxHost], proxy.ServerNames);
        Assert.False(proxy.ClientSent(body));
        Assert.DoesNotContain(body, proxy.Transcript, StringComparison.Ordinal);
        Assert.Empty(proxy.Faults);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task InterceptingProxy_ClientTrustingAnything_LeaksTheBody()
    {
        using var certificate = _ca.IssueServerCertificate(MxHost);
        await using var server = await SmtpTestServer.StartAsync(certificate);
        using var forged = _ca.IssueExpiredServerCertificate("wrong-name.smtp-smoke.test");
        await using var proxy = TlsInterceptingProxy.Start(server.EndPoint, forged);
        var body = "Decrypted by the attacker " + Guid.NewGuid();

        string? presented = null;
        using (var client = CreateClient((_, c, _, _) =>
        {
            presented = c?.GetCertHashString();
            return true;
        }))
        {
            await ConnectThroughOwnSocketAsync(client, proxy.EndPoint, MxHost, SecureSocketOptions.StartTls);
            Assert.True(client.IsSecure);
            await client.SendAsync(NewMessage(body, "rcpt@dest.smtp-smoke.test"));
            await client.DisconnectAsync(quit: true);
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.Equal(forged.Thumbprint, presented);
        Assert.Equal(1, proxy.AcceptedHandshakeCount);
        Assert.Equal(0, proxy.RejectedHandshakeCount);
        Assert.Equal([MxHost], proxy.ServerNames);
        Assert.True(proxy.ClientSent(body));
        Assert.Empty(proxy.Faults);

        // Once TLS is up, the proxy's EHLO reply no longer offers STARTTLS (the server's plaintext reply did).
        var afterTls = proxy.Transcript[proxy.Transcript.IndexOf("TLS handshake with the client completed", StringComparison.Ordinal)..];
        Assert.Contains("250-PIPELINING", afterTls, StringComparison.Ordinal);
        Assert.DoesNotContain(SmtpReplies.StartTls, afterTls, StringComparison.Ordinal);

        var received = Assert.Single(await server.WaitForMessagesAsync(1, Timeout));
        Assert.False(received.ReceivedOverTls);
        Assert.Contains(body, received.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InterceptingProxy_OffersStartTlsItselfAndSurvivesAnAbortedHandshake()
    {
        await using var server = await SmtpTestServer.StartWithoutStartTlsAsync();
        using var forged = TestCertificateAuthority.CreateSelfSignedServerCertificate(MxHost);
        await using var proxy = TlsInterceptingProxy.Start(server.EndPoint, forged);

        using (var connection = new TcpClient())
        {
            await connection.ConnectAsync(proxy.EndPoint);
            var stream = connection.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1);
            await ReadReplyAsync(reader);
            await WriteLineAsync(stream, "EHLO " + ClientName);
            var ehlo = await ReadReplyAsync(reader);
            Assert.Equal("250 STARTTLS", ehlo[^1]);
            Assert.All(ehlo.SkipLast(1), line => Assert.StartsWith("250-", line, StringComparison.Ordinal));

            await WriteLineAsync(stream, "STARTTLS");
            Assert.Equal(["220 2.0.0 Ready to start TLS"], await ReadReplyAsync(reader));
            await stream.WriteAsync("not a TLS ClientHello\r\n"u8.ToArray());
        }

        await proxy.WaitForIdleAsync(Timeout);
        _output.WriteLine(proxy.Transcript);
        Assert.Equal(1, proxy.HandshakeCount);
        Assert.Equal(1, proxy.RejectedHandshakeCount);
        Assert.Equal(0, proxy.AcceptedHandshakeCount);
        Assert.Empty(proxy.Faults);
    }

    private static SmtpClient CreateClient(RemoteCertificateValidationCallback validation) =>
        new()
        {
            ServerCertificateValidationCallback = validation,
            CheckCertificateRevocation = false,
            LocalDomain = ClientName,
            Timeout = (int)Timeout.TotalMilliseconds,
        };

    /// <summary>Validates the server certificate against the test root only, and the host name; reports the thumbprint seen.</summary>
    private RemoteCertificateValidationCallback TrustOnlyTestRoot(Action<string>? presented = null) =>
        (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            presented?.Invoke(leaf.Thumbprint);
            if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            {
                return false;
            }

            using var chain = new X509Chain { ChainPolicy = _ca.CreateChainPolicy() };
            return chain.Build(leaf);
        };

    /// <summary>Connects a socket itself and hands it to MailKit with the host NAME, so SNI and name checks use the name.</summary>
    private static async Task ConnectThroughOwnSocketAsync(SmtpClient client, System.Net.IPEndPoint endPoint, string host, SecureSocketOptions options)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint);
            await client.ConnectAsync(socket, host, endPoint.Port, options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static MimeMessage NewMessage(string body, params string[] recipients)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@smtp-smoke.test"));
        foreach (var recipient in recipients)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = "Smoke test";
        message.Body = new TextPart("plain") { Text = body + "\r\n" };
        return message;
    }

    private static async Task WriteLineAsync(NetworkStream stream, string line) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));

    private static async Task<List<string>> ReadReplyAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var lines = new List<string>();
        do
        {
            lines.Add(await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The connection closed mid-reply."));
        }
        while (lines[^1].Length > 3 && lines[^1][3] == '-');

        return lines;
    }
}
