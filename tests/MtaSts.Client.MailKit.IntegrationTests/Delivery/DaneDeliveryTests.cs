using MimeKit;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// DANE beside MTA-STS, decided per MX host (RFC 8461 §2, RFC 7672), end to end: Knot signs the hosts' zone, Unbound
/// validates it, Postfix (or an attacker proxy) answers, and every test asserts what crossed the wire — under DANE or
/// <c>enforce</c>, no MAIL, RCPT or message text in the clear.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed class DaneDeliveryTests
{
    private readonly DeliveryEnvironment _env;

    public DaneDeliveryTests(DeliveryEnvironment env) => _env = env;

    [Fact]
    public async Task DeliverAsync_DaneOnlyDomain_DeliveredOverTlsAuthenticatedByDaneEe()
    {
        var run = await RunAsync(PolicyCase.NoPolicy, [DaneHosts.Ee]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        var attempt = Assert.Single(run.Result.Attempts);
        Assert.Equal(TlsaLookupStatus.Usable, attempt.TlsaStatus);
        var outcome = Assert.Single(run.Sink.For(DaneHosts.Ee));
        Assert.True(outcome.Succeeded);
        Assert.Equal(DaneHosts.Ee, outcome.Tlsa?.BaseDomain);
        Assert.True((await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, run.Marker)).ReceivedOverTls);
        run.AssertNothingInTheClear(DaneHosts.Ee);
    }

    [Fact]
    public async Task DeliverAsync_DaneEeSelfSignedUnderTesting_DeliveredAndCountedUnderTlsaOnly()
    {
        // Checklist K.80: DANE passes, so the testing policy's certificate failure does not stop delivery; the session is
        // a tlsa success, never an sts count.
        var run = await RunAsync(PolicyCase.Testing, [DaneHosts.Ee]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        var outcome = Assert.Single(run.Sink.For(DaneHosts.Ee));
        Assert.NotNull(outcome.Tlsa);
        Assert.True(outcome.Succeeded);
        Assert.Null(outcome.ResultType);
        run.AssertNothingInTheClear(DaneHosts.Ee);
    }

    [Fact]
    public async Task DeliverAsync_DaneAndEnforcePolicyAgree_Delivered()
    {
        var run = await RunAsync(PolicyCase.Enforce, [DaneHosts.EeFull]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Equal(TlsaLookupStatus.Usable, Assert.Single(run.Result.Attempts).TlsaStatus);
        run.AssertNothingInTheClear(DaneHosts.EeFull);
    }

    [Fact]
    public async Task DeliverAsync_DaneTaIntermediateInPostfixChain_Delivered()
    {
        var run = await RunAsync(PolicyCase.Enforce, [DaneHosts.Ta]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.True(Assert.Single(run.Sink.For(DaneHosts.Ta)).Succeeded);
        run.AssertNothingInTheClear(DaneHosts.Ta);
    }

    [Theory]
    [InlineData(PolicyCase.Enforce)]
    [InlineData(PolicyCase.Testing)]
    [InlineData(PolicyCase.NoPolicy)]
    public async Task Rule12_DaneFailsWhereMtaStsWouldPass_NotDeliveredTlsaInvalid(PolicyCase policy)
    {
        // Checklist K.81 and I.1 (RFC 8461 §2): the certificate is WebPKI-valid for the name, but matches no TLSA record.
        var run = await RunAsync(policy, [DaneHosts.Mismatch]);

        Assert.Equal(DeliveryStatus.TemporaryFailure, run.Result.Status);
        var attempt = Assert.Single(run.Result.Attempts);
        Assert.Equal(MxAttemptOutcome.CertificateRejected, attempt.Outcome);
        Assert.Equal(TlsRptResultType.TlsaInvalid, attempt.ResultType);
        var outcome = Assert.Single(run.Sink.For(DaneHosts.Mismatch));
        Assert.Equal((TlsRptResultType.TlsaInvalid, ReasonCodes.TlsaNoMatch), (outcome.ResultType, outcome.FailureReasonCode));
        Assert.NotNull(outcome.Tlsa);
        Assert.Null(DeliveryEnvironment.FindMessage(_env.Postfix, run.Marker));
        run.AssertNothingInTheClear(DaneHosts.Mismatch);
    }

    [Fact]
    public async Task Rule14_MixedMxHostsOneFailsDaneOneWithoutTlsa_DaneHostRefusedOtherDeliversUnderMtaSts()
    {
        var run = await RunAsync(PolicyCase.Enforce, [DaneHosts.Mismatch, DaneHosts.NoTlsa]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Equal(DaneHosts.NoTlsa, run.Result.MxHost);
        Assert.Equal([TlsaLookupStatus.Usable, TlsaLookupStatus.NotFound], run.Result.Attempts.Select(a => a.TlsaStatus));
        Assert.Equal(TlsRptResultType.TlsaInvalid, run.Result.Attempts[0].ResultType);
        var sts = Assert.Single(run.Sink.For(DaneHosts.NoTlsa));
        Assert.Null(sts.Tlsa);
        Assert.True(sts.Succeeded);
        run.AssertNothingInTheClear(DaneHosts.Mismatch, DaneHosts.NoTlsa);
    }

    [Theory]
    [InlineData(PolicyCase.NoPolicy)]
    [InlineData(PolicyCase.None)]
    [InlineData(PolicyCase.Testing)]
    public async Task Rule13_IndeterminateTlsaAndStartTlsStripped_NotDeliveredNeverConnected(PolicyCase policy)
    {
        // RFC 7672 §2.1.1: an unanswerable TLSA lookup is never "no DANE": no fall-back to opportunistic TLS or plaintext.
        var tap = _env.Forwarder(DaneHosts.DeadTlsa);
        var connections = tap.ConnectionCount;

        var run = await RunAsync(policy, [DaneHosts.DeadTlsa]);

        Assert.Equal(DeliveryStatus.TemporaryFailure, run.Result.Status);
        var attempt = Assert.Single(run.Result.Attempts);
        Assert.Equal(MxAttemptOutcome.DaneIndeterminate, attempt.Outcome);
        Assert.Equal(TlsRptResultType.DnssecInvalid, attempt.ResultType);
        Assert.Equal(connections, tap.ConnectionCount);
        Assert.False(tap.ClientSent(run.Marker));
        var outcome = Assert.Single(run.Sink.For(DaneHosts.DeadTlsa));
        Assert.Equal(TlsRptResultType.DnssecInvalid, outcome.ResultType);
    }

    [Fact]
    public async Task Rule13_BogusTlsaWithEnforceAndValidCertificate_NotDeliveredDnssecInvalidNextMxDelivers()
    {
        // Checklist K.82: the TLSA record would match, but its zone is bogus.
        var run = await RunAsync(PolicyCase.Enforce, [DaneHosts.BogusTlsa, DaneHosts.EeFull]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Equal(DaneHosts.EeFull, run.Result.MxHost);
        Assert.Equal(MxAttemptOutcome.DaneIndeterminate, run.Result.Attempts[0].Outcome);
        Assert.Equal(TlsRptResultType.DnssecInvalid, Assert.Single(run.Sink.For(DaneHosts.BogusTlsa)).ResultType);
        Assert.Empty(_env.Forwarder(DaneHosts.BogusTlsa).ClientToServer); // no other test connects to it
        run.AssertNothingInTheClear(DaneHosts.EeFull);
    }

    [Fact]
    public async Task Rule12_UsableTlsaButStartTlsStripped_NotDeliveredNoPlaintextFallback()
    {
        var run = await RunAsync(PolicyCase.NoPolicy, [DaneHosts.Stripped]);

        Assert.Equal(DeliveryStatus.TemporaryFailure, run.Result.Status);
        Assert.Equal(MxAttemptOutcome.StartTlsNotSupported, Assert.Single(run.Result.Attempts).Outcome);
        Assert.False(_env.Proxy(DaneHosts.Stripped)!.ClientSent(run.Marker));
        run.AssertNothingInTheClear(DaneHosts.Stripped);
    }

    [Fact]
    public async Task Rule14_TlsaInUnsignedZone_IgnoredAndMtaStsEnforceDelivers()
    {
        // Checklist K.84: valid.hosts.mtasts.test carries a TLSA record that matches nothing, in an unsigned zone.
        var run = await RunAsync(PolicyCase.Enforce, [MxHosts.Valid]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Equal(TlsaLookupStatus.Insecure, Assert.Single(run.Result.Attempts).TlsaStatus);
        Assert.Null(Assert.Single(run.Sink.For(MxHosts.Valid)).Tlsa);
        run.AssertNothingInTheClear(MxHosts.Valid);
    }

    [Theory]
    [InlineData(PolicyCase.Enforce)]
    [InlineData(PolicyCase.NoPolicy)]
    public async Task DeliverAsync_PkixOnlyTlsa_UnusableMandatoryTlsReportedTlsaInvalid(PolicyCase policy)
    {
        // Checklist K.83: PKIX-EE/PKIX-TA only: TLS stays mandatory without DANE authentication; enforce still needs PKIX.
        var run = await RunAsync(policy, [DaneHosts.Pkix]);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.NotNull(run.Result.TlsProtocol);
        Assert.Equal(TlsaLookupStatus.Unusable, Assert.Single(run.Result.Attempts).TlsaStatus);
        var outcome = Assert.Single(run.Sink.For(DaneHosts.Pkix));
        Assert.Equal((TlsRptResultType.TlsaInvalid, ReasonCodes.AllUnusableRecords), (outcome.ResultType, outcome.FailureReasonCode));
        run.AssertNothingInTheClear(DaneHosts.Pkix);
    }

    [Theory]
    [InlineData(DaneStrictness.RequireBoth, false)]
    [InlineData(DaneStrictness.DaneSupersedesPkix, true)]
    public async Task DeliverAsync_DaneEeSelfSignedUnderEnforce_FollowsTheStrictnessSetting(DaneStrictness strictness, bool delivered)
    {
        // Checklist K.85 and I.6.
        var run = await RunAsync(PolicyCase.Enforce, [DaneHosts.Ee], o => o.DaneStrictness = strictness);

        Assert.Equal(delivered ? DeliveryStatus.Delivered : DeliveryStatus.TemporaryFailure, run.Result.Status);
        var outcome = Assert.Single(run.Sink.For(DaneHosts.Ee));
        Assert.Equal(delivered ? null : TlsRptResultType.CertificateNotTrusted, outcome.ResultType);
        run.AssertNothingInTheClear(DaneHosts.Ee);
    }

    [Fact]
    public async Task DeliverAsync_MxOutsideEnforcePolicyWithPassingDane_SkippedWithoutConnecting()
    {
        // Decision 34: DANE never admits an MX host that an enforced policy does not list.
        var tap = _env.Forwarder(DaneHosts.EeFull);
        var connections = tap.ConnectionCount;

        var run = await RunAsync(PolicyCase.Enforce, [DaneHosts.EeFull], policyMx: [MxHosts.Unlisted], strictness: DaneStrictness.DaneSupersedesPkix);

        Assert.Equal(DeliveryStatus.TemporaryFailure, run.Result.Status);
        Assert.Equal(MxAttemptOutcome.NotInPolicy, Assert.Single(run.Result.Attempts).Outcome);
        Assert.Equal(connections, tap.ConnectionCount);
    }

    [Fact]
    public async Task DeliverAsync_DaneRequiredDomainHostWithoutTlsa_NotDeliveredDaneRequired()
    {
        // RFC 7672 §6: mandatory DANE by local configuration.
        string? required = null;
        var connections = _env.Forwarder(DaneHosts.NoTlsa).ConnectionCount;
        var run = await RunAsync(PolicyCase.NoPolicy, [DaneHosts.NoTlsa, DaneHosts.Ee], configure: null, requireDaneFor: d => required = d);

        Assert.NotNull(required);
        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Equal(DaneHosts.Ee, run.Result.MxHost);
        Assert.Equal(MxAttemptOutcome.DaneRequired, run.Result.Attempts[0].Outcome);
        Assert.Equal(TlsRptResultType.DaneRequired, Assert.Single(run.Sink.For(DaneHosts.NoTlsa)).ResultType);
        Assert.Equal(0, run.Sink.For(DaneHosts.NoTlsa).Count(o => o.Delivered));
        Assert.Equal(connections, _env.Forwarder(DaneHosts.NoTlsa).ConnectionCount);
        run.AssertNothingInTheClear(DaneHosts.Ee);
    }

    [Fact]
    public async Task DeliverToDomainAsync_ReportToADaneRequiredDomainWithoutTlsa_DeliveredAsRfc8460Asks()
    {
        // Review finding (RFC 8460 §3, Decision 41): a TLS report is not subject to DANE, mandatory DANE included, or a
        // domain whose DANE is broken could never be told so.
        var run = await RunAsync(PolicyCase.NoPolicy, [DaneHosts.NoTlsa], configure: null, requireDaneFor: _ => { }, reportDelivery: true);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Equal(DaneHosts.NoTlsa, run.Result.MxHost);
        Assert.Null(Assert.Single(run.Result.Attempts).TlsaStatus);
        Assert.True((await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, run.Marker)).ReceivedOverTls);
    }

    [Fact]
    public async Task DeliverAsync_DaneTurnedOff_MtaStsAloneDecides()
    {
        var run = await RunAsync(PolicyCase.NoPolicy, [DaneHosts.Mismatch], o => o.Dane = false);

        Assert.Equal(DeliveryStatus.Delivered, run.Result.Status);
        Assert.Null(Assert.Single(run.Result.Attempts).TlsaStatus);
    }

    private async Task<Run> RunAsync(
        PolicyCase policy,
        string[] mx,
        Action<MtaStsDeliveryOptions>? configure = null,
        string[]? policyMx = null,
        DaneStrictness? strictness = null,
        Action<string>? requireDaneFor = null,
        bool reportDelivery = false)
    {
        var domain = await _env.AddDomainAsync(policy, mx, policyMx ?? mx);
        requireDaneFor?.Invoke(domain);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        await using (_env.CreateAgent(
            sink,
            out var agent,
            configureDelivery: o =>
            {
                if (strictness is { } s)
                {
                    o.DaneStrictness = s;
                }

                if (requireDaneFor is not null)
                {
                    o.DaneRequiredDomains.Add(domain);
                }

                configure?.Invoke(o);
            },
            dnssec: true))
        {
            var message = DeliveryEnvironment.NewMessage(domain, marker);
            var result = reportDelivery
                ? await agent.DeliverToDomainAsync(message, DeliveryEnvironment.Sender, domain, [.. message.To.Mailboxes], isReportDelivery: true)
                : Assert.Single(await agent.DeliverAsync(message));
            foreach (var host in mx)
            {
                await _env.Forwarder(host).WaitForIdleAsync();
                if (_env.Proxy(host) is { } proxy)
                {
                    await proxy.WaitForIdleAsync();
                }
            }

            return new Run(_env, domain, marker, result, sink);
        }
    }

    private sealed record Run(DeliveryEnvironment Env, string Domain, string Marker, DomainDeliveryResult Result, RecordingOutcomeSink Sink)
    {
        /// <summary>The wire taps in front of <paramref name="hosts"/> never carried the envelope or the body in the clear.</summary>
        public void AssertNothingInTheClear(params string[] hosts)
        {
            foreach (var host in hosts)
            {
                var tap = Env.Forwarder(host);
                Assert.False(tap.ClientSent(Marker), $"the message text crossed {host} in the clear");
                Assert.False(tap.ClientSent($"RCPT TO:<rcpt@{Domain}>"), $"RCPT crossed {host} in the clear");
                Assert.False(tap.ClientSent("MAIL FROM:<" + DeliveryEnvironment.Sender.Address), $"MAIL crossed {host} in the clear");
            }
        }
    }
}
