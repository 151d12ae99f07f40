using Microsoft.Extensions.DependencyInjection;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>Null MX, 5xx replies, the re-check before failing (Decision 26), TLS report delivery, and DI wiring.</summary>
public sealed partial class MtaStsDeliveryAgentTests
{
    /// <summary>RFC 7505 and Decision 18: without a policy, a null MX means the domain accepts no mail; no fallback to its address record.</summary>
    [Fact]
    public async Task DeliverAsync_NullMxWithoutPolicy_PermanentFailureWithoutConnecting()
    {
        await using var domainHost = _env.StartForwarder(_env.Postfix.EndPoint);
        var domain = await _env.AddDomainAsync(PolicyCase.NoPolicy, [], [], extraRecords: ["@ 1 IN MX 0 .", $"@ 1 IN A {domainHost.Address}"]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.PermanentFailure, result.Status);
        Assert.Equal(ReasonCodes.NullMx, result.Detail);
        Assert.Empty(result.Attempts);
        Assert.Empty(sink.Outcomes);
        Assert.Equal(0, domainHost.ConnectionCount);
    }

    /// <summary>Issue-8 rule 4: a null MX contradicts the enforce policy we hold (fetched over HTTPS, naming MX hosts): deferred, never a bounce.</summary>
    [Fact]
    public async Task DeliverAsync_NullMxContradictsEnforcePolicy_TemporaryFailureWithoutConnecting()
    {
        await using var domainHost = _env.StartForwarder(_env.Postfix.EndPoint);
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [], [MxHosts.Valid], extraRecords: ["@ 1 IN MX 0 .", $"@ 1 IN A {domainHost.Address}"]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Equal($"{ReasonCodes.DnsContradictsPolicy}: {ReasonCodes.NullMx}", result.Detail);
        Assert.Empty(result.Attempts);
        Assert.Equal(0, domainHost.ConnectionCount);
    }

    /// <summary>RFC 5321 §5.1: a recipient domain that does not exist (NXDOMAIN) is a permanent failure, not a retry.</summary>
    [Fact]
    public async Task DeliverAsync_DomainDoesNotExist_PermanentFailure()
    {
        var parent = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [MxHosts.Valid]);
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage("ghost." + parent, DeliveryEnvironment.NewMarker())));

        Assert.Equal(DeliveryStatus.PermanentFailure, result.Status);
        Assert.Equal("domain-does-not-exist", result.Detail);
        Assert.Empty(result.Attempts);
        Assert.Empty(sink.Outcomes);
    }

    /// <summary>RFC 5321 §4.2.1: a 5xx reply is the domain's answer: a permanent failure carrying the reply, other MX hosts not tried.</summary>
    [Fact]
    public async Task DeliverAsync_RecipientRejectedWith5xx_PermanentFailureWithoutTryingOtherMx()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid, MxHosts.Spare], [MxHosts.Valid, MxHosts.Spare]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);
        var spareConnections = _env.Forwarder(MxHosts.Spare).ConnectionCount;

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker, DeliveryEnvironment.RefusedLocalPart)));

        Assert.Equal(DeliveryStatus.PermanentFailure, result.Status);
        Assert.StartsWith("554 ", result.Detail, StringComparison.Ordinal);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal((MxHosts.Valid, MxAttemptOutcome.Rejected, (TlsRptResultType?)null), (attempt.MxHost, attempt.Outcome, attempt.ResultType));
        Assert.StartsWith("554 ", attempt.Detail, StringComparison.Ordinal);
        Assert.Equal(spareConnections, _env.Forwarder(MxHosts.Spare).ConnectionCount);

        // The TLS session itself was fine: a success for TLS-RPT, without delivery.
        var outcome = Assert.Single(sink.Outcomes);
        Assert.True(outcome.Succeeded);
        Assert.False(outcome.Delivered);
        AssertNotReceived(marker);
    }

    /// <summary>Decision 26 (RFC 8461 §5.1 step 3): when every MX fails the policy and the TXT id is unchanged, the failure stands without a second fetch.</summary>
    [Fact]
    public async Task DeliverAsync_AllMxFailPolicyAndIdUnchanged_TemporaryFailureAfterRecheckWithoutSecondFetch()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [MxHosts.Unlisted], id: "idA");
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Equal("idA", result.Policy!.PolicyId);
        Assert.Equal(MxAttemptOutcome.NotInPolicy, Assert.Single(result.Attempts).Outcome);
        Assert.Equal(1, _env.Mta.Https.RequestCount("mta-sts." + domain));
        Assert.True(_env.Mta.Dns.QueryCount("_mta-sts." + domain, "TXT") >= 2, "the TXT record was not re-checked");
        AssertNotReceived(marker);
    }

    /// <summary>
    /// Decision 26 end to end: the cached policy (id A) lists only the old MX name while the MX record names the new one;
    /// meanwhile the TXT id became B and the server serves a policy listing the new MX. The agent re-checks, fetches B
    /// and delivers.
    /// </summary>
    [Fact]
    public async Task DeliverAsync_AllMxFailPolicyAndIdChanged_FetchesNewPolicyAndDelivers()
    {
        const string OldMx = "mx-old." + MxHosts.Zone;
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [OldMx], id: "idA");
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);
        var first = Assert.Single(await sut.DeliverAsync(NewMessage(domain, DeliveryEnvironment.NewMarker())));
        Assert.Equal((DeliveryStatus.TemporaryFailure, "idA"), (first.Status, first.Policy!.PolicyId));
        var host = "mta-sts." + domain;
        Assert.Equal(1, _env.Mta.Https.RequestCount(host));

        // The domain moves to the new MX: new policy, new id. The agent still holds policy A (max_age one day).
        await _env.PublishAsync(domain, PolicyCase.Enforce, [MxHosts.Valid], [OldMx, MxHosts.Valid], id: "idB");
        var marker = DeliveryEnvironment.NewMarker();

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(MxHosts.Valid, result.MxHost);
        Assert.Equal("idB", result.Policy!.PolicyId);
        Assert.Equal(2, _env.Mta.Https.RequestCount(host));
        Assert.Contains(sink.Outcomes, o => o.Resolution.PolicyId == "idA" && o.FailureReasonCode == "mx-not-in-policy");
        Assert.Contains(sink.Outcomes, o => o.Resolution.PolicyId == "idB" && o.Delivered && o.Succeeded);
        await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
    }

    /// <summary>
    /// RFC 8460 §3 and K.93: a TLS report is delivered even when the recipient's enforced policy would refuse the MX
    /// (here: a self-signed certificate), and its session is marked as a report delivery (not counted in reports).
    /// </summary>
    [Fact]
    public async Task DeliverToDomainAsync_ReportDeliveryToMxWithBrokenCertificate_DeliversAndMarksOutcome()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.PostfixSelfSigned], [MxHosts.PostfixSelfSigned]);
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);
        var ordinary = NewMessage(domain, DeliveryEnvironment.NewMarker());
        Assert.Equal(DeliveryStatus.TemporaryFailure, (await sut.DeliverToDomainAsync(ordinary, DeliveryEnvironment.Sender, domain, Recipients(ordinary))).Status);
        var ordinaryOutcomes = sink.Outcomes.Count;
        var marker = DeliveryEnvironment.NewMarker();
        var report = NewMessage(domain, marker);

        var result = await sut.DeliverToDomainAsync(report, DeliveryEnvironment.Sender, domain, Recipients(report), isReportDelivery: true);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(MxHosts.PostfixSelfSigned, result.MxHost);
        var outcome = Assert.Single(sink.Outcomes.Skip(ordinaryOutcomes));
        Assert.True(outcome.IsReportDelivery);
        Assert.True(outcome.Delivered);
        Assert.NotNull(outcome.TlsProtocol);
        Assert.True((await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker)).ReceivedOverTls);
    }

    /// <summary>The DI path (<c>AddMtaSts().AddMailKitDelivery()</c> with a registered sink) delivers under enforce like <see cref="MtaStsDeliveryAgent.Create"/>.</summary>
    [Fact]
    public async Task AddMailKitDelivery_WithRegisteredSink_AgentDeliversAndRecords()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], [MxHosts.Valid]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        var services = new ServiceCollection();
        services.AddSingleton<ISmtpSessionOutcomeSink>(sink);
        services.AddMtaSts(policy =>
            {
                policy.NameServers.Add(_env.Mta.Dns.EndPoint);
                policy.TrustRoots.Add(_env.Mta.Ca.RootCertificate);
                policy.AllowPrivateAddresses = true;
                policy.PolicyHostPort = _env.Mta.Https.Port;
                policy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            })
            .AddMailKitDelivery(delivery =>
            {
                delivery.Port = _env.SmtpPort;
                delivery.HeloName = "sender.test";
            });
        await using var provider = services.BuildServiceProvider();
        var sut = provider.GetRequiredService<MtaStsDeliveryAgent>();

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.True(Assert.Single(sink.Outcomes).Succeeded);
        Assert.Equal("sender.test", (await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker)).HeloName);
    }
}
