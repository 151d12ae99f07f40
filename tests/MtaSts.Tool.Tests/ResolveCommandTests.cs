using System.Text.Json;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests;

/// <summary><c>mta-sts resolve</c>: the library resolver's decision, run as a process against Knot and Kestrel.</summary>
[Collection(ToolCollection.Name)]
public sealed class ResolveCommandTests(ToolEnvironment env)
{
    [Fact]
    public async Task Resolve_PublishedPolicy_IsFetchedWithExit0()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Testing, [MxHosts.Valid], id: "abc123");

        var human = await env.RunAsync("resolve", domain.ToUpperInvariant() + ".");
        var json = await env.RunAsync("resolve", domain, "--json");

        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains($"Resolution of {domain}", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("status:        fetched", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("mode:          testing", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("policy id:     abc123", human.StandardOutput, StringComparison.Ordinal);

        Assert.Equal(0, json.ExitCode);
        var root = json.Json();
        Assert.Equal(domain, root.GetProperty("domain").GetString());
        Assert.Equal("fetched", root.GetProperty("status").GetString());
        Assert.Equal("testing", root.GetProperty("mode").GetString());
        Assert.Equal("abc123", root.GetProperty("policyId").GetString());
        var fetched = root.GetProperty("fetchedAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromSeconds(86400), root.GetProperty("expiresAt").GetDateTimeOffset() - fetched);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("failureResultType").ValueKind);
        Assert.Equal("*." + MxHosts.Zone, root.GetProperty("policy").GetProperty("mx")[0].GetString());
    }

    [Fact]
    public async Task Resolve_NoRecord_IsNoPolicyWithExit1()
    {
        var domain = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Valid]);

        var result = await env.RunAsync("resolve", domain, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("no-policy", result.Json().GetProperty("status").GetString());
        Assert.Equal("none", result.Json().GetProperty("mode").GetString());
        Assert.Equal("txt-record-not-found", result.Json().GetProperty("failureReasonCode").GetString());
    }

    [Fact]
    public async Task Resolve_FetchFails_ShowsTheFailureToReport()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], response: PolicyResponse.Status(500));

        var result = await env.RunAsync("resolve", domain);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failure:       sts-policy-fetch-error (http-status-500)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Result: no MTA-STS policy applies to mail for {domain}", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_DnsServerDown_IsExit3()
    {
        var result = await ToolRunner.RunAsync("resolve", "example.com", "--dns-server", "127.0.0.1:9", "--timeout", "1", "--json");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("dns-", result.Json().GetProperty("failureReasonCode").GetString(), StringComparison.Ordinal);
    }
}
