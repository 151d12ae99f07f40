namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>Checklist section K, items 71–79 (MX matching and certificates), end to end.</summary>
public sealed partial class MtaStsDeliveryAgentTests
{
    /// <summary>K.71 and Decision 18: without an MX RRset the domain itself is the candidate, and it matches no pattern.</summary>
    [Fact]
    public async Task DeliverAsync_NoMxRecordsAndPolicyListsOtherName_EnforceDefersWithoutConnecting()
    {
        await using var domainHost = _env.StartForwarder(_env.Postfix.EndPoint);
        var domain = DeliveryEnvironment.NewDomainName();
        await _env.PublishAsync(domain, PolicyCase.Enforce, [], ["mx." + domain], extraRecords: [$"@ 1 IN A {domainHost.Address}"]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(domain, attempt.MxHost);
        Assert.Equal(MxAttemptOutcome.NotInPolicy, attempt.Outcome);
        Assert.Equal(TlsRptResultType.ValidationFailure, attempt.ResultType);
        Assert.Equal("mx-not-in-policy", attempt.Detail);
        var outcome = Assert.Single(sink.Outcomes);
        Assert.Equal((TlsRptResultType.ValidationFailure, "mx-not-in-policy", domain), (outcome.ResultType!.Value, outcome.FailureReasonCode!, outcome.MxHost));
        Assert.Equal(0, domainHost.ConnectionCount);
        AssertNotReceived(marker);
    }

    /// <summary>K.71, the control: the implicit MX really is the domain's own address (testing delivers there and reports).</summary>
    [Fact]
    public async Task DeliverAsync_NoMxRecordsUnderTesting_DeliversToTheDomainItselfAndReportsMismatch()
    {
        await using var domainHost = _env.StartForwarder(_env.Postfix.EndPoint);
        var domain = DeliveryEnvironment.NewDomainName();
        await _env.PublishAsync(domain, PolicyCase.Testing, [], ["mx." + domain], extraRecords: [$"@ 1 IN A {domainHost.Address}"]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(domain, result.MxHost);
        Assert.Equal(1, domainHost.ConnectionCount);
        Assert.Contains(sink.Outcomes, o => o.ResultType == TlsRptResultType.ValidationFailure && o.FailureReasonCode == "mx-not-in-policy");
        await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
    }

    /// <summary>K.72 (RFC 6125 §6.4.3): a wildcard stands for exactly one label; the MX matches its policy pattern, the certificate does not.</summary>
    [Fact]
    public async Task DeliverAsync_WildcardCertificateOneLabelShortOfMx_CertificateHostMismatch() =>
        await AssertEnforceRefusesAsync(MxHosts.TwoLabelsDeep, "*.b." + MxHosts.Zone, TlsRptResultType.CertificateHostMismatch);

    /// <summary>K.73 and F.4: CN = the MX name but SANs naming only other hosts is a mismatch (the CN is ignored).</summary>
    [Fact]
    public async Task DeliverAsync_CommonNameIsMxButSansNameOthers_CertificateHostMismatch() =>
        await AssertEnforceRefusesAsync(MxHosts.CommonNameWithOtherSans, MxHosts.CommonNameWithOtherSans, TlsRptResultType.CertificateHostMismatch);

    /// <summary>K.75: Postfix presenting a self-signed certificate; enforce does not deliver to it.</summary>
    [Fact]
    public async Task DeliverAsync_SelfSignedCertificateUnderEnforce_CertificateNotTrustedAndNotDelivered() =>
        await AssertEnforceRefusesAsync(MxHosts.PostfixSelfSigned, MxHosts.PostfixSelfSigned, TlsRptResultType.CertificateNotTrusted);

    /// <summary>K.74 under enforce: Postfix presenting an expired certificate is refused and the next MX gets the message.</summary>
    [Fact]
    public async Task DeliverAsync_ExpiredCertificateUnderEnforce_TriesNextMxAndDelivers()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.PostfixExpired, MxHosts.Valid], [MxHosts.PostfixExpired, MxHosts.Valid]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(MxHosts.Valid, result.MxHost);
        Assert.Collection(
            result.Attempts,
            a => Assert.Equal((MxHosts.PostfixExpired, MxAttemptOutcome.CertificateRejected, TlsRptResultType.CertificateExpired), (a.MxHost, a.Outcome, a.ResultType!.Value)),
            a => Assert.Equal((MxHosts.Valid, MxAttemptOutcome.Delivered, (TlsRptResultType?)null), (a.MxHost, a.Outcome, a.ResultType)));
        var refused = Assert.Single(sink.For(MxHosts.PostfixExpired));
        Assert.Equal(TlsRptResultType.CertificateExpired, refused.ResultType);
        Assert.False(refused.Delivered);
        Assert.True((await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker)).ReceivedOverTls);
    }

    /// <summary>K.74 under testing: the expired certificate's host (the first MX) gets the message, and the failure is reported.</summary>
    [Fact]
    public async Task DeliverAsync_ExpiredCertificateUnderTesting_DeliversToItAndReports()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Testing, [MxHosts.PostfixExpired, MxHosts.Valid], [MxHosts.PostfixExpired, MxHosts.Valid]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(MxHosts.PostfixExpired, result.MxHost);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal((MxAttemptOutcome.Delivered, TlsRptResultType.CertificateExpired), (attempt.Outcome, attempt.ResultType!.Value));
        var outcome = Assert.Single(sink.Outcomes);
        Assert.Equal((TlsRptResultType.CertificateExpired, true, false), (outcome.ResultType!.Value, outcome.Delivered, outcome.Succeeded));
        Assert.NotNull(outcome.TlsProtocol);
        Assert.True((await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker)).ReceivedOverTls);
    }

    /// <summary>
    /// K.78 and checklist G.1: [mx1 matches but nothing listens, mx2 matches no pattern, mx3 matches and is valid] under
    /// enforce: mx1 unreachable (not an MTA-STS failure, not reported), mx2 skipped without a connection and reported as
    /// validation-failure/mx-not-in-policy, mx3 delivered.
    /// </summary>
    [Fact]
    public async Task DeliverAsync_DownThenUnlistedThenValidMxUnderEnforce_SkipsBothAndDeliversToThird()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Down, MxHosts.Spare, MxHosts.Valid], [MxHosts.Down, MxHosts.Valid]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);
        var spareConnections = _env.Forwarder(MxHosts.Spare).ConnectionCount;

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(MxHosts.Valid, result.MxHost);
        Assert.Collection(
            result.Attempts,
            a => Assert.Equal((MxHosts.Down, MxAttemptOutcome.Unreachable, (TlsRptResultType?)null), (a.MxHost, a.Outcome, a.ResultType)),
            a => Assert.Equal((MxHosts.Spare, MxAttemptOutcome.NotInPolicy, (TlsRptResultType?)TlsRptResultType.ValidationFailure), (a.MxHost, a.Outcome, a.ResultType)),
            a => Assert.Equal((MxHosts.Valid, MxAttemptOutcome.Delivered, (TlsRptResultType?)null), (a.MxHost, a.Outcome, a.ResultType)));
        Assert.Equal(_env.Forwarder(MxHosts.Spare).ConnectionCount, spareConnections);
        Assert.Empty(sink.For(MxHosts.Down));
        var skipped = Assert.Single(sink.For(MxHosts.Spare));
        Assert.Equal((TlsRptResultType.ValidationFailure, "mx-not-in-policy"), (skipped.ResultType!.Value, skipped.FailureReasonCode!));
        var delivered = Assert.Single(sink.For(MxHosts.Valid));
        Assert.True(delivered.Succeeded && delivered.Delivered);
        await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
    }

    /// <summary>K.79 and F.3: the agent dials an address it chose, and the ClientHello still names the MX host (RFC 8461 §7.1).</summary>
    [Fact]
    public async Task DeliverAsync_ConnectingToChosenAddress_SendsMxHostNameAsSni()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Sni], [MxHosts.Sni]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);
        var proxy = _env.InterceptingProxy(MxHosts.Sni);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));
        await WaitForIdleAsync(MxHosts.Sni);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal([MxHosts.Sni], proxy.ServerNames);
        Assert.Equal(_env.Forwarder(MxHosts.Sni).Address, Assert.Single(result.Attempts).Address);
        await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
    }

    /// <summary>K.79 with Postfix: the certificate Postfix picks by SNI is the one validated (its default certificate names another host).</summary>
    [Fact]
    public async Task DeliverAsync_PostfixPicksCertificateBySni_ThatCertificateIsValidated()
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Spare], [MxHosts.Spare]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));

        // Without SNI, Postfix would present its default certificate (for valid.hosts.mtasts.test): a host mismatch.
        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(MxHosts.Spare, result.MxHost);
        Assert.True(Assert.Single(sink.Outcomes).Succeeded);
        await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
    }

    /// <summary>Enforce with the single MX <paramref name="mxHost"/> (listed in the policy as <paramref name="pattern"/>): refused for its certificate.</summary>
    private async Task AssertEnforceRefusesAsync(string mxHost, string pattern, TlsRptResultType expected)
    {
        var domain = await _env.AddDomainAsync(PolicyCase.Enforce, [mxHost], [pattern]);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using var lifetime = _env.CreateAgent(sink, out var sut);

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));
        await WaitForIdleAsync(mxHost);

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal((mxHost, MxAttemptOutcome.CertificateRejected, expected), (attempt.MxHost, attempt.Outcome, attempt.ResultType!.Value));
        var outcome = Assert.Single(sink.Outcomes);
        Assert.Equal((expected, false, false), (outcome.ResultType!.Value, outcome.Delivered, outcome.Succeeded));
        Assert.False(_env.Forwarder(mxHost).ClientSent(marker));
        AssertNotReceived(marker);
    }
}
