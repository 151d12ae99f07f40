using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>Proves that each fixture works against the real servers, so that later failures point at the code under test.</summary>
public sealed class InfrastructureSmokeTests :
    IClassFixture<KnotDnsServer>,
    IClassFixture<HttpsPolicyServer>,
    IClassFixture<TestCertificateAuthority>
{
    private readonly KnotDnsServer _dns;
    private readonly HttpsPolicyServer _https;
    private readonly TestCertificateAuthority _ca;

    public InfrastructureSmokeTests(KnotDnsServer dns, HttpsPolicyServer https, TestCertificateAuthority ca)
    {
        _dns = dns;
        _https = https;
        _ca = ca;
    }

    [Fact]
    public void Fixtures_BindToLoopbackOnly()
    {
        Assert.Equal(IPAddress.Loopback, _dns.EndPoint.Address);
        Assert.Equal(IPAddress.Loopback, _dns.KnotEndPoint.Address);
        Assert.Equal(IPAddress.Loopback, _https.EndPoint.Address);
        Assert.NotEqual(_dns.Port, _dns.KnotEndPoint.Port);
    }

    [Fact]
    public async Task Knot_ServesTxtRecord_AndTheRewrittenZoneOnTheNextQuery()
    {
        var client = _dns.CreateClient();
        await _dns.SetZoneRecordsAsync("example.test", "_mta-sts.example.test. 1 IN TXT \"v=STSv1; id=abc\"");

        var first = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);

        Assert.False(first.HasError, first.ErrorMessage);
        var record = Assert.Single(first.Answers.TxtRecords());
        Assert.Equal(["v=STSv1; id=abc"], record.Text);
        Assert.Equal(1, record.InitialTimeToLive);

        await _dns.SetZoneRecordsAsync("example.test", "_mta-sts.example.test. 1 IN TXT \"v=STSv1; id=def\"");

        var second = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);

        Assert.Equal(["v=STSv1; id=def"], Assert.Single(second.Answers.TxtRecords()).Text);
    }

    [Fact]
    public async Task Knot_ServesMultipleTxtStringsAndRecords()
    {
        var client = _dns.CreateClient();
        await _dns.SetZoneRecordsAsync(
            "strings.test",
            "_mta-sts TXT \"v=STSv1; \" \"id=split\"",
            "_mta-sts TXT \"unrelated\"");

        var response = await client.QueryAsync("_mta-sts.strings.test", QueryType.TXT);

        var texts = response.Answers.TxtRecords().Select(r => string.Join("|", r.Text)).Order(StringComparer.Ordinal);
        Assert.Equal(["unrelated", "v=STSv1; |id=split"], texts);
    }

    [Fact]
    public async Task Knot_ServesCnameChainAndCnameLoop()
    {
        var client = _dns.CreateClient();
        await _dns.SetZoneRecordsAsync(
            "cname.test",
            "_mta-sts CNAME hop.cname.test.",
            "hop CNAME policy",
            "policy TXT \"v=STSv1; id=chain\"",
            "loop-a CNAME loop-b",
            "loop-b CNAME loop-a");

        var chain = await client.QueryAsync("_mta-sts.cname.test", QueryType.TXT);

        Assert.False(chain.HasError, chain.ErrorMessage);
        Assert.Equal(
            ["hop.cname.test.", "policy.cname.test."],
            chain.Answers.CnameRecords().Select(r => r.CanonicalName.Value));
        Assert.Equal(["v=STSv1; id=chain"], Assert.Single(chain.Answers.TxtRecords()).Text);

        var loop = await client.QueryAsync("loop-a.cname.test", QueryType.TXT);

        Assert.False(loop.HasError, loop.ErrorMessage);
        Assert.Equal(
            ["loop-a.cname.test. -> loop-b.cname.test.", "loop-b.cname.test. -> loop-a.cname.test."],
            loop.Answers.CnameRecords().Select(r => $"{r.DomainName} -> {r.CanonicalName}"));
        Assert.Empty(loop.Answers.TxtRecords());
    }

    [Fact]
    public async Task Knot_RemovedZone_AnswersRefused()
    {
        var client = _dns.CreateClient();
        await _dns.SetZoneRecordsAsync("removed.test", "_mta-sts TXT \"v=STSv1; id=gone\"");
        Assert.Single((await client.QueryAsync("_mta-sts.removed.test", QueryType.TXT)).Answers.TxtRecords());

        await _dns.RemoveZoneAsync("removed.test");

        var response = await client.QueryAsync("_mta-sts.removed.test", QueryType.TXT);
        Assert.True(response.HasError);
        Assert.Equal(DnsHeaderResponseCode.Refused, response.Header.ResponseCode);
        Assert.Empty(response.Answers);

        var throwing = new LookupClient(new LookupClientOptions(new NameServer(_dns.EndPoint))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(2),
            ThrowDnsErrors = true,
        });
        var exception = await Assert.ThrowsAsync<DnsResponseException>(() => throwing.QueryAsync("_mta-sts.removed.test", QueryType.TXT));
        Assert.Equal(DnsResponseCode.Refused, exception.Code);

        // The zone can be served again afterwards.
        await _dns.SetZoneRecordsAsync("removed.test", "_mta-sts TXT \"v=STSv1; id=back\"");
        Assert.Equal(["v=STSv1; id=back"], Assert.Single((await client.QueryAsync("_mta-sts.removed.test", QueryType.TXT)).Answers.TxtRecords()).Text);
    }

    [Fact]
    public async Task Knot_NameOutsideEveryZone_AnswersRefused()
    {
        var response = await _dns.CreateClient().QueryAsync("_mta-sts.never-served.test", QueryType.TXT);

        Assert.Equal(DnsHeaderResponseCode.Refused, response.Header.ResponseCode);
    }

    [Fact]
    public async Task Knot_QueryCounting_CountsExactlyTheQueriesSent()
    {
        await _dns.SetZoneRecordsAsync("count.test", "_mta-sts TXT \"v=STSv1; id=1\"", "mta-sts A 127.0.0.1");
        var udp = _dns.CreateClient();
        var tcp = new LookupClient(new LookupClientOptions(new NameServer(_dns.EndPoint)) { UseCache = false, Retries = 0, UseTcpOnly = true });

        for (var i = 0; i < 3; i++)
        {
            await udp.QueryAsync("_mta-sts.count.test", QueryType.TXT);
        }

        await udp.QueryAsync("mta-sts.count.test", QueryType.A);
        await tcp.QueryAsync("_MTA-STS.Count.Test.", QueryType.TXT);
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => udp.QueryAsync("mta-sts.count.test", QueryType.TXT)));

        Assert.Equal(4, _dns.QueryCount("_mta-sts.count.test", "TXT"));
        Assert.Equal(4, _dns.QueryCount("_mta-sts.count.test.", QueryType.TXT));
        Assert.Equal(1, _dns.QueryCount("mta-sts.count.test", "A"));
        Assert.Equal(100, _dns.QueryCount("mta-sts.count.test", "TXT"));
        Assert.Equal(0, _dns.QueryCount("_mta-sts.count.test", "A"));
        Assert.Equal(0, _dns.QueryCount("count.test", "SOA")); // SetZone's readiness checks bypass the proxy.
        Assert.Single(_dns.Queries, q => q.Name == "_mta-sts.count.test" && q.Transport == ProtocolType.Tcp);
    }

    [Fact]
    public async Task Knot_QueryCounting_HoldsForAThousandConcurrentDelayedQueries()
    {
        await _dns.SetZoneRecordsAsync("burst.test", "_mta-sts TXT \"v=STSv1; id=burst\"");
        _dns.Proxy.DropQuery = null;
        _dns.Proxy.ResponseDelay = TimeSpan.FromMilliseconds(50);
        try
        {
            var client = _dns.CreateClient(TimeSpan.FromSeconds(5));

            var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => client.QueryAsync("_mta-sts.burst.test", QueryType.TXT)));

            Assert.All(responses, r => Assert.Equal(["v=STSv1; id=burst"], Assert.Single(r.Answers.TxtRecords()).Text));
            Assert.Equal(1000, _dns.QueryCount("_mta-sts.burst.test", "TXT"));
        }
        finally
        {
            _dns.Proxy.ResponseDelay = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Knot_DroppedQuery_TimesOutButIsCounted()
    {
        await _dns.SetZoneRecordsAsync("drop.test", "_mta-sts TXT \"v=STSv1; id=1\"");
        _dns.Proxy.DropQuery = q => q.Name == "_mta-sts.drop.test";
        try
        {
            var client = _dns.CreateClient(TimeSpan.FromMilliseconds(200));

            var exception = await Assert.ThrowsAsync<DnsResponseException>(() => client.QueryAsync("_mta-sts.drop.test", QueryType.TXT));

            Assert.Equal(DnsResponseCode.ConnectionTimeout, exception.Code);
            Assert.Equal(1, _dns.QueryCount("_mta-sts.drop.test", "TXT"));
        }
        finally
        {
            _dns.Proxy.DropQuery = null;
        }
    }

    [Fact]
    public async Task Knot_FailedQuery_IsAnsweredServFailOverUdpAndTcp()
    {
        await _dns.SetZoneRecordsAsync("servfail.test", "_mta-sts TXT \"v=STSv1; id=1\"", "ok TXT \"fine\"");
        _dns.Proxy.FailQuery = q => q.Name == "_mta-sts.servfail.test";
        try
        {
            var udp = _dns.CreateClient();
            var tcp = new LookupClient(new LookupClientOptions(new NameServer(_dns.EndPoint)) { UseCache = false, Retries = 0, UseTcpOnly = true });

            var overUdp = await udp.QueryAsync("_mta-sts.servfail.test", QueryType.TXT);
            var overTcp = await tcp.QueryAsync("_mta-sts.servfail.test", QueryType.TXT);
            var unaffected = await tcp.QueryAsync("ok.servfail.test", QueryType.TXT);

            Assert.Equal(DnsHeaderResponseCode.ServerFailure, overUdp.Header.ResponseCode);
            Assert.Equal(DnsHeaderResponseCode.ServerFailure, overTcp.Header.ResponseCode);
            Assert.True(overUdp.HasError);
            Assert.Empty(overUdp.Answers);
            Assert.Equal(["fine"], Assert.Single(unaffected.Answers.TxtRecords()).Text);
            Assert.Equal(2, _dns.QueryCount("_mta-sts.servfail.test", "TXT"));
        }
        finally
        {
            _dns.Proxy.FailQuery = null;
        }
    }

    [Fact]
    public async Task Https_ValidCertificate_ServesConfiguredPolicyAndCountsTheRequest()
    {
        const string Host = "mta-sts.example.test";
        const string Policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 86400\r\n";
        using var certificate = _ca.IssueServerCertificate(Host);
        _https.SetCertificate(Host, certificate);
        _https.SetPolicy(Host, Policy);
        using var client = new LoopbackHttpsClient(_https.EndPoint, _ca.RootCertificate);

        using var response = await client.GetPolicyAsync(Host);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Policy, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, _https.RequestCount(Host));
        Assert.Equal(1, _https.HandshakeCount(Host));
        var validation = Assert.Single(client.Validations);
        Assert.True(validation.IsValid);
        Assert.Equal(X509ChainStatusFlags.NoError, validation.ChainStatus);
        Assert.Equal($"CN={Host}", validation.Subject);
    }

    [Theory]
    [InlineData("expired", SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid)]
    [InlineData("not-yet-valid", SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid)]
    [InlineData("wrong-name", SslPolicyErrors.RemoteCertificateNameMismatch, X509ChainStatusFlags.NoError)]
    [InlineData("self-signed", SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot)]
    public async Task Https_BadCertificate_IsRejectedByTestRootValidation(string kind, SslPolicyErrors expectedErrors, X509ChainStatusFlags expectedStatus)
    {
        var host = $"mta-sts.{kind}.test";
        using var certificate = kind switch
        {
            "expired" => _ca.IssueExpiredServerCertificate(host),
            "not-yet-valid" => _ca.IssueNotYetValidServerCertificate(host),
            "wrong-name" => _ca.IssueServerCertificate("mta-sts.other.test"),
            "self-signed" => TestCertificateAuthority.CreateSelfSignedServerCertificate(host),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        _https.SetCertificate(host, certificate);
        _https.SetPolicy(host, "version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 86400\r\n");
        using var client = new LoopbackHttpsClient(_https.EndPoint, _ca.RootCertificate);

        var exception = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetPolicyAsync(host));

        Assert.IsType<AuthenticationException>(exception.InnerException);
        var validation = Assert.Single(client.Validations);
        Assert.Equal(expectedErrors, validation.PolicyErrors);
        Assert.Equal(expectedStatus, validation.ChainStatus);
        Assert.Equal(1, _https.HandshakeCount(host));
        Assert.Equal(0, _https.RequestCount(host));
    }

    [Fact]
    public void Certificate_CommonNameOnly_HasNoSubjectAlternativeName()
    {
        using var certificate = _ca.IssueCommonNameOnlyServerCertificate("mta-sts.cn-only.test");

        Assert.Equal("CN=mta-sts.cn-only.test", certificate.Subject);
        Assert.Empty(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.DoesNotContain(certificate.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "2.5.29.17");
        Assert.True(certificate.HasPrivateKey);
        Assert.Contains(
            certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            oid => oid.Value == "1.3.6.1.5.5.7.3.1");
    }

    [Fact]
    public async Task Https_CommonNameOnlyCertificate_PassesSslStreamHostNameCheck()
    {
        // Observed on .NET 10 / Linux: with no subjectAltName, SslStream falls back to the subject CN, so a CN-only
        // certificate reports no name mismatch. Code that must reject CN-only certificates has to inspect the SAN itself.
        const string Host = "mta-sts.cn-only-tls.test";
        using var certificate = _ca.IssueCommonNameOnlyServerCertificate(Host);
        _https.SetCertificate(Host, certificate);
        _https.SetPolicy(Host, "cn-only");
        using var client = new LoopbackHttpsClient(_https.EndPoint, _ca.RootCertificate);

        using var response = await client.GetPolicyAsync(Host);

        Assert.Equal("cn-only", await response.Content.ReadAsStringAsync());
        var validation = Assert.Single(client.Validations);
        Assert.Equal(SslPolicyErrors.None, validation.PolicyErrors);
        Assert.Equal(X509ChainStatusFlags.NoError, validation.ChainStatus);
    }

    [Fact]
    public async Task Https_WildcardAndMultiNameCertificates_AreAcceptedForCoveredNames()
    {
        using var wildcard = _ca.IssueServerCertificate("*.example.com");
        using var multi = _ca.IssueMultiNameServerCertificate("mta-sts.a.test", "mta-sts.b.test");
        _https.SetCertificate("mta-sts.example.com", wildcard);
        _https.SetCertificate("mta-sts.a.test", multi);
        _https.SetCertificate("mta-sts.b.test", multi);
        foreach (var host in new[] { "mta-sts.example.com", "mta-sts.a.test", "mta-sts.b.test" })
        {
            _https.SetPolicy(host, host);
        }

        using var client = new LoopbackHttpsClient(_https.EndPoint, _ca.RootCertificate);

        foreach (var host in new[] { "mta-sts.example.com", "mta-sts.a.test", "mta-sts.b.test" })
        {
            using var response = await client.GetPolicyAsync(host);
            Assert.Equal(host, await response.Content.ReadAsStringAsync());
        }

        Assert.All(client.Validations, v => Assert.True(v.IsValid));
        Assert.Equal(["*.example.com"], wildcard.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(["mta-sts.a.test", "mta-sts.b.test"], multi.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public async Task Https_IntermediateCertificate_IsSentWithTheLeaf()
    {
        const string WithChain = "mta-sts.intermediate.test";
        const string WithoutChain = "mta-sts.no-intermediate.test";
        using var intermediate = _ca.CreateIntermediate();
        using var leaf = intermediate.IssueServerCertificate(WithChain);
        using var leafAlone = intermediate.IssueServerCertificate(WithoutChain);
        _https.SetCertificate(WithChain, leaf, intermediate.IntermediateCertificates);
        _https.SetCertificate(WithoutChain, leafAlone);
        _https.SetPolicy(WithChain, "chained");
        using var client = new LoopbackHttpsClient(_https.EndPoint, _ca.RootCertificate);

        using var response = await client.GetPolicyAsync(WithChain);
        Assert.Equal("chained", await response.Content.ReadAsStringAsync());
        Assert.True(client.LastValidation!.IsValid);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetPolicyAsync(WithoutChain));
        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, client.LastValidation!.PolicyErrors);
        Assert.True(client.LastValidation.ChainStatus.HasFlag(X509ChainStatusFlags.PartialChain));
    }

    [Fact]
    public async Task Https_ConfiguredStatusHeadersAndMissingHost_AreServedAsIs()
    {
        using var certificate = _ca.IssueServerCertificate("mta-sts.headers.test");
        using var redirectCertificate = _ca.IssueServerCertificate("mta-sts.redirect.headers.test");
        _https.SetCertificate("mta-sts.headers.test", certificate);
        _https.SetCertificate("mta-sts.redirect.headers.test", redirectCertificate);
        _https.SetResponse("mta-sts.headers.test", new PolicyResponse
        {
            ContentType = "text/plain; charset=utf-8",
            Body = "body"u8.ToArray(),
            Headers = new Dictionary<string, string> { ["Cache-Control"] = "max-age=60", ["ETag"] = "\"v1\"" },
        });
        _https.SetResponse("mta-sts.redirect.headers.test", PolicyResponse.Redirect("https://elsewhere.test/.well-known/mta-sts.txt"));
        using var client = new LoopbackHttpsClient(_https.EndPoint, _ca.RootCertificate);

        using var ok = await client.GetPolicyAsync("mta-sts.headers.test");
        Assert.Equal("body", await ok.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", ok.Content.Headers.ContentType?.ToString());
        Assert.Equal("max-age=60", ok.Headers.CacheControl?.ToString());
        Assert.Equal("\"v1\"", ok.Headers.ETag?.Tag);

        using var redirect = await client.GetPolicyAsync("mta-sts.redirect.headers.test");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal(new Uri("https://elsewhere.test/.well-known/mta-sts.txt"), redirect.Headers.Location);

        using var missing = await client.Client.GetAsync(new Uri("https://mta-sts.headers.test/other"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(2, _https.RequestCount("mta-sts.headers.test"));
        Assert.Equal(1, _https.RequestCount("mta-sts.redirect.headers.test"));
    }

    [Fact]
    public async Task Https_StalledResponse_TimesOutClientAndDoesNotDelayShutdown()
    {
        const string Host = "mta-sts.stall.test";
        await using var server = await HttpsPolicyServer.StartAsync();
        using var certificate = _ca.IssueServerCertificate(Host);
        server.SetCertificate(Host, certificate);
        server.SetResponse(Host, new PolicyResponse { Delay = TimeSpan.FromMinutes(5), Body = "late"u8.ToArray() });
        using var impatient = new LoopbackHttpsClient(server.EndPoint, _ca.RootCertificate, timeout: TimeSpan.FromMilliseconds(300));
        using var patient = new LoopbackHttpsClient(server.EndPoint, _ca.RootCertificate, timeout: TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.GetPolicyAsync(Host));

        var pending = patient.GetPolicyAsync(Host);
        await Poll.UntilAsync(() => server.RequestCount(Host) == 2, "the second request to arrive");
        var stopwatch = Stopwatch.StartNew();
        await server.DisposeAsync();
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"shutdown took {stopwatch.Elapsed}");
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task Crl_RevokedCertificate_IsReportedRevokedWhenCheckingOnline()
    {
        await using var crlServer = await TestCrlServer.StartAsync();
        using var ca = TestCertificateAuthority.Create(crlServer: crlServer);
        using var intermediate = ca.CreateIntermediate();
        using var good = intermediate.IssueServerCertificate("mta-sts.good.test");
        using var revoked = intermediate.IssueRevokedServerCertificate("mta-sts.revoked.test");

        using var goodChain = new X509Chain { ChainPolicy = ca.CreateChainPolicy(X509RevocationMode.Online) };
        goodChain.ChainPolicy.ExtraStore.AddRange(intermediate.IntermediateCertificates);
        var goodIsValid = goodChain.Build(good);

        using var revokedChain = new X509Chain { ChainPolicy = ca.CreateChainPolicy(X509RevocationMode.Online) };
        revokedChain.ChainPolicy.ExtraStore.AddRange(intermediate.IntermediateCertificates);
        var revokedIsValid = revokedChain.Build(revoked);

        Assert.True(goodIsValid, string.Join(", ", goodChain.ChainStatus.Select(s => s.Status)));
        Assert.False(revokedIsValid);
        Assert.Contains(revokedChain.ChainStatus, s => s.Status == X509ChainStatusFlags.Revoked);
        Assert.NotNull(good.Extensions.OfType<X509Extension>().SingleOrDefault(e => e.Oid?.Value == "2.5.29.31"));
        Assert.True(crlServer.RequestCount >= 2, $"CRL downloads: {crlServer.RequestCount}"); // root's CRL and the intermediate's
    }

    [Fact]
    public async Task Crl_RevokedCertificate_IsRejectedOverTls()
    {
        const string Host = "mta-sts.revoked-tls.test";
        await using var crlServer = await TestCrlServer.StartAsync();
        using var ca = TestCertificateAuthority.Create(crlServer: crlServer);
        using var revoked = ca.IssueRevokedServerCertificate(Host);
        _https.SetCertificate(Host, revoked);
        _https.SetPolicy(Host, "x");
        using var client = new LoopbackHttpsClient(_https.EndPoint, ca.RootCertificate, X509RevocationMode.Online);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetPolicyAsync(Host));

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, client.LastValidation!.PolicyErrors);
        Assert.True(client.LastValidation.ChainStatus.HasFlag(X509ChainStatusFlags.Revoked));
    }
}
