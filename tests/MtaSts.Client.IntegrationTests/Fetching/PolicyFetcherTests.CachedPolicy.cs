using System.Security.Cryptography.X509Certificates;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// Decision 24 and RFC 8461 §3.3 ("If a valid cached policy exists, senders MUST apply it"): whatever way the fetch of
/// a new policy id fails, the cached <c>enforce</c> policy stays in force and the failure is reported alongside it.
/// </summary>
public sealed partial class PolicyFetcherTests
{
    [Theory]
    [InlineData("redirect-301", TlsRptResultType.StsPolicyFetchError, "http-status-301")]
    [InlineData("redirect-302", TlsRptResultType.StsPolicyFetchError, "http-status-302")]
    [InlineData("status-204", TlsRptResultType.StsPolicyFetchError, "http-status-204")]
    [InlineData("status-404", TlsRptResultType.StsPolicyFetchError, "http-status-404")]
    [InlineData("status-500", TlsRptResultType.StsPolicyFetchError, "http-status-500")]
    [InlineData("text-html", TlsRptResultType.StsPolicyInvalid, "content-type-not-text-plain")]
    [InlineData("too-large", TlsRptResultType.StsPolicyFetchError, "policy-too-large")]
    [InlineData("stall", TlsRptResultType.StsPolicyFetchError, "timeout")]
    [InlineData("stall-in-body", TlsRptResultType.StsPolicyFetchError, "timeout")]
    [InlineData("wrong-name", TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name")]
    [InlineData("wildcard-too-deep", TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name")]
    [InlineData("common-name-only", TlsRptResultType.StsWebPkiInvalid, "no-matching-san-dns-name")]
    [InlineData("expired", TlsRptResultType.StsWebPkiInvalid, "certificate-expired")]
    [InlineData("not-yet-valid", TlsRptResultType.StsWebPkiInvalid, "certificate-not-yet-valid")]
    [InlineData("self-signed", TlsRptResultType.StsWebPkiInvalid, "untrusted-root")]
    [InlineData("untrusted-ca", TlsRptResultType.StsWebPkiInvalid, "untrusted-root")]
    [InlineData("intermediate-not-sent", TlsRptResultType.StsWebPkiInvalid, "untrusted-root")]
    [InlineData("revoked", TlsRptResultType.StsWebPkiInvalid, "certificate-revoked")]
    public async Task RecheckAsync_NewIdFetchFails_KeepsCachedEnforcePolicy(string failure, TlsRptResultType resultType, string reasonCode)
    {
        // One authority per case, with its own CRL address, issues every certificate the case presents.
        using var ca = TestCertificateAuthority.Create("Cached-policy root", env.Crl);
        using var intermediate = ca.CreateIntermediate();
        var domain = await env.AddDomainAsync(id: "A");
        var host = PolicyHost(domain);

        // "Connection: close" so that the second fetch opens a new connection and its TLS handshake sees the new certificate.
        env.Https.SetCertificate(host, ca.IssueServerCertificate(host));
        env.Https.SetResponse(host, new PolicyResponse
        {
            Body = PolicyResponse.Policy(MtaStsEnvironment.Policy()).Body,
            Headers = new Dictionary<string, string> { ["Connection"] = "close" },
        });
        await using var sut = env.CreateResolver(o =>
        {
            o.TrustRoots.Add(ca.RootCertificate);
            o.FetchTimeout = failure.StartsWith("stall", StringComparison.Ordinal) ? Budget : o.FetchTimeout;
            o.RevocationMode = failure == "revoked" ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        });
        var first = await sut.ResolveAsync(domain);
        AssertFetched(first, "A");

        await env.SetIdAsync(domain, "B");
        var redirectTarget = await BreakAsync(failure, host, ca, intermediate);
        var handshakesBefore = env.Https.HandshakeCount(host);
        var resolution = await sut.RecheckAsync(domain);
        var later = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.Cached, resolution.Status);
        Assert.True(resolution.IsEnforced);
        Assert.Equal("A", resolution.PolicyId);
        Assert.Same(first.Policy, resolution.Policy);
        Assert.Equal(first.ExpiresAt, resolution.ExpiresAt);
        Assert.Equal(((TlsRptResultType?)resultType, reasonCode), (resolution.FailureResultType, resolution.FailureReasonCode));

        // One new connection; a certificate failure ends it before any request is sent; a redirect is not followed.
        Assert.Equal(handshakesBefore + 1, env.Https.HandshakeCount(host));
        Assert.Equal(resultType == TlsRptResultType.StsWebPkiInvalid ? 1 : 2, env.Https.RequestCount(host));
        Assert.Equal(0, redirectTarget is null ? 0 : env.Https.RequestCount(redirectTarget));

        // Cache hits keep serving policy A and report the failure until something changes.
        Assert.Equal("A", later.PolicyId);
        Assert.True(later.IsEnforced);
        Assert.Equal(reasonCode, later.FailureReasonCode);
    }

    /// <summary>Breaks the policy host in the way <paramref name="failure"/> names; returns the redirect target host, if any.</summary>
    private async Task<string?> BreakAsync(string failure, string host, TestCertificateAuthority ca, TestCertificateAuthority intermediate)
    {
        var policy = PolicyResponse.Policy(MtaStsEnvironment.Policy());
        switch (failure)
        {
            case "redirect-301":
            case "redirect-302":
                // The target serves a valid policy with a trusted certificate: following the redirect would succeed.
                var target = PolicyHost(await env.AddDomainAsync());
                var location = $"https://{target}:{env.Https.Port}{HttpsPolicyServer.PolicyPath}";
                env.Https.SetResponse(host, PolicyResponse.Redirect(location, int.Parse(failure[^3..], System.Globalization.CultureInfo.InvariantCulture)));
                return target;
            case "status-204":
            case "status-404":
            case "status-500":
                env.Https.SetResponse(host, PolicyResponse.Status(int.Parse(failure[^3..], System.Globalization.CultureInfo.InvariantCulture)));
                return null;
            case "text-html":
                env.Https.SetResponse(host, PolicyResponse.Policy(MtaStsEnvironment.Policy(), "text/html"));
                return null;
            case "too-large":
                env.Https.SetPolicy(host, PaddedPolicy(MaxBody + 1));
                return null;
            case "stall":
                env.Https.SetResponse(host, new PolicyResponse { Body = policy.Body, Delay = Stall });
                return null;
            case "stall-in-body":
                env.Https.SetResponse(host, new PolicyResponse { Body = policy.Body, BodyDelay = Stall });
                return null;
            default:
                // A certificate defect; the policy served behind it is valid.
                env.Https.SetPolicy(host, MtaStsEnvironment.Policy());
                var (certificate, intermediates) = failure switch
                {
                    "wrong-name" => (ca.IssueServerCertificate("example.com"), (X509Certificate2Collection?)null),
                    "wildcard-too-deep" => (ca.IssueServerCertificate("*." + host), null),
                    "common-name-only" => (ca.IssueCommonNameOnlyServerCertificate(host), null),
                    "expired" => (ca.IssueExpiredServerCertificate(host), null),
                    "not-yet-valid" => (ca.IssueNotYetValidServerCertificate(host), null),
                    "self-signed" => (TestCertificateAuthority.CreateSelfSignedServerCertificate(host), null),
                    "untrusted-ca" => (TestCertificateAuthority.Create("Untrusted root").IssueServerCertificate(host), null),
                    "intermediate-not-sent" => (intermediate.IssueServerCertificate(host), null),
                    // The root's CRL was cached by the first fetch; the intermediate's CRL is downloaded fresh.
                    "revoked" => (intermediate.IssueRevokedServerCertificate(host), intermediate.IntermediateCertificates),
                    _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "unknown failure kind"),
                };
                env.Https.SetCertificate(host, certificate, intermediates);
                return null;
        }
    }
}
