using System.Security.Cryptography.X509Certificates;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

public sealed partial class MtaStsDeliveryAgentTests
{
    /// <summary>Every <see cref="PolicyCase"/> with every <see cref="MxScenario"/>.</summary>
    public static TheoryData<PolicyCase, MxScenario> Matrix
    {
        get
        {
            var data = new TheoryData<PolicyCase, MxScenario>();
            foreach (var policy in Enum.GetValues<PolicyCase>())
            {
                foreach (var scenario in Enum.GetValues<MxScenario>())
                {
                    data.Add(policy, scenario);
                }
            }

            return data;
        }
    }

    /// <summary>
    /// Decisions 28–31 and checklist G: under <c>enforce</c> a failing MX never gets the message (all failing is a
    /// temporary failure) and an attacker in the path sees neither the body nor the envelope; under <c>testing</c> the
    /// message is delivered opportunistically and the failure is recorded with its TLS-RPT result type (F.9); under
    /// <c>none</c> and without a policy it is delivered opportunistically and nothing is recorded as an MTA-STS failure
    /// (Decision 29; checklist H.7: for no-policy-found any TLS session counts as a success).
    /// </summary>
    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task DeliverAsync_PolicyModeAndMxScenario_DeliversOnlyWhenAllowedAndRecordsResultType(PolicyCase policy, MxScenario scenario)
    {
        var setup = MatrixSetup.For(scenario);
        var domain = await _env.AddDomainAsync(policy, setup.Mx, setup.PolicyMx);
        var marker = DeliveryEnvironment.NewMarker();
        var sink = new RecordingOutcomeSink();
        var revocation = scenario == MxScenario.RevokedCertificate ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        await using var lifetime = _env.CreateAgent(sink, out var sut, revocation);
        var tap = _env.Forwarder(setup.Host);
        var connectionsBefore = tap.ConnectionCount;

        var result = Assert.Single(await sut.DeliverAsync(NewMessage(domain, marker)));
        await WaitForIdleAsync(setup.Mx);

        var refused = policy == PolicyCase.Enforce && setup.Failure is not null;
        var expectedFailure = policy is PolicyCase.Enforce or PolicyCase.Testing ? setup.Failure : null;

        // Delivered or not, and what Postfix stored.
        Assert.Equal(domain, result.Domain);
        if (refused)
        {
            Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
            Assert.Null(result.MxHost);
            AssertNotReceived(marker);
        }
        else
        {
            Assert.Equal(DeliveryStatus.Delivered, result.Status);
            Assert.Equal(setup.Host, result.MxHost);
            var received = await DeliveryEnvironment.WaitForMessageAsync(_env.Postfix, marker);
            Assert.Equal(setup.PostfixTls, received.ReceivedOverTls);
        }

        // What an attacker in the path saw: under enforce nothing of the message, not even the envelope.
        if (_env.Proxy(setup.Host) is { } attacker)
        {
            Assert.Equal(!refused, attacker.ClientSent(marker));
            Assert.Equal(!refused, attacker.ClientSent($"RCPT TO:<rcpt@{domain}>"));
        }

        // The wire itself carries the body in plaintext only when it was delivered without TLS.
        Assert.Equal(!refused && !setup.ClientTls, tap.ClientSent(marker));
        if (refused && setup.RefusedOutcome == MxAttemptOutcome.NotInPolicy)
        {
            Assert.Equal(connectionsBefore, tap.ConnectionCount);
        }

        // The MX attempts, with the TLS-RPT result type of the policy failure.
        var attempt = Assert.Single(result.Attempts, a => a.MxHost == setup.Host);
        Assert.Equal(refused ? setup.RefusedOutcome : MxAttemptOutcome.Delivered, attempt.Outcome);
        Assert.Equal(expectedFailure, attempt.ResultType);
        if (scenario == MxScenario.FirstMxDownSecondFine)
        {
            Assert.Equal([MxHosts.Down, MxHosts.Valid], result.Attempts.Select(a => a.MxHost));
            Assert.Equal(MxAttemptOutcome.Unreachable, result.Attempts[0].Outcome);
            Assert.Null(result.Attempts[0].ResultType);
            Assert.Empty(sink.For(MxHosts.Down));
        }
        else
        {
            Assert.Single(result.Attempts);
        }

        // The session outcomes given to the TLS-RPT sink.
        var outcomes = sink.For(setup.Host);
        Assert.NotEmpty(outcomes);
        Assert.All(sink.Outcomes, o => Assert.Equal(domain, o.PolicyDomain));
        Assert.All(sink.Outcomes, o => Assert.False(o.IsReportDelivery));
        Assert.Equal(refused ? 0 : 1, outcomes.Count(o => o.Delivered));
        if (!refused)
        {
            // The delivering session's TLS version (DomainDeliveryResult.TlsProtocol is checked by its own test).
            Assert.Equal(setup.ClientTls, Assert.Single(outcomes, o => o.Delivered).TlsProtocol is not null);
        }

        if (expectedFailure is { } failure)
        {
            Assert.Contains(outcomes, o => o.ResultType == failure && (setup.Reason is null || o.FailureReasonCode == setup.Reason));
            Assert.DoesNotContain(outcomes, o => o.Succeeded);
        }
        else
        {
            Assert.All(outcomes, o => Assert.Null(o.ResultType));
            Assert.All(outcomes, o => Assert.Null(o.FailureReasonCode));
            Assert.All(outcomes, o => Assert.Equal(setup.ClientTls, o.Succeeded));
        }
    }

    /// <summary>How one <see cref="MxScenario"/> is wired and what it should produce.</summary>
    /// <param name="Mx">The MX records, in preference order.</param>
    /// <param name="PolicyMx">The policy's <c>mx</c> patterns.</param>
    /// <param name="Host">The MX host the scenario is about: the failing one, or the one that should deliver.</param>
    /// <param name="Failure">The TLS-RPT result type of the policy failure; <see langword="null"/> when the host is fine.</param>
    /// <param name="Reason">The failure-reason-code to expect, when the checklist fixes it.</param>
    /// <param name="RefusedOutcome">The attempt's outcome when <c>enforce</c> refuses the host.</param>
    /// <param name="ClientTls">Whether the agent's side of the session is TLS (when it delivers).</param>
    /// <param name="PostfixTls">Whether Postfix receives the message over TLS (an intercepting proxy relays in plaintext).</param>
    private sealed record MatrixSetup(
        string[] Mx,
        string[] PolicyMx,
        string Host,
        TlsRptResultType? Failure,
        string? Reason,
        MxAttemptOutcome RefusedOutcome,
        bool ClientTls,
        bool PostfixTls)
    {
        public static MatrixSetup For(MxScenario scenario) => scenario switch
        {
            MxScenario.ValidTls => new([MxHosts.Valid], [MxHosts.Valid], MxHosts.Valid, null, null, MxAttemptOutcome.Delivered, true, true),
            MxScenario.StartTlsStripped => new(
                [MxHosts.Stripped], [MxHosts.Stripped], MxHosts.Stripped, TlsRptResultType.StartTlsNotSupported, "starttls-not-supported", MxAttemptOutcome.StartTlsNotSupported, false, false),
            MxScenario.WrongNameCertificate => Intercepted(MxHosts.WrongName, TlsRptResultType.CertificateHostMismatch, null),
            MxScenario.ExpiredCertificate => Intercepted(MxHosts.Expired, TlsRptResultType.CertificateExpired, "certificate-expired"),
            MxScenario.SelfSignedCertificate => Intercepted(MxHosts.SelfSigned, TlsRptResultType.CertificateNotTrusted, null),
            MxScenario.CommonNameOnlyCertificate => Intercepted(MxHosts.CommonNameOnly, TlsRptResultType.CertificateHostMismatch, null),
            MxScenario.MxNotInPolicy => new(
                [MxHosts.Valid], [MxHosts.Unlisted], MxHosts.Valid, TlsRptResultType.ValidationFailure, "mx-not-in-policy", MxAttemptOutcome.NotInPolicy, true, true),
            MxScenario.FirstMxDownSecondFine => new(
                [MxHosts.Down, MxHosts.Valid], [MxHosts.Down, MxHosts.Valid], MxHosts.Valid, null, null, MxAttemptOutcome.Delivered, true, true),
            MxScenario.RevokedCertificate => Intercepted(MxHosts.Revoked, TlsRptResultType.CertificateNotTrusted, "certificate-revoked"),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
        };

        private static MatrixSetup Intercepted(string host, TlsRptResultType failure, string? reason) =>
            new([host], [host], host, failure, reason, MxAttemptOutcome.CertificateRejected, ClientTls: true, PostfixTls: false);
    }
}
