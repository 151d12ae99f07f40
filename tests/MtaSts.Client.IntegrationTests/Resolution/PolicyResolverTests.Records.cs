using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Resolution;

/// <summary>
/// TXT record sets as Knot serves them and DnsClient decodes them (Decisions 1–4; K.4, K.12, K.17–K.20, K.23), and
/// policy-domain normal forms (Decision 23).
/// </summary>
public sealed partial class PolicyResolverTests
{
    /// <summary>Label; the TXT RDATA of each <c>_mta-sts</c> RR in zone-file syntax; the id expected, or the reason there is no policy.</summary>
    public static TheoryData<string, string[], string?, string?> RecordSets => new()
    {
        { "K.19 one RR of two strings", ["\"v=STSv1; id=ab\" \"c123\""], "abc123", null },
        { "K.20 strings joined without a separator", ["\"v=STSv1;\" \" id=abc\""], "abc", null },
        { "Decision 1 RRs never joined", ["\"v=STSv1; id=ab\"", "\"c123\""], "ab", null },
        { "K.17 SPF record beside", ["\"v=STSv1; id=a1\"", "\"v=spf1 -all\""], "a1", null },
        { "K.12 first id wins", ["\"v=STSv1; id=abc; id=def\""], "abc", null },
        { "K.18 two STS records", ["\"v=STSv1; id=a\"", "\"v=STSv1; id=b\""], null, "txt-record-multiple" },
        { "K.23 non-ASCII UTF-8", ["\"v=STSv1; id=abc; x=caf\\195\\169\""], null, "txt-record-invalid" },
        { "K.23 byte that is not UTF-8", ["\"v=STSv1; id=abc; x=\\255\""], null, "txt-record-invalid" },
        { "K.4 trailing space", ["\"v=STSv1; id=abc \""], null, "txt-record-invalid" },
    };

    [Theory]
    [MemberData(nameof(RecordSets))]
    public async Task ResolveAsync_RecordSetFromRealServer_FindsIdOrNoPolicy(string label, string[] rdata, string? expectedId, string? expectedReason)
    {
        var domain = await _env.AddDomainAsync(txt: [], extraRecords: [.. rdata.Select(r => "_mta-sts 1 IN TXT " + r)]);
        await using var sut = _env.CreateResolver();

        var result = await sut.ResolveAsync(domain);

        Assert.True(expectedId == result.PolicyId, $"{label}: expected id {expectedId}, got {result}");
        Assert.True(expectedReason == result.FailureReasonCode, $"{label}: expected reason {expectedReason}, got {result}");
        Assert.Equal(expectedId is null ? PolicyResolutionStatus.NoPolicy : PolicyResolutionStatus.Fetched, result.Status);
        Assert.Null(result.FailureResultType);
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(expectedId is null ? 0 : 1, _env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_IdnPolicyDomain_FindsRecordAndSharesCacheAcrossUnicodeAndALabelForms()
    {
        // Decision 23 / A.1: the TXT query, the policy host and the cache key are all in A-label form. Guards against the
        // TXT answer for an A-label name being discarded because DnsClient reports owner names decoded to Unicode,
        // which leaves IDN domains silently without a policy.
        var parent = MtaStsEnvironment.NewDomainName();
        var domain = "xn--bcher-kva." + parent;
        await _env.SetRecordsAsync(domain, ["v=STSv1; id=idn1"]);

        // The client sends the A-label in SNI and Host, but Kestrel hands both to the test server decoded to Unicode,
        // so the certificate (for the A-label name) and the policy are registered under both spellings.
        var unicodeHost = "mta-sts.bücher." + parent;
        var certificate = _env.Ca.IssueServerCertificate(PolicyHost(domain));
        foreach (var host in new[] { PolicyHost(domain), unicodeHost })
        {
            _env.Https.SetCertificate(host, certificate);
            _env.Https.SetPolicy(host, MtaStsEnvironment.Policy());
        }

        await using var sut = _env.CreateResolver();
        var aLabel = await sut.ResolveAsync(domain);
        var txtQueriesAfterFirst = TxtQueries(domain);
        var unicode = await sut.ResolveAsync("Bücher." + parent.ToUpperInvariant() + ".");

        // The query itself is right (one TXT query, for the A-label name); the answer must be used.
        Assert.Equal(1, txtQueriesAfterFirst);
        Assert.DoesNotContain(_env.Dns.Queries, q => q.Name.Contains("bücher", StringComparison.Ordinal));
        Assert.True(aLabel.Status == PolicyResolutionStatus.Fetched, $"expected a fetched policy, got {aLabel} (reason {aLabel.FailureReasonCode})");
        Assert.Equal("idn1", aLabel.PolicyId);
        Assert.True(aLabel.IsEnforced);
        Assert.Equal(PolicyResolutionStatus.Cached, unicode.Status);
        Assert.Equal(domain, unicode.PolicyDomain);
        Assert.Equal(1, TxtQueries(domain));
        Assert.Equal(1, _env.Https.RequestCount(PolicyHost(domain)) + _env.Https.RequestCount(unicodeHost));
    }
}
