using MimeKit;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>Rule 8 (hostile servers are bounded) and rule 7 (one domain's trouble never costs another's result).</summary>
public sealed partial class FailureModelTests
{
    /// <summary>Rule 8: an MX that accepts the connection and never speaks costs the command timeout; then the next MX is tried.</summary>
    [Fact]
    public async Task Rule8_SilentMx_CostsTheCommandTimeoutThenNextMx()
    {
        await using var mxs = await StartTwoMxAsync((c, _) => Task.Delay(Timeout.Infinite, c.Aborted));
        var (domain, _, good) = mxs;
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configureDelivery: o => o.CommandTimeout = TimeSpan.FromSeconds(1));

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(good.Host, result.MxHost);
        Assert.Equal((MxAttemptOutcome.Deferred, ReasonCodes.CommandTimeout), (result.Attempts[0].Outcome, result.Attempts[0].Detail));
    }

    /// <summary>Rule 8: a byte a second never trips the command timeout; the session deadline cuts it, and the next MX delivers.</summary>
    [Fact]
    public async Task Rule8_DripFeedingMx_CutAtTheSessionTimeout()
    {
        await using var mxs = await StartTwoMxAsync(async (c, _) =>
        {
            foreach (var ch in "220-" + new string('x', 10_000))
            {
                await c.SendAsync(ch.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(100), c.Aborted);
            }
        });
        var domain = mxs.Domain;
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configureDelivery: o =>
        {
            o.CommandTimeout = TimeSpan.FromSeconds(1);
            o.SessionTimeout = TimeSpan.FromSeconds(2);
        });

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal((MxAttemptOutcome.Deferred, ReasonCodes.SessionTimeout), (result.Attempts[0].Outcome, result.Attempts[0].Detail));
    }

    /// <summary>Rule 8: endless <c>250-</c> continuation lines are cut at <see cref="MtaStsDeliveryOptions.MaxReplyBytes"/>, not buffered for ever.</summary>
    [Fact]
    public async Task Rule8_EndlessContinuationLines_CutAtTheReplyCap()
    {
        var line = "250-" + new string('x', 200) + "\r\n";
        await using var mxs = await StartTwoMxAsync(async (c, _) =>
        {
            await c.ReplyAsync("220 " + SmtpScripts.ServerName);
            await c.ReadLineAsync();
            while (!c.Aborted.IsCancellationRequested)
            {
                await c.SendAsync(line);
            }
        });
        var domain = mxs.Domain;
        var marker = DeliveryEnvironment.NewMarker();
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configureDelivery: o => o.MaxReplyBytes = 4096);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal((MxAttemptOutcome.Deferred, ReasonCodes.ReplyTooLong), (result.Attempts[0].Outcome, result.Attempts[0].Detail));
    }

    /// <summary>Rule 8: the domain deadline ends a delivery whose MX hosts keep it busy; the recipients are deferred, not lost.</summary>
    [Fact]
    public async Task Rule8_DomainTimeout_EndsTheDeliveryAsTemporaryFailure()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var first = StartMx(domain, "mx1", (c, _) => Task.Delay(Timeout.Infinite, c.Aborted));
        await using var second = StartMx(domain, "mx2", (c, _) => Task.Delay(Timeout.Infinite, c.Aborted));
        await PublishAsync(domain, PolicyCase.Enforce, [first, second]);
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configureDelivery: o =>
        {
            o.CommandTimeout = TimeSpan.FromSeconds(30);
            o.DomainTimeout = TimeSpan.FromSeconds(2);
        });

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker())));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Equal(ReasonCodes.DomainTimeout, result.Detail);
        Assert.Equal(ReasonCodes.DomainTimeout, Assert.Single(result.RecipientResults).Detail);
        Assert.Equal(0, second.Tap.ConnectionCount);
    }

    /// <summary>Rule 7: one message to two domains, one of them tarpitted: both results come back, the good one delivered.</summary>
    [Fact]
    public async Task Rule7_OneDomainTarpitted_TheOtherDomainsResultIsKept()
    {
        var slowDomain = DeliveryEnvironment.NewDomainName();
        var goodDomain = DeliveryEnvironment.NewDomainName();
        await using var tarpit = StartMx(slowDomain, "mx", (c, _) => Task.Delay(Timeout.Infinite, c.Aborted));
        await using var good = StartMx(goodDomain, "mx", (c, cert) => SmtpScripts.ServeAsync(c, cert));
        await PublishAsync(slowDomain, PolicyCase.Enforce, tarpit);
        await PublishAsync(goodDomain, PolicyCase.Enforce, good);
        var marker = DeliveryEnvironment.NewMarker();
        var message = DeliveryEnvironment.NewMessage(slowDomain, marker);
        message.To.Add(new MailboxAddress("Good", "rcpt@" + goodDomain));
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configureDelivery: o => o.CommandTimeout = TimeSpan.FromSeconds(1));

        var results = await sut.DeliverAsync(message);

        Assert.Equal(2, results.Count);
        Assert.Equal(DeliveryStatus.TemporaryFailure, results.Single(r => r.Domain == slowDomain).Status);
        Assert.Equal(DeliveryStatus.Delivered, results.Single(r => r.Domain == goodDomain).Status);
        Assert.Contains(marker, good.Server.DecryptedReceived, StringComparison.Ordinal);
    }

    /// <summary>Misuse and the caller's cancellation are the only exceptions (rule 7): cancelling mid-session throws, promptly.</summary>
    [Fact]
    public async Task Rule7_CallerCancellation_IsTheOnlyException()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var tarpit = StartMx(domain, "mx", (c, _) => Task.Delay(Timeout.Infinite, c.Aborted));
        await PublishAsync(domain, PolicyCase.Enforce, tarpit);
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);
        using var cancel = new CancellationTokenSource();

        var delivery = sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker()), cancel.Token);
        await Poll.UntilAsync(() => tarpit.Tap.ConnectionCount > 0, "the session to start");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);
    }
}
