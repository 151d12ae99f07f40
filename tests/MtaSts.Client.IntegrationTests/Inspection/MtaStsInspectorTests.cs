using System.Security.Cryptography.X509Certificates;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Inspection;

/// <summary><see cref="MtaStsInspector"/> against Knot and Kestrel: the details the resolver acts on, and the same verdicts.</summary>
[Collection(MtaStsCollection.Name)]
public sealed class MtaStsInspectorTests(MtaStsEnvironment env)
{
    [Fact]
    public async Task InspectPolicyAsync_PublishedPolicy_ShowsRecordFetchAndCertificate()
    {
        var domain = await env.AddDomainAsync(id: "abc1", txt: ["v=STSv1; id=abc1", "v=spf1 -all"]);
        await using var sut = CreateInspector();

        var inspection = await sut.InspectPolicyAsync(domain.ToUpperInvariant());

        Assert.Equal(domain, inspection.PolicyDomain);
        Assert.Equal(DnsLookupStatus.Found, inspection.Record.Outcome);
        Assert.Equal("abc1", inspection.Record.Record!.Id);
        Assert.Null(inspection.Record.Problem);
        Assert.Equal(2, inspection.Record.Records.Count);
        Assert.Equal("v=STSv1; id=abc1", Assert.Single(inspection.Record.Records, r => r.IsCandidate).Text);
        Assert.False(inspection.Record.Records.Single(r => r.Text == "v=spf1 -all").IsValid);
        var fetch = inspection.Fetch!;
        Assert.Equal(200, fetch.StatusCode);
        Assert.StartsWith("text/plain", fetch.ContentType, StringComparison.Ordinal);
        Assert.Equal(MtaStsEnvironment.Policy(), fetch.Body);
        Assert.Equal(MtaStsEnvironment.Policy().Length, fetch.BodyLength);
        Assert.True(fetch.CertificateResult!.IsValid);
        Assert.Contains("mta-sts." + domain, fetch.Certificate!.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Null(fetch.FailureResultType);
        Assert.Equal(PolicyResolutionStatus.Fetched, inspection.Resolution.Status);
        Assert.Equal("abc1", inspection.Resolution.PolicyId);
        Assert.Equal(inspection.Resolution.FetchedAt + TimeSpan.FromDays(1), inspection.Resolution.ExpiresAt);
    }

    [Fact]
    public async Task InspectPolicyAsync_SameFailuresAsTheResolver()
    {
        var missing = await env.AddDomainAsync(txt: []);
        var multiple = await env.AddDomainAsync(txt: ["v=STSv1; id=a", "v=STSv1; id=b"]);
        var invalid = await env.AddDomainAsync(txt: ["v=STSv1; id=not valid!"]);
        var notFound = await env.AddDomainAsync();
        env.Https.SetResponse("mta-sts." + notFound, PolicyResponse.Status(404));
        var wrongName = await env.AddDomainAsync(certificate: env.Ca.IssueServerCertificate("mta-sts.elsewhere.test"));
        await using var sut = CreateInspector();
        await using var resolver = env.CreateResolver();

        (string Domain, string Problem)[] cases = [(missing, "txt-record-not-found"), (multiple, "txt-record-multiple"), (invalid, "txt-record-invalid")];
        foreach (var (domain, problem) in cases)
        {
            var inspection = await sut.InspectPolicyAsync(domain);
            Assert.Equal(problem, inspection.Record.Problem);
            Assert.Null(inspection.Fetch);
            Assert.Equal((await resolver.ResolveAsync(domain)).FailureReasonCode, inspection.Resolution.FailureReasonCode);
        }

        var http = await sut.InspectPolicyAsync(notFound);
        Assert.Equal(404, http.Fetch!.StatusCode);
        Assert.Null(http.Fetch.BodyLength);
        Assert.Equal("http-status-404", http.Fetch.FailureReasonCode);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, http.Resolution.FailureResultType);

        var webPki = await sut.InspectPolicyAsync(wrongName);
        Assert.Null(webPki.Fetch!.StatusCode);
        Assert.Equal(TlsRptResultType.StsWebPkiInvalid, webPki.Fetch.FailureResultType);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, webPki.Fetch.CertificateResult!.ResultType);
        Assert.NotNull(webPki.Fetch.Certificate);
        var resolved = await resolver.ResolveAsync(wrongName);
        Assert.Equal(resolved.FailureResultType, webPki.Resolution.FailureResultType);
        Assert.Equal(resolved.FailureReasonCode, webPki.Resolution.FailureReasonCode);
    }

    [Fact]
    public async Task LookupsAndTlsRpt_ReportWhatDnsHolds()
    {
        var domain = await env.AddDomainAsync(extraRecords:
        [
            "@ 1 IN MX 20 mx2.example.net.",
            "@ 1 IN MX 10 mx1.example.net.",
            "_smtp._tls 1 IN TXT \"v=TLSRPTv1; rua=mailto:reports@example.net\"",
        ]);
        await using var sut = CreateInspector();

        var mx = await sut.LookupMxAsync(domain);
        var addresses = await sut.LookupAddressesAsync("mta-sts." + domain);
        var none = await sut.LookupAddressesAsync("nothing." + domain);
        var tlsRpt = await sut.InspectTlsRptRecordAsync(domain);

        Assert.Equal(["mx1.example.net", "mx2.example.net"], mx.Hosts);
        Assert.False(mx.IsImplicit);
        Assert.Equal([MtaStsEnvironment.Loopback], addresses.Addresses);
        Assert.Equal(DnsLookupStatus.NotFound, none.Status);
        Assert.Equal("reports@example.net", tlsRpt.Record!.MailtoAddresses.Single());
        await Assert.ThrowsAsync<ArgumentException>(() => sut.InspectPolicyAsync("[192.0.2.1]"));
    }

    private MtaStsInspector CreateInspector() => MtaStsInspector.Create(env.ConfigureOptions);
}
