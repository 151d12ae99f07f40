using System.Security.Cryptography.X509Certificates;
using DnsClient;
using MimeKit;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// The failure model of issue 8 (<c>docs/failure-model.md</c>), rule by rule, against hostile SMTP servers (scripted, on
/// loopback, each behind a wire tap) and the hostile DNS responder in front of the real Knot server. Every test under
/// <c>enforce</c> checks what the attacker saw on the wire: no MAIL, RCPT or message text in the clear.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed partial class FailureModelTests
{
    private readonly DeliveryEnvironment _env;

    public FailureModelTests(DeliveryEnvironment env) => _env = env;

    /// <summary>Rule 1: the TXT record vanishes (spoofed NXDOMAIN) when the re-check looks: the failure stands, nothing is retried in plaintext.</summary>
    [Fact]
    public async Task Rule1_TxtGoneAtRecheck_FailureStandsWithoutPlaintext()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, _) => SmtpScripts.ServeAsync(c, certificate: null));
        await PublishAsync(domain, PolicyCase.Enforce, mx);
        var marker = DeliveryEnvironment.NewMarker();

        var result = await DeliverUnderTxtAttackAsync(domain, mx, DnsAttackKind.NonExistentDomainAfterFirst, marker);

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.True(result.Policy!.IsEnforced);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(MxAttemptOutcome.StartTlsNotSupported, attempt.Outcome);
        Assert.Single(mx.Server.Connections);
        Assert.True(_env.Mta.Dns.Proxy.QueryCount("_mta-sts." + domain, QueryType.TXT) >= 2, "the re-check looked at the TXT record");
        AssertNothingInClear(mx, marker);
    }

    /// <summary>
    /// Rule 1, the reproduction of issue 8: a short <c>max_age</c> policy expires during the delivery, the TXT record is
    /// answered NXDOMAIN at the re-check (so the resolver has no policy any more) and STARTTLS is stripped. No policy at
    /// re-check is not a new policy: the failure stands and no plaintext session is made.
    /// </summary>
    [Fact]
    public async Task Rule1_PolicyExpiredAndTxtGoneAtRecheck_FailureStandsWithoutPlaintext()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, _) => GreetAfterOneSecondPolicyExpiredAsync(c));
        await PublishAsync(domain, PolicyCase.Enforce, mx, maxAge: 1);
        var marker = DeliveryEnvironment.NewMarker();

        var result = await DeliverUnderTxtAttackAsync(domain, mx, DnsAttackKind.NonExistentDomainAfterFirst, marker);

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Single(result.Attempts);
        Assert.Single(mx.Server.Connections);
        AssertNothingInClear(mx, marker);
    }

    /// <summary>Rule 1: a temporary failure at the re-check (with <c>DeferOnTemporaryFailure</c>) is not a new policy either.</summary>
    [Fact]
    public async Task Rule1_TemporaryFailureAtRecheck_FailureStandsWithoutPlaintext()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, _) => GreetAfterOneSecondPolicyExpiredAsync(c));
        await PublishAsync(domain, PolicyCase.Enforce, mx, maxAge: 1);
        var marker = DeliveryEnvironment.NewMarker();

        var result = await DeliverUnderTxtAttackAsync(domain, mx, DnsAttackKind.ServerFailureAfterFirst, marker, o => o.DeferOnTemporaryFailure = true);

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.Single(mx.Server.Connections);
        AssertNothingInClear(mx, marker);
    }

    /// <summary>Rule 2: a resolution that must defer defers the domain with no SMTP connection (and no MX lookup) at all.</summary>
    [Fact]
    public async Task Rule2_TemporaryFailureResolution_DefersWithoutConnecting()
    {
        var domain = DeliveryEnvironment.NewDomainName();
        await using var mx = StartMx(domain, "mx", (c, _) => SmtpScripts.ServeAsync(c, certificate: null));
        await PublishAsync(domain, PolicyCase.Enforce, mx);

        var result = await DeliverUnderTxtAttackAsync(domain, mx, DnsAttackKind.ServerFailure, DeliveryEnvironment.NewMarker(), o => o.DeferOnTemporaryFailure = true);

        Assert.Equal(DeliveryStatus.TemporaryFailure, result.Status);
        Assert.StartsWith(ReasonCodes.PolicyTemporaryFailure, result.Detail, StringComparison.Ordinal);
        Assert.Equal(PolicyResolutionStatus.TemporaryFailure, result.Policy!.Status);
        Assert.Empty(result.Attempts);
        Assert.Equal(0, mx.Tap.ConnectionCount);
        Assert.Equal(0, _env.Mta.Dns.Proxy.QueryCount(domain, QueryType.MX));
    }

    /// <summary>Starts a hostile MX host <c>&lt;label&gt;.&lt;domain&gt;</c> behind a wire tap; its script gets a certificate the test CA issued for that name.</summary>
    private HostileMx StartMx(string domain, string label, Func<HostileSmtpConnection, X509Certificate2, Task> script, X509Certificate2? certificate = null)
    {
        var host = $"{label}.{domain}";
        var cert = certificate ?? _env.Mta.Ca.IssueServerCertificate(host);
        var server = HostileSmtpServer.Start(c => script(c, cert));
        return new HostileMx(label, host, server, _env.StartForwarder(server.EndPoint));
    }

    /// <summary>
    /// Starts, for a new domain under <c>enforce</c>, a first MX host <c>mx1</c> running <paramref name="firstScript"/> and a
    /// well-behaved second one <c>mx2</c> (TLS with a valid certificate), in that order of preference, both in the policy.
    /// </summary>
    private async Task<MxPair> StartTwoMxAsync(Func<HostileSmtpConnection, X509Certificate2, Task> firstScript)
    {
        var domain = DeliveryEnvironment.NewDomainName();
        var pair = new MxPair(domain, StartMx(domain, "mx1", firstScript), StartMx(domain, "mx2", (c, cert) => SmtpScripts.ServeAsync(c, cert)));
        try
        {
            await PublishAsync(domain, PolicyCase.Enforce, [pair.First, pair.Second]);
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Delivers one message with <paramref name="marker"/> to <paramref name="domain"/> while the hostile DNS responder
    /// answers its <c>_mta-sts</c> TXT query as <paramref name="txtAttack"/> says, and waits until <paramref name="mx"/> is idle.
    /// </summary>
    private async Task<DomainDeliveryResult> DeliverUnderTxtAttackAsync(string domain, HostileMx mx, DnsAttackKind txtAttack, string marker, Action<MtaStsOptions>? configurePolicy = null)
    {
        using var rule = _env.Mta.Dns.Proxy.Attack(new DnsAttack("_mta-sts." + domain, QueryType.TXT, txtAttack));
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut, configurePolicy: configurePolicy);
        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, marker)));
        await mx.Server.WaitForIdleAsync();
        return result;
    }

    /// <summary>An MX script that offers no STARTTLS and greets only once a one-second (<c>max_age: 1</c>) policy has expired.</summary>
    private static async Task GreetAfterOneSecondPolicyExpiredAsync(HostileSmtpConnection connection)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(1500), connection.Aborted);
        await SmtpScripts.ServeAsync(connection, certificate: null);
    }

    /// <summary>Publishes <paramref name="domain"/> with <paramref name="mxs"/> as its MX hosts in that order, every one listed in the policy.</summary>
    private Task PublishAsync(string domain, PolicyCase policy, HostileMx mx, long maxAge = 86400) => PublishAsync(domain, policy, [mx], maxAge);

    private Task PublishAsync(string domain, PolicyCase policy, HostileMx[] mxs, long maxAge = 86400, string id = "id1") =>
        _env.PublishAsync(
            domain,
            policy,
            mxs.Select(m => m.Host),
            mxs.Select(m => m.Host),
            id,
            mxs.Select(m => $"{m.Label} 1 IN A {m.Tap.Address}"),
            maxAge);

    /// <summary>What an attacker on the path saw: the raw bytes the agent sent to <paramref name="mx"/> carry no transaction and no message text.</summary>
    private static void AssertNothingInClear(HostileMx mx, string marker)
    {
        Assert.False(mx.Tap.ClientSent("MAIL FROM"), "MAIL FROM crossed the wire in the clear");
        Assert.False(mx.Tap.ClientSent("RCPT TO"), "RCPT TO crossed the wire in the clear");
        Assert.False(mx.Tap.ClientSent(marker), "the message crossed the wire in the clear");
        Assert.DoesNotContain("MAIL FROM", mx.Server.PlaintextReceived, StringComparison.OrdinalIgnoreCase);
    }

    private static MimeMessage TwoRecipients(string domain, string marker, string first, string second)
    {
        var message = DeliveryEnvironment.NewMessage(domain, marker, first);
        message.To.Add(new MailboxAddress("Second", $"{second}@{domain}"));
        return message;
    }

    private sealed record HostileMx(string Label, string Host, HostileSmtpServer Server, MxHostForwarder Tap) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Tap.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    /// <summary>A domain and its two MX hosts, <see cref="First"/> (<c>mx1</c>, tried first) and <see cref="Second"/> (<c>mx2</c>).</summary>
    private sealed record MxPair(string Domain, HostileMx First, HostileMx Second) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
        }
    }
}
