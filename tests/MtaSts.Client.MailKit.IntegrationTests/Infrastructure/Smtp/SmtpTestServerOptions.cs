using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>How <see cref="SmtpTestServer.StartAsync(X509Certificate2?, SmtpTestServerOptions, CancellationToken)"/> configures Postfix.</summary>
public sealed class SmtpTestServerOptions
{
    /// <summary>Whether the server offers STARTTLS (<c>smtpd_tls_security_level = may</c>); otherwise <c>none</c> and no certificate is needed.</summary>
    public bool OfferStartTls { get; init; } = true;

    /// <summary>The server's name (<c>myhostname</c>): in the greeting, the EHLO reply and the Received header.</summary>
    public string HostName { get; init; } = "mx.smtp-test.invalid";

    /// <summary>
    /// Certificates chosen by the client's SNI name (<c>tls_server_sni_maps</c>): keys are host names in lower case, or
    /// <c>.example.test</c> for every name under example.test. A client whose SNI matches no key (or that sends none)
    /// gets the default certificate.
    /// </summary>
    public IReadOnlyDictionary<string, X509Certificate2> SniCertificates { get; init; } = new Dictionary<string, X509Certificate2>();

    /// <summary>
    /// Intermediate certificates: each served chain gets those that issued its leaf (walked up by issuer name, roots
    /// excluded), after the leaf.
    /// </summary>
    public X509Certificate2Collection? IntermediateCertificates { get; init; }

    /// <summary>The oldest TLS version offered (<c>smtpd_tls_protocols = &gt;=…</c>), for example <see cref="SslProtocols.Tls13"/>.</summary>
    public SslProtocols? MinimumTlsVersion { get; init; }

    /// <summary>The newest TLS version offered (<c>smtpd_tls_protocols = &lt;=…</c>), for example <see cref="SslProtocols.Tls12"/>.</summary>
    public SslProtocols? MaximumTlsVersion { get; init; }

    /// <summary>Extra main.cf parameters, written last so they override the fixture's (for example <c>smtpd_banner</c>).</summary>
    public IReadOnlyDictionary<string, string> AdditionalParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra master.cf lines, such as an <c>smtp unix</c> client service for an instance that sends mail.</summary>
    public IReadOnlyList<string> AdditionalServices { get; init; } = [];

    /// <summary>
    /// Files written inside the queue directory before start (relative path to contents), such as <c>etc/resolv.conf</c>
    /// for a service that runs chrooted there.
    /// </summary>
    public IReadOnlyDictionary<string, string> QueueFiles { get; init; } = new Dictionary<string, string>();
}
