using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>
/// The world the delivery tests run in, on loopback: an <see cref="MtaStsEnvironment"/> (Knot DNS, the test CA with its
/// CRL server, the Kestrel policy server), one Postfix that serves a certificate per SNI name, the attacker proxies in
/// front of it, a second Postfix that offers only TLS 1.0/1.1, and one <see cref="MxHostForwarder"/> per name in
/// <see cref="MxHosts"/> so that every MX host has an address of its own at the one port the agent dials
/// (<see cref="SmtpPort"/>).
/// </summary>
/// <remarks>
/// Tests share the servers and tell their messages apart by a unique marker in the body; each makes its own policy
/// domain (<see cref="AddDomainAsync"/>) whose MX records point at the shared hosts, and its own agent and sink.
/// Postfix rejects every recipient whose local part is <see cref="RefusedLocalPart"/> (554), for the 5xx tests.
/// </remarks>
public sealed class DeliveryEnvironment : IAsyncLifetime
{
    /// <summary>Recipients with this local part get <c>554 5.7.1</c> from Postfix at RCPT TO.</summary>
    public const string RefusedLocalPart = "refuse-me";

    /// <summary>The envelope sender of every test message.</summary>
    public static readonly MailboxAddress Sender = new("Sender", "sender@sender.test");

    private readonly Dictionary<string, MxHostForwarder> _forwarders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SmtpProxy> _proxies = new(StringComparer.Ordinal);
    private readonly List<X509Certificate2> _certificates = [];
    private readonly Dictionary<string, X509Certificate2> _daneCertificates = new(StringComparer.Ordinal);
    private TestCertificateAuthority? _intermediate;
    private bool _mtaStarted;

    /// <summary>Knot, the CA and the policy server.</summary>
    public MtaStsEnvironment Mta { get; } = new();

    /// <summary>The Postfix behind every host of <see cref="MxHosts"/>.</summary>
    public SmtpTestServer Postfix { get; private set; } = null!;

    /// <summary>
    /// A second Postfix behind <see cref="MxHosts.LegacyTls"/> that offers STARTTLS with TLS 1.0 and 1.1 only (OpenSSL's
    /// security level lowered to 0 for its ciphers, which OpenSSL 3 requires for those versions).
    /// </summary>
    public SmtpTestServer LegacyTlsPostfix { get; private set; } = null!;

    /// <summary>The SMTP port of every MX host (<see cref="MtaStsDeliveryOptions.Port"/>).</summary>
    public int SmtpPort { get; private set; }

    /// <summary>The signed zones of <see cref="DaneHosts"/> and the Unbound validating resolver DANE tests ask (<c>CreateAgent(dnssec: true)</c>).</summary>
    public DnssecEnvironment Dnssec { get; private set; } = null!;

    /// <summary>The address of <see cref="MxHosts.Down"/>, where nothing listens.</summary>
    public IPAddress DownAddress { get; private set; } = IPAddress.None;

    public async Task InitializeAsync()
    {
        try
        {
            await Mta.InitializeAsync();
            _mtaStarted = true;
            SmtpPort = FreePort.GetTcpPort();
            await Task.WhenAll(StartPostfixAsync(), StartLegacyTlsPostfixAsync());
            StartProxies();
            foreach (var host in (string[])[MxHosts.Valid, MxHosts.Spare, MxHosts.PostfixExpired, MxHosts.PostfixSelfSigned, MxHosts.TwoLabelsDeep, MxHosts.CommonNameWithOtherSans, .. DaneHosts.OnPostfix])
            {
                _forwarders[host] = MxHostForwarder.Start(SmtpPort, Postfix.EndPoint);
            }

            _forwarders[MxHosts.LegacyTls] = MxHostForwarder.Start(SmtpPort, LegacyTlsPostfix.EndPoint);
            foreach (var (host, proxy) in _proxies)
            {
                _forwarders[host] = MxHostForwarder.Start(SmtpPort, proxy.EndPoint);
            }

            DownAddress = MxHostForwarder.ReserveUnusedAddress(SmtpPort);
            var records = _forwarders.Where(f => f.Key.EndsWith("." + MxHosts.Zone, StringComparison.Ordinal))
                .Select(f => $"{Label(f.Key)} 1 IN A {f.Value.Address}")
                .Append($"{Label(MxHosts.Down)} 1 IN A {DownAddress}")

                // Checklist K.84: a TLSA record in an unsigned zone is ignored. It matches nothing: if it counted, every
                // delivery to the valid host would fail.
                .Append($"_{SmtpPort.ToString(CultureInfo.InvariantCulture)}._tcp.{Label(MxHosts.Valid)} 1 IN TLSA 3 1 1 {new string('0', 64)}");
            await Mta.Dns.SetZoneRecordsAsync(MxHosts.Zone, [.. records]);
            Dnssec = await DnssecEnvironment.StartAsync(Mta.Dns, DaneRecords(), [$"_{SmtpPort.ToString(CultureInfo.InvariantCulture)} 1 IN TLSA {Tlsa(3, 0, _daneCertificates[DaneHosts.BogusTlsa])}"]);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Dnssec is not null)
        {
            await Dnssec.DisposeAsync();
        }

        foreach (var forwarder in _forwarders.Values)
        {
            await forwarder.DisposeAsync();
        }

        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync();
        }

        if (Postfix is not null)
        {
            await Postfix.DisposeAsync();
        }

        if (LegacyTlsPostfix is not null)
        {
            await LegacyTlsPostfix.DisposeAsync();
        }

        if (_mtaStarted)
        {
            await Mta.DisposeAsync();
        }

        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }

        _intermediate?.Dispose();
    }

    /// <summary>The forwarder (address and wire tap) of one of <see cref="MxHosts"/>.</summary>
    public MxHostForwarder Forwarder(string host) => _forwarders[host];

    /// <summary>The attacker proxy in front of <paramref name="host"/>, if there is one.</summary>
    public SmtpProxy? Proxy(string host) => _proxies.GetValueOrDefault(host);

    /// <summary>The TLS-intercepting proxy in front of <paramref name="host"/>.</summary>
    public TlsInterceptingProxy InterceptingProxy(string host) => (TlsInterceptingProxy)_proxies[host];

    /// <summary>Starts a forwarder on a fresh address at <see cref="SmtpPort"/> for a host of the test's own (dispose it).</summary>
    public MxHostForwarder StartForwarder(IPEndPoint target) => MxHostForwarder.Start(SmtpPort, target);

    /// <summary>Creates a policy domain with a fresh name: see <see cref="PublishAsync"/>.</summary>
    public async Task<string> AddDomainAsync(PolicyCase policy, IEnumerable<string> mxHosts, IEnumerable<string> policyMx, string id = "id1", IEnumerable<string>? extraRecords = null)
    {
        var domain = MtaStsEnvironment.NewDomainName();
        await PublishAsync(domain, policy, mxHosts, policyMx, id, extraRecords);
        return domain;
    }

    /// <summary>
    /// Publishes <paramref name="domain"/>: MX records for <paramref name="mxHosts"/> in that order (preferences 10, 20, …),
    /// <paramref name="extraRecords"/>, and unless <see cref="PolicyCase.NoPolicy"/> the <c>_mta-sts</c> TXT record with
    /// <paramref name="id"/> and a policy of the given mode listing <paramref name="policyMx"/>, served for <c>mta-sts.&lt;domain&gt;</c>.
    /// </summary>
    public async Task PublishAsync(string domain, PolicyCase policy, IEnumerable<string> mxHosts, IEnumerable<string> policyMx, string id = "id1", IEnumerable<string>? extraRecords = null, long maxAge = 86400)
    {
        var records = mxHosts.Select((host, i) => $"@ 1 IN MX {((i + 1) * 10).ToString(CultureInfo.InvariantCulture)} {host}.")
            .Concat(extraRecords ?? [])
            .ToArray();
        if (policy == PolicyCase.NoPolicy)
        {
            await Mta.SetRecordsAsync(domain, [], records);
            return;
        }

        var mode = policy switch
        {
            PolicyCase.Enforce => "enforce",
            PolicyCase.Testing => "testing",
            _ => "none",
        };
        Mta.Https.SetCertificate("mta-sts." + domain, Keep(Mta.Ca.IssueServerCertificate("mta-sts." + domain)));
        Mta.Https.SetPolicy("mta-sts." + domain, MtaStsEnvironment.Policy(mode, maxAge, [.. policyMx]));
        await Mta.SetRecordsAsync(domain, [$"v=STSv1; id={id}"], records);
    }

    /// <summary>
    /// An agent wired to this world (<see cref="ConfigurePolicy"/>, <see cref="ConfigureDelivery"/>); revocation as given
    /// (Online uses the CRL server).
    /// </summary>
    /// <returns>What owns the agent's resolver: dispose it.</returns>
    public IAsyncDisposable CreateAgent(
        ISmtpSessionOutcomeSink sink,
        out MtaStsDeliveryAgent agent,
        X509RevocationMode revocationMode = X509RevocationMode.NoCheck,
        Action<MtaStsDeliveryOptions>? configureDelivery = null,
        Action<MtaStsOptions>? configurePolicy = null,
        bool dnssec = false)
    {
        agent = MtaStsDeliveryAgent.Create(
            policy =>
            {
                ConfigurePolicy(policy, revocationMode, dnssec);
                configurePolicy?.Invoke(policy);
            },
            delivery =>
            {
                ConfigureDelivery(delivery);
                configureDelivery?.Invoke(delivery);
            },
            sink);
        return agent;
    }

    /// <summary>
    /// Wires an agent's resolver to this world: Knot as name server, the test CA as the only trust root, loopback allowed,
    /// the policy server's port, no fetch retry, and revocation as given.
    /// </summary>
    public void ConfigurePolicy(MtaStsOptions policy, X509RevocationMode revocationMode = X509RevocationMode.NoCheck, bool dnssec = false)
    {
        ArgumentNullException.ThrowIfNull(policy);

        // The DANE tests ask the validating resolver; the others ask Knot (through the hostile responder) directly.
        policy.NameServers.Add(dnssec ? Dnssec.Unbound.EndPoint : Mta.Dns.EndPoint);
        policy.TrustRoots.Add(Mta.Ca.RootCertificate);
        policy.AllowPrivateAddresses = true;
        policy.PolicyHostPort = Mta.Https.Port;
        policy.RevocationMode = revocationMode;
        policy.FetchRetryCount = 0;
    }

    /// <summary>Wires an agent's SMTP side to this world: the shared SMTP port, HELO <c>sender.test</c>, timeouts for a loaded machine.</summary>
    public void ConfigureDelivery(MtaStsDeliveryOptions delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        delivery.Port = SmtpPort;
        delivery.HeloName = "sender.test";
        delivery.ConnectTimeout = TimeSpan.FromSeconds(20);
        delivery.CommandTimeout = TimeSpan.FromSeconds(60);
    }

    /// <summary>A message from <see cref="Sender"/> to <c>&lt;localPart&gt;@&lt;domain&gt;</c> whose subject and body carry <paramref name="marker"/>.</summary>
    public static MimeMessage NewMessage(string domain, string marker, string localPart = "rcpt")
    {
        var message = new MimeMessage();
        message.From.Add(Sender);
        message.To.Add(new MailboxAddress("Recipient", $"{localPart}@{domain}"));
        message.Subject = "MTA-STS delivery test " + marker;
        message.Body = new TextPart("plain") { Text = $"The secret body of this message is {marker}.\r\n" };
        return message;
    }

    /// <summary>A policy domain name no other test of this run uses.</summary>
    public static string NewDomainName() => MtaStsEnvironment.NewDomainName();

    /// <summary>A marker no other message of this run carries.</summary>
    public static string NewMarker() => "MARKER-" + Guid.NewGuid().ToString("N");

    /// <summary>Waits until <paramref name="server"/> stored the message that carries <paramref name="marker"/>.</summary>
    public static async Task<ReceivedMessage> WaitForMessageAsync(SmtpTestServer server, string marker)
    {
        ReceivedMessage? found = null;
        await Poll.UntilAsync(
            () => (found = FindMessage(server, marker)) is not null,
            $"the message {marker} to arrive at {server.EndPoint}",
            TimeSpan.FromSeconds(30));
        return found!;
    }

    /// <summary>The message that carries <paramref name="marker"/>, if <paramref name="server"/> stored it.</summary>
    public static ReceivedMessage? FindMessage(SmtpTestServer server, string marker) =>
        server.Messages.FirstOrDefault(m => m.Text.Contains(marker, StringComparison.Ordinal));

    private static string Label(string host) => host[..^(MxHosts.Zone.Length + 1)];

    /// <summary>A TLSA record's fields after the owner: usage, selector, SHA-256 matching type, data.</summary>
    private static string Tlsa(byte usage, byte selector, X509Certificate2 certificate) =>
        string.Create(CultureInfo.InvariantCulture, $"{usage} {selector} 1 {Convert.ToHexString(SHA256.HashData(selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo()))}");

    /// <summary>The records of the signed zone: an A record per <see cref="DaneHosts"/> host and its TLSA records.</summary>
    private string[] DaneRecords()
    {
        var port = SmtpPort.ToString(CultureInfo.InvariantCulture);
        string A(string host) => $"{DaneHosts.Label(host)} 1 IN A {_forwarders[host].Address}";
        string Record(string host, string rdata) => $"_{port}._tcp.{DaneHosts.Label(host)} 1 IN TLSA {rdata}";
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var other = Convert.ToHexString(SHA256.HashData(otherKey.ExportSubjectPublicKeyInfo()));
        return
        [
            .. DaneHosts.OnPostfix.Append(DaneHosts.Stripped).Append(DaneHosts.DeadTlsa).Select(A),
            Record(DaneHosts.Ee, Tlsa(3, 1, _daneCertificates[DaneHosts.Ee])),
            Record(DaneHosts.EeFull, Tlsa(3, 0, _daneCertificates[DaneHosts.EeFull])),
            Record(DaneHosts.Ta, Tlsa(2, 1, _intermediate!.Certificate)),
            Record(DaneHosts.Pkix, Tlsa(1, 1, _daneCertificates[DaneHosts.Pkix])),
            Record(DaneHosts.Pkix, Tlsa(0, 1, Mta.Ca.RootCertificate)),
            Record(DaneHosts.Mismatch, "3 1 1 " + other),
            Record(DaneHosts.Stripped, Tlsa(3, 1, _daneCertificates[DaneHosts.Ee])),
        ];
    }

    private X509Certificate2 Keep(X509Certificate2 certificate)
    {
        lock (_certificates)
        {
            _certificates.Add(certificate);
        }

        return certificate;
    }

    private async Task StartPostfixAsync()
    {
        var ca = Mta.Ca;
        _intermediate = ca.CreateIntermediate("DANE test intermediate");
        _daneCertificates[DaneHosts.Ee] = Keep(TestCertificateAuthority.CreateSelfSignedServerCertificate(DaneHosts.Ee));
        _daneCertificates[DaneHosts.Ta] = Keep(_intermediate.IssueServerCertificate(DaneHosts.Ta));
        foreach (var host in (string[])[DaneHosts.EeFull, DaneHosts.Pkix, DaneHosts.Mismatch, DaneHosts.NoTlsa, DaneHosts.BogusTlsa])
        {
            _daneCertificates[host] = Keep(ca.IssueServerCertificate(host));
        }

        var sni = new Dictionary<string, X509Certificate2>(_daneCertificates)
        {
            [MxHosts.Valid] = Keep(ca.IssueServerCertificate(MxHosts.Valid)),
            [MxHosts.Spare] = Keep(ca.IssueServerCertificate(MxHosts.Spare)),
            [MxHosts.PostfixExpired] = Keep(ca.IssueExpiredServerCertificate(MxHosts.PostfixExpired)),
            [MxHosts.PostfixSelfSigned] = Keep(TestCertificateAuthority.CreateSelfSignedServerCertificate(MxHosts.PostfixSelfSigned)),
            [MxHosts.TwoLabelsDeep] = Keep(ca.IssueServerCertificate("*." + MxHosts.Zone)),
            [MxHosts.CommonNameWithOtherSans] = Keep(ca.IssueServerCertificate(new ServerCertificateOptions
            {
                CommonName = MxHosts.CommonNameWithOtherSans,
                DnsNames = ["other-1." + MxHosts.Zone, MxHosts.ElsewhereName],
            })),
        };
        Postfix = await SmtpTestServer.StartAsync(
            sni[MxHosts.Valid],
            new SmtpTestServerOptions
            {
                SniCertificates = sni,
                IntermediateCertificates = [_intermediate.Certificate],
                AdditionalParameters = new Dictionary<string, string>
                {
                    ["smtpd_recipient_restrictions"] = $"check_recipient_access inline:{{ {{ {RefusedLocalPart}@ = REJECT no thanks }} }}",
                },
            });
    }

    private async Task StartLegacyTlsPostfixAsync()
    {
        LegacyTlsPostfix = await SmtpTestServer.StartAsync(
            Keep(Mta.Ca.IssueServerCertificate(MxHosts.LegacyTls)),
            new SmtpTestServerOptions
            {
#pragma warning disable SYSLIB0039 // The point: a server that offers nothing newer than TLS 1.1 (checklist K.77).
                MaximumTlsVersion = SslProtocols.Tls11,
#pragma warning restore SYSLIB0039
                AdditionalParameters = new Dictionary<string, string>
                {
                    // smtpd_tls_ciphers = medium: OpenSSL 3 allows TLS 1.0/1.1 only at security level 0.
                    ["tls_medium_cipherlist"] = "DEFAULT:@SECLEVEL=0",
                },
            });
    }

    private void StartProxies()
    {
        var ca = Mta.Ca;
        _proxies[MxHosts.Stripped] = StartTlsStrippingProxy.Start(Postfix.EndPoint);
        _proxies[MxHosts.WrongName] = TlsInterceptingProxy.Start(Postfix.EndPoint, Keep(ca.IssueServerCertificate(MxHosts.ElsewhereName)));
        _proxies[MxHosts.Expired] = TlsInterceptingProxy.Start(Postfix.EndPoint, Keep(ca.IssueExpiredServerCertificate(MxHosts.Expired)));
        _proxies[MxHosts.SelfSigned] = TlsInterceptingProxy.Start(Postfix.EndPoint, Keep(TestCertificateAuthority.CreateSelfSignedServerCertificate(MxHosts.SelfSigned)));
        _proxies[MxHosts.CommonNameOnly] = TlsInterceptingProxy.Start(Postfix.EndPoint, Keep(ca.IssueCommonNameOnlyServerCertificate(MxHosts.CommonNameOnly)));
        _proxies[MxHosts.Revoked] = TlsInterceptingProxy.Start(Postfix.EndPoint, Keep(ca.IssueRevokedServerCertificate(MxHosts.Revoked)));
        _proxies[MxHosts.Sni] = TlsInterceptingProxy.Start(Postfix.EndPoint, Keep(ca.IssueServerCertificate(MxHosts.Sni)));
        _proxies[DaneHosts.Stripped] = StartTlsStrippingProxy.Start(Postfix.EndPoint);
        _proxies[DaneHosts.DeadTlsa] = StartTlsStrippingProxy.Start(Postfix.EndPoint);
    }
}
