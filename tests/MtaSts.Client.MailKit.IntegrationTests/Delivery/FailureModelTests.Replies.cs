using DnsClient;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>Rules 4–7 and 9: what replies before and after TLS mean, opportunistic fallback, per-recipient results.</summary>
public sealed partial class FailureModelTests
{
    /// <summary>
    /// Rules 4 and 9: a 4xx or 5xx reply to STARTTLS under <c>enforce</c> (injectable by anyone on the path) is
    /// <c>starttls-not-supported</c>, never a permanent failure: the next MX is tried and takes the message over TLS.
    /// </summary>
    [Theory]
    [InlineData("554 5.7.0 TLS not for you")]
    [InlineData("454 4.7.0 TLS not available")]
    [InlineData("502 5.5.2 not implemented")]
    public async Task Rule4_RefusedStartTlsUnderEnforce_TemporaryAndNextMxDelivers(string reply)
    {
        await using var mxs = await StartTwoMxAsync((c, _) => SmtpScripts.ServeAsync(c, certificate: null, startTlsReply: reply));
        var (domain, refusing, good) = mxs;
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));
        await Task.WhenAll(refusing.Server.WaitForIdleAsync(), good.Server.WaitForIdleAsync());

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(good.Host, result.MxHost);
        var refused = result.Attempts[0];
        Assert.Equal(MxAttemptOutcome.StartTlsNotSupported, refused.Outcome);
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, refused.ResultType);
        Assert.Equal(ReasonCodes.StartTlsRefusedPrefix + reply[..3], refused.Detail);
        var outcome = Assert.Single(sink.For(refusing.Host));
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, outcome.ResultType);
        Assert.Equal(SmtpScripts.ServerName, outcome.ReceivingHelo);
        Assert.Single(refusing.Server.Connections);
        AssertNothingInClear(refusing, marker);
        Assert.Contains(marker, good.Server.DecryptedReceived, StringComparison.Ordinal);
    }

    /// <summary>Rule 4: a 5xx greeting proves nothing under <c>enforce</c>: a temporary failure, not a bounce.</summary>
    [Theory]
    [InlineData("554 5.7.1 go away")]
    [InlineData("421 4.3.2 busy")]
    public async Task Rule4_RefusingGreetingUnderEnforce_TemporaryFailure(string greeting)
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", async (c, _) =>
        {
            await c.ReplyAsync(greeting);
            await c.DrainAsync();
        });
        await PublishAsync(domain, PolicyCase.Enforce, mx);
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Equal(DeliveryStatus.TemporaryFailure, Assert.Single(result.RecipientResults).Status);
        Assert.StartsWith(ReasonCodes.GreetingRefused, result.Attempts[0].Detail, StringComparison.Ordinal);
        AssertNothingInClear(mx, marker);
    }

    /// <summary>Rule 4: a spoofed NXDOMAIN for the MX lookup contradicts the enforce policy held: deferred, nothing connected.</summary>
    [Fact]
    public async Task Rule4_SpoofedNxDomainWithEnforcePolicyHeld_TemporaryFailure()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, cert));
        await PublishAsync(domain, PolicyCase.Enforce, mx);
        using var rule = _env.Mta.Dns.Proxy.Attack(new DnsAttack(domain, QueryType.MX, DnsAttackKind.NonExistentDomain));
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker())));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Equal($"{ReasonCodes.DnsContradictsPolicy}: {ReasonCodes.DomainDoesNotExist}", result.Detail);
        Assert.Equal(0, mx.Tap.ConnectionCount);
    }

    /// <summary>Rule 4, the other direction: without a policy the usual SMTP rules apply, and a 550 to RCPT is permanent.</summary>
    [Fact]
    public async Task Rule4_WithoutPolicy_5xxAfterEhloIsPermanent()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, _) => SmtpScripts.ServeAsync(c, certificate: null, rcptReply: _ => "550 5.1.1 no such user"));
        await PublishAsync(domain, PolicyCase.NoPolicy, mx);
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker())));

        Assert.Equal(DeliveryStatus.PermanentFailure, result.Status);
        var recipient = Assert.Single(result.RecipientResults);
        Assert.Equal(550, recipient.ReplyCode);
        Assert.Contains("no such user", recipient.Detail, StringComparison.Ordinal);
        Assert.Equal(mx.Host, recipient.MxHost);
    }

    public static TheoryData<PolicyCase, string> OpportunisticRefusals() => new()
    {
        { PolicyCase.NoPolicy, "454 4.7.0 TLS not available" },
        { PolicyCase.NoPolicy, "502 5.5.2 not implemented" },
        { PolicyCase.None, "454 4.7.0 TLS not available" },
        { PolicyCase.Testing, "454 4.7.0 TLS not available" },
        { PolicyCase.Testing, "554 5.7.0 no" },
    };

    /// <summary>
    /// Rule 5: without a policy, under <c>none</c> and under <c>testing</c>, a refused STARTTLS is followed by a plaintext
    /// session that delivers; under <c>testing</c> the failure is reported once.
    /// </summary>
    [Theory]
    [MemberData(nameof(OpportunisticRefusals))]
    public async Task Rule5_RefusedStartTlsWithoutEnforce_PlaintextSessionDelivers(PolicyCase policy, string reply)
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, _) => SmtpScripts.ServeAsync(c, certificate: null, startTlsReply: reply));
        await PublishAsync(domain, policy, mx);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));
        await mx.Server.WaitForIdleAsync();

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(2, mx.Server.Connections.Count);
        Assert.DoesNotContain(marker, mx.Server.Connections[0].PlaintextReceived, StringComparison.Ordinal);
        Assert.Contains(marker, mx.Server.Connections[1].PlaintextReceived, StringComparison.Ordinal);
        var outcome = Assert.Single(sink.Outcomes);
        Assert.True(outcome.Delivered);
        Assert.False(outcome.Succeeded);
        if (policy == PolicyCase.Testing)
        {
            Assert.Equal(TlsRptResultType.StartTlsNotSupported, outcome.ResultType);
            Assert.Equal(ReasonCodes.StartTlsRefusedPrefix + reply[..3], outcome.FailureReasonCode);
        }
        else
        {
            Assert.Null(outcome.ResultType);
        }
    }

    /// <summary>Rule 6: one recipient of two is refused; the other is delivered, and each has its own result and reply.</summary>
    [Fact]
    public async Task Rule6_OneRecipientOfTwoRejected_OtherDelivered()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, cert, rcptReply: line => line.Contains("bad@", StringComparison.Ordinal) ? "550 5.1.1 unknown user" : "250 2.1.5 ok"));
        await PublishAsync(domain, PolicyCase.Enforce, mx);
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(TwoRecipients(domain, marker, "good", "bad")));

        Assert.Equal(DeliveryStatus.PartiallyDelivered, result.Status);
        var good = result.RecipientResults.Single(r => r.Recipient.LocalPart == "good");
        var bad = result.RecipientResults.Single(r => r.Recipient.LocalPart == "bad");
        Assert.Equal((DeliveryStatus.Delivered, 250), (good.Status, good.ReplyCode!.Value));
        Assert.Equal((DeliveryStatus.PermanentFailure, 550), (bad.Status, bad.ReplyCode!.Value));
        Assert.Contains("unknown user", bad.Detail, StringComparison.Ordinal);
        Assert.Contains(marker, mx.Server.DecryptedReceived, StringComparison.Ordinal);
    }

    /// <summary>Rule 6: a recipient deferred with 4xx at one MX is tried at the next, alone; the delivered one is not sent twice.</summary>
    [Fact]
    public async Task Rule6_RecipientDeferredAtFirstMx_DeliveredAtNext()
    {
        await using var mxs = await StartTwoMxAsync((c, cert) => SmtpScripts.ServeAsync(c, cert, rcptReply: line => line.Contains("later@", StringComparison.Ordinal) ? "451 4.3.0 try later" : "250 ok"));
        var (domain, first, second) = mxs;
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(TwoRecipients(domain, marker, "now", "later")));
        await second.Server.WaitForIdleAsync();

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(first.Host, result.RecipientResults.Single(r => r.Recipient.LocalPart == "now").MxHost);
        Assert.Equal(second.Host, result.RecipientResults.Single(r => r.Recipient.LocalPart == "later").MxHost);
        Assert.DoesNotContain("RCPT TO:<now@", second.Server.DecryptedReceived, StringComparison.Ordinal);
        Assert.Contains("RCPT TO:<later@", second.Server.DecryptedReceived, StringComparison.Ordinal);
    }

    /// <summary>Rule 7: a 530 to MAIL is a recorded temporary outcome (MailKit throws ServiceNotAuthenticatedException), never an exception.</summary>
    [Fact]
    public async Task Rule7_530ToMail_RecordedTemporaryFailure()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, cert, mailReply: "530 5.7.0 authentication required"));
        await PublishAsync(domain, PolicyCase.Enforce, mx);
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker())));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.StartsWith(ReasonCodes.AuthenticationRequired, result.Attempts[0].Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// Rule 7, with PIPELINING (review finding): MAIL refused with 530 and every pipelined RCPT answered 503 ("need MAIL").
    /// The 503s say nothing about the recipients: the delivery is deferred, no recipient bounced.
    /// </summary>
    [Theory]
    [InlineData(PolicyCase.NoPolicy)]
    [InlineData(PolicyCase.Enforce)]
    public async Task Rule7_530ToPipelinedMail_RecipientsDeferredNotBounced(PolicyCase policy)
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, policy == PolicyCase.Enforce ? cert : null, mailReply: "530 5.7.0 Must issue a STARTTLS command first", pipelining: true));
        await PublishAsync(domain, policy, mx);
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(TwoRecipients(domain, DeliveryEnvironment.NewMarker(), "one", "two")));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.All(result.RecipientResults, r => Assert.Equal(DeliveryStatus.TemporaryFailure, r.Status));
        Assert.Contains("RCPT TO", policy == PolicyCase.Enforce ? mx.Server.DecryptedReceived : mx.Server.PlaintextReceived, StringComparison.Ordinal);
    }

    /// <summary>
    /// Review finding: one message to two domains is delivered concurrently, and MailKit re-encodes a message for a server
    /// without 8BITMIME. Each domain gets its own copy: the server that supports 8BITMIME receives the 8bit part as it was.
    /// </summary>
    [Fact]
    public async Task DeliverAsync_TwoDomains_EachSessionSendsItsOwnCopyOfTheMessage()
    {
        var plainDomain = DeliveryEnvironment.NewDomainName();
        var eightBitDomain = DeliveryEnvironment.NewDomainName();
        await using var plain = StartMx(plainDomain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, cert, eightBitMime: false));
        await using var eightBit = StartMx(eightBitDomain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, cert));
        await PublishAsync(plainDomain, PolicyCase.Enforce, plain);
        await PublishAsync(eightBitDomain, PolicyCase.Enforce, eightBit);
        var message = DeliveryEnvironment.NewMessage(plainDomain, DeliveryEnvironment.NewMarker());
        message.To.Add(new MimeKit.MailboxAddress("Other", "rcpt@" + eightBitDomain));
        message.Body = new MimeKit.TextPart("plain") { Text = "Grüße aus dem Süden, ünïcödé everywhere.\r\n", ContentTransferEncoding = MimeKit.ContentEncoding.EightBit };
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var results = await sut.DeliverAsync(message);

        Assert.All(results, r => Assert.Equal(DeliveryStatus.Delivered, r.Status));
        Assert.Contains("Content-Transfer-Encoding: 8bit", eightBit.Server.DecryptedReceived, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Grüße", System.Text.Encoding.UTF8.GetString(System.Text.Encoding.Latin1.GetBytes(eightBit.Server.DecryptedReceived)), StringComparison.Ordinal);
        Assert.Matches("Content-Transfer-Encoding: (base64|quoted-printable)", plain.Server.DecryptedReceived);
        Assert.Equal(MimeKit.ContentEncoding.EightBit, ((MimeKit.TextPart)message.Body).ContentTransferEncoding);
    }

    /// <summary>Rule 7: a 421 in the middle of the session, or garbage after TLS, ends that session; the next MX delivers.</summary>
    [Theory]
    [InlineData("421")]
    [InlineData("garbage")]
    public async Task Rule7_BrokenSessionAfterTls_NextMxDelivers(string breakage)
    {
        await using var mxs = await StartTwoMxAsync(async (c, cert) =>
        {
            if (breakage == "421")
            {
                await SmtpScripts.ServeAsync(c, cert, mailReply: "421 4.3.2 shutting down");
                return;
            }

            await c.ReplyAsync("220 " + SmtpScripts.ServerName);
            await SmtpScripts.EhloAsync(c, offerStartTls: true);
            await c.ReadLineAsync();
            await c.ReplyAsync("220 go ahead");
            await c.StartTlsAsync(cert);
            await c.ReadLineAsync();
            await c.SendAsync("\u0001\u0002 this is not SMTP\r\n");
            await c.DrainAsync();
        });
        var (domain, broken, good) = mxs;
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(good.Host, result.MxHost);
        Assert.Equal(MxAttemptOutcome.Deferred, result.Attempts[0].Outcome);
        AssertNothingInClear(broken, marker);
    }
}
