using System.Diagnostics;
using System.Security.Authentication;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>The TLS session itself: protocol versions (K.77) and what the result and the session outcome say about it.</summary>
public sealed partial class MtaStsDeliveryAgentTests
{
    /// <summary>
    /// K.77 and F.8/F.9: a server that offers only TLS 1.0/1.1. Under enforce the handshake fails (validation-failure with
    /// a reason) and the message is not delivered; under testing delivery goes on in plaintext and the failure is reported.
    /// </summary>
    [Theory]
    [InlineData(PolicyCase.Enforce)]
    [InlineData(PolicyCase.Testing)]
    public async Task DeliverAsync_ServerOffersOnlyTls10And11_EnforceDefersTestingDeliversInPlaintext(PolicyCase policy)
    {
        await AssertLegacyServerNegotiatesTls11Async();
        var domain = await _env.AddDomainAsync(policy, [MxHosts.LegacyTls], [MxHosts.LegacyTls]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));
        await WaitForIdleAsync(MxHosts.LegacyTls);

        var attempt = result.Attempts[0];
        Assert.Equal(TlsRptResultType.ValidationFailure, attempt.ResultType);
        Assert.Equal(MxAttemptOutcome.TlsFailed, attempt.Outcome);
        var outcome = Assert.Single(sink.Outcomes);
        Assert.Equal(TlsRptResultType.ValidationFailure, outcome.ResultType);
        Assert.StartsWith("tls-handshake-failed", outcome.FailureReasonCode, StringComparison.Ordinal);
        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.TlsProtocol);
        if (policy == PolicyCase.Enforce)
        {
            Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
            Assert.Single(result.Attempts);
            Assert.StartsWith("tls-handshake-failed", attempt.Detail, StringComparison.Ordinal);
            Assert.False(outcome.Delivered);
            Assert.False(_env.Forwarder(MxHosts.LegacyTls).ClientSent(marker));
            Assert.Null(DeliveryEnvironment.FindMessage(_env.LegacyTlsPostfix, marker));
        }
        else
        {
            // Issue-8 rule 5: the failed handshake is followed by a plaintext session on a new connection, reported once.
            Assert.Equal(DeliveryStatus.Delivered, result.Status);
            Assert.Equal(2, result.Attempts.Count);
            Assert.Equal(MxAttemptOutcome.Delivered, result.Attempts[1].Outcome);
            Assert.True(outcome.Delivered);
            Assert.False((await DeliveryEnvironment.WaitForMessageAsync(_env.LegacyTlsPostfix, marker)).ReceivedOverTls);
        }
    }

    /// <summary>Item 7 of the brief: the session outcome of a good delivery describes the TLS session (RFC 8460 §4 needs these).</summary>
    [Fact]
    public async Task DeliverAsync_ValidTlsUnderEnforce_SessionOutcomeDescribesTheSession()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [MxHosts.Valid], id: "outcome1");
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);
        var before = TimeProvider.System.GetUtcNow();

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var outcome = Assert.Single(sink.Outcomes);
        Assert.True(outcome.Succeeded);
        Assert.True(outcome.Delivered);
        Assert.Null(outcome.ResultType);
        Assert.Null(outcome.FailureReasonCode);
        Assert.True(outcome.TlsProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, $"TLS protocol {outcome.TlsProtocol}");
        Assert.False(string.IsNullOrEmpty(outcome.CipherSuite));
        Assert.Equal(_env.Forwarder(MxHosts.Valid).Address, outcome.ReceivingAddress);
        Assert.Equal(domain, outcome.PolicyDomain);
        Assert.Equal(MxHosts.Valid, outcome.MxHost);
        Assert.Equal((MtaStsMode.Enforce, "outcome1"), (outcome.Resolution.Mode, outcome.Resolution.PolicyId));
        Assert.False(outcome.IsReportDelivery);
        Assert.InRange(outcome.Timestamp, before, TimeProvider.System.GetUtcNow());
        var received = await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
        Assert.Equal(outcome.TlsProtocol == SslProtocols.Tls13 ? "TLSv1.3" : "TLSv1.2", received.TlsProtocol);
        Assert.Equal("sender.test", received.HeloName);
        Assert.Equal(DeliveryEnvironment.Sender.Address, received.Sender);
        Assert.Equal([$"rcpt@{domain}"], received.Recipients);
    }

    /// <summary>
    /// <see cref="DomainDeliveryResult.TlsProtocol"/> and <see cref="DomainDeliveryResult.CipherSuite"/> describe the
    /// delivering session ("<see langword="null"/> when it was not encrypted"): a delivery over TLS must carry them.
    /// </summary>
    [Fact]
    public async Task DeliverAsync_DeliveredOverTls_ResultReportsTlsProtocolAndCipherSuite()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [MxHosts.Valid]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var session = Assert.Single(sink.Outcomes);
        Assert.NotNull(session.TlsProtocol);
        Assert.Equal(session.TlsProtocol, result.TlsProtocol);
        Assert.Equal(session.CipherSuite, result.CipherSuite);
    }

    /// <summary>
    /// The precondition of K.77: the legacy server does complete a TLS 1.1 handshake with a client that allows it. The
    /// probe is OpenSSL's own client (Debian's postfix depends on it through ssl-cert): .NET's client cannot lower
    /// OpenSSL's security level, so it cannot offer TLS 1.1 here at all.
    /// </summary>
    private async Task AssertLegacyServerNegotiatesTls11Async()
    {
        var startInfo = new ProcessStartInfo("openssl")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["s_client", "-brief", "-starttls", "smtp", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0",
            "-connect", _env.LegacyTlsPostfix.EndPoint.ToString()])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Contains("Protocol version: TLSv1.1", await output + await error, StringComparison.Ordinal);
    }
}
