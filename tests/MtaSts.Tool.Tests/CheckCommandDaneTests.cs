using System.Text.Json;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests;

/// <summary>
/// <c>mta-sts check</c> shows each MX host's DANE status and the policy that governs it, against Knot-signed zones and the
/// Unbound validating resolver of the delivery tests (RFC 7672 §2.2; docs/failure-model.md, DANE).
/// </summary>
[Collection(ToolCollection.Name)]
public sealed class CheckCommandDaneTests(ToolEnvironment env)
{
    [Fact]
    public async Task Check_Json_EachMxHostHasItsDaneStatusAndGoverningPolicy()
    {
        var domain = await env.AddDomainAsync(
            PolicyCase.Enforce,
            [DaneHosts.EeFull, DaneHosts.NoTlsa, DaneHosts.DeadTlsa, MxHosts.Valid, DaneHosts.Pkix],
            policyMx: ["*." + DnssecEnvironment.SignedZone, "*." + MxHosts.Zone]);

        var result = await RunWithValidatingResolverAsync("check", domain, "--json", "--no-smtp");

        var hosts = result.Json().GetProperty("mx").GetProperty("hosts").EnumerateArray().ToList();
        Assert.True(hosts.Count == 5, result.ToString());
        var dane = hosts.Select(h => (
            h.GetProperty("host").GetString(),
            h.GetProperty("dane").GetProperty("status").GetString(),
            h.GetProperty("governedBy").GetString())).ToList();
        Assert.Equal(
            [
                (DaneHosts.EeFull, "usable", "dane"),
                (DaneHosts.NoTlsa, "not-found", "sts"),
                (DaneHosts.DeadTlsa, "indeterminate", "temporary-failure"),
                (MxHosts.Valid, "insecure", "sts"),
                (DaneHosts.Pkix, "unusable", "sts-with-mandatory-tls"),
            ],
            dane);
        var usable = hosts[0].GetProperty("dane");
        Assert.Equal(DaneHosts.EeFull, usable.GetProperty("tlsaBaseDomain").GetString());
        Assert.StartsWith("3 0 1 ", usable.GetProperty("records")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, hosts[3].GetProperty("dane").GetProperty("tlsaBaseDomain").ValueKind);
        Assert.StartsWith("dns-", hosts[2].GetProperty("dane").GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_HumanOutput_ShowsDaneColumnAndGoverningPolicy()
    {
        var domain = await env.AddDomainAsync(PolicyCase.NoPolicy, [DaneHosts.Ee, MxHosts.Valid]);

        var result = await RunWithValidatingResolverAsync("check", domain, "--no-smtp");

        Assert.Contains("DANE", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("governed by", result.StandardOutput, StringComparison.Ordinal);
        var eeLine = result.StandardOutput.Split('\n').Single(l => l.Contains(DaneHosts.Ee, StringComparison.Ordinal));
        Assert.Contains("usable (1 TLSA)", eeLine, StringComparison.Ordinal);
        Assert.Contains("dane", eeLine, StringComparison.Ordinal);
        var validLine = result.StandardOutput.Split('\n').Single(l => l.Contains(MxHosts.Valid, StringComparison.Ordinal));
        Assert.Contains("insecure", validLine, StringComparison.Ordinal);
        Assert.Contains("opportunistic", validLine, StringComparison.Ordinal);
    }

    private Task<ToolResult> RunWithValidatingResolverAsync(params string[] args)
    {
        var options = env.Options().ToArray();
        var dns = Array.IndexOf(options, "--dns-server");
        options[dns + 1] = env.World.Dnssec.Unbound.EndPoint.ToString();
        return ToolRunner.RunAsync([.. args, .. options]);
    }
}
