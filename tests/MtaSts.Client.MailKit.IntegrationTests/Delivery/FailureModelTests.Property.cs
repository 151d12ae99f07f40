using System.Security.Cryptography.X509Certificates;
using CsCheck;
using DnsClient;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// The delivery decision as a property: random attacker actions at each MX host and at DNS, under each policy state,
/// checked on the bytes the attacker's wire taps saw and on the result.
/// </summary>
public sealed partial class FailureModelTests
{
    /// <summary>What the attacker (or a broken receiver) does at one MX host.</summary>
    public enum MxAction
    {
        Good,
        StripStartTls,
        RefuseStartTls454,
        RefuseStartTls554,
        ForeignCertificate,
        SelfSignedCertificate,
        CloseAfterStartTls,
        Greeting554,
        Greeting421,
        Silent,
    }

    /// <summary>What the attacker does at DNS.</summary>
    public enum DnsAction
    {
        None,
        SpoofMxNxDomain,
        TxtGoneAtRecheck,
        TxtServerFailureAtRecheck,
    }

    /// <summary>
    /// Invariants, checked on every sampled scenario:
    /// under <c>enforce</c> no MAIL, RCPT or message text ever crosses a tap in the clear, and only an MX host with a
    /// valid certificate ever receives a transaction; a permanent failure only ever comes from a spoofed NXDOMAIN that
    /// no held policy contradicts; and whenever any path allows delivery (an MX host with valid TLS under
    /// <c>enforce</c>; any MX host that answers SMTP otherwise), the message is delivered.
    /// </summary>
    [Fact]
    public async Task Property_AttackerActionsAtMxAndDns_NeverPlaintextUnderEnforceAndDeliveredWhenAPathAllows()
    {
        var scenarios = Gen.Select(
            Gen.OneOf(PolicyCase.Enforce, PolicyCase.Testing, PolicyCase.None, PolicyCase.NoPolicy),
            Gen.Enum<MxAction>().Array[1, 2],
            Gen.Frequency((6, DnsAction.None), (1, DnsAction.SpoofMxNxDomain), (1, DnsAction.TxtGoneAtRecheck), (1, DnsAction.TxtServerFailureAtRecheck)));

        await scenarios.SampleAsync(
            (policy, actions, dns) => RunScenarioAsync(policy, actions, dns),
            iter: 80,
            threads: 1,
            print: s => $"{s.Item1} mx=[{string.Join(", ", s.Item2)}] dns={s.Item3}");
    }

    private async Task RunScenarioAsync(PolicyCase policy, MxAction[] actions, DnsAction dns)
    {
        var domain = DeliveryEnvironment.NewDomainName();
        var mxs = new List<HostileMx>();
        try
        {
            for (var i = 0; i < actions.Length; i++)
            {
                var action = actions[i];
                var host = $"mx{i}.{domain}";
                X509Certificate2? certificate = action switch
                {
                    MxAction.ForeignCertificate => _env.Mta.Ca.IssueServerCertificate("elsewhere." + domain),
                    MxAction.SelfSignedCertificate => TestCertificateAuthority.CreateSelfSignedServerCertificate(host),
                    _ => null,
                };
                mxs.Add(StartMx(domain, $"mx{i}", (c, cert) => PlayAsync(c, cert, action), certificate));
            }

            await PublishAsync(domain, policy, [.. mxs]);
            using var attack = dns switch
            {
                DnsAction.SpoofMxNxDomain => _env.Mta.Dns.Proxy.Attack(new DnsAttack(domain, QueryType.MX, DnsAttackKind.NonExistentDomain)),
                DnsAction.TxtGoneAtRecheck => _env.Mta.Dns.Proxy.Attack(new DnsAttack("_mta-sts." + domain, QueryType.TXT, DnsAttackKind.NonExistentDomainAfterFirst)),
                DnsAction.TxtServerFailureAtRecheck => _env.Mta.Dns.Proxy.Attack(new DnsAttack("_mta-sts." + domain, QueryType.TXT, DnsAttackKind.ServerFailureAfterFirst)),
                _ => null,
            };
            var marker = DeliveryEnvironment.NewMarker();
            await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configureDelivery: o => o.CommandTimeout = TimeSpan.FromMilliseconds(700));

            var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));
            foreach (var mx in mxs)
            {
                await mx.Server.WaitForIdleAsync();
            }

            var held = policy is PolicyCase.Enforce or PolicyCase.Testing;
            if (policy == PolicyCase.Enforce)
            {
                for (var i = 0; i < mxs.Count; i++)
                {
                    AssertNothingInClear(mxs[i], marker);
                    if (actions[i] != MxAction.Good)
                    {
                        Assert.DoesNotContain("MAIL FROM", mxs[i].Server.DecryptedReceived, StringComparison.OrdinalIgnoreCase);
                    }
                }
            }

            if (result.Status == DeliveryStatus.PermanentFailure)
            {
                Assert.True(dns == DnsAction.SpoofMxNxDomain && !held, $"a permanent failure ({result.Detail}) from input an attacker could inject");
            }

            if (dns == DnsAction.SpoofMxNxDomain)
            {
                Assert.Equal(held ? DeliveryStatus.TemporaryFailure : DeliveryStatus.PermanentFailure, result.Status);
                Assert.All(mxs, mx => Assert.Equal(0, mx.Tap.ConnectionCount));
                return;
            }

            var deliverable = policy == PolicyCase.Enforce
                ? actions.Contains(MxAction.Good)
                : actions.Any(a => a is not (MxAction.Greeting554 or MxAction.Greeting421 or MxAction.Silent));
            Assert.Equal(deliverable ? DeliveryStatus.Delivered : DeliveryStatus.TemporaryFailure, result.Status);
        }
        finally
        {
            foreach (var mx in mxs)
            {
                await mx.DisposeAsync();
            }
        }
    }

    private static async Task PlayAsync(HostileSmtpConnection c, X509Certificate2 certificate, MxAction action)
    {
        switch (action)
        {
            case MxAction.Good or MxAction.ForeignCertificate or MxAction.SelfSignedCertificate:
                await SmtpScripts.ServeAsync(c, certificate);
                break;
            case MxAction.StripStartTls:
                await SmtpScripts.ServeAsync(c, certificate: null);
                break;
            case MxAction.RefuseStartTls454:
                await SmtpScripts.ServeAsync(c, certificate: null, startTlsReply: "454 4.7.0 TLS not available");
                break;
            case MxAction.RefuseStartTls554:
                await SmtpScripts.ServeAsync(c, certificate: null, startTlsReply: "554 5.7.0 no TLS for you");
                break;
            case MxAction.CloseAfterStartTls:
                // Says yes to STARTTLS and hangs up: the handshake fails. A plaintext session (no STARTTLS) is served.
                await SmtpScripts.ServeAsync(c, certificate, hangUpAfterStartTls: true);
                break;
            case MxAction.Greeting554:
                await c.ReplyAsync("554 5.7.1 go away");
                await c.DrainAsync();
                break;
            case MxAction.Greeting421:
                await c.ReplyAsync("421 4.3.2 busy");
                await c.DrainAsync();
                break;
            case MxAction.Silent:
                // Takes the connection and never says a word (reading, so that it notices the client leaving).
                await c.DrainAsync();
                break;
        }
    }
}
