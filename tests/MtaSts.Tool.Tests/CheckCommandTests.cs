using System.Text.Json;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests;

/// <summary><c>mta-sts check</c>, run as a process against Knot, Kestrel and Postfix on loopback.</summary>
[Collection(ToolCollection.Name)]
public sealed class CheckCommandTests(ToolEnvironment env)
{
    [Fact]
    public async Task Check_EnforcePolicyAndGoodMxHosts_PassesWithExitCode0()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid, MxHosts.Spare]);

        var result = await env.RunAsync("check", domain);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StandardError);
        var output = result.StandardOutput;
        Assert.Contains($"MTA-STS record (_mta-sts.{domain} TXT)", output, StringComparison.Ordinal);
        Assert.Contains("\"v=STSv1; id=id1\"  (valid)", output, StringComparison.Ordinal);
        Assert.Contains("selected:      id id1", output, StringComparison.Ordinal);
        Assert.Contains($"url:           https://mta-sts.{domain}/.well-known/mta-sts.txt", output, StringComparison.Ordinal);
        Assert.Contains("status:        200", output, StringComparison.Ordinal);
        Assert.Contains("content type:  text/plain", output, StringComparison.Ordinal);
        Assert.Contains($"names:       mta-sts.{domain}", output, StringComparison.Ordinal);
        Assert.Contains("verdict:     valid", output, StringComparison.Ordinal);
        Assert.Contains($"1  {MxHosts.Valid}", output, StringComparison.Ordinal);
        Assert.Contains($"2  {MxHosts.Spare}", output, StringComparison.Ordinal);
        Assert.Contains("matches *." + MxHosts.Zone, output, StringComparison.Ordinal);
        Assert.Contains("STARTTLS: offered", output, StringComparison.Ordinal);
        Assert.Contains("certificate verdict: valid", output, StringComparison.Ordinal);
        Assert.Contains("TLS-RPT result: success", output, StringComparison.Ordinal);
        Assert.Contains("delivery:      would succeed under mode enforce: to " + MxHosts.Valid, output, StringComparison.Ordinal);
        Assert.Contains($"Result: {domain} passes", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Json_DescribesEveryStepWithStableFields()
    {
        var domain = await env.AddDomainAsync(
            PolicyCase.Enforce,
            [MxHosts.Valid],
            extraRecords: ["_smtp._tls 1 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.org\""]);

        var result = await env.RunAsync("check", domain, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(domain, json.GetProperty("domain").GetString());
        Assert.Equal(0, json.GetProperty("exitCode").GetInt32());

        var record = json.GetProperty("mtaStsRecord");
        Assert.Equal("found", record.GetProperty("outcome").GetString());
        Assert.Equal("id1", record.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("problem").ValueKind);
        Assert.Equal("v=STSv1; id=id1", record.GetProperty("records")[0].GetProperty("text").GetString());

        var fetch = json.GetProperty("policyFetch");
        Assert.Equal($"https://mta-sts.{domain}/.well-known/mta-sts.txt", fetch.GetProperty("url").GetString());
        Assert.Equal(200, fetch.GetProperty("statusCode").GetInt32());
        Assert.StartsWith("text/plain", fetch.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        Assert.Equal(MtaStsEnvironment.Policy("enforce", 86400, "*." + MxHosts.Zone).Length, fetch.GetProperty("bodyLength").GetInt32());
        Assert.True(fetch.GetProperty("succeeded").GetBoolean());
        var certificate = fetch.GetProperty("certificate");
        Assert.Equal("mta-sts." + domain, certificate.GetProperty("names")[0].GetString());
        Assert.Equal("valid", certificate.GetProperty("verdict").GetString());
        Assert.Contains("MTA-STS test root", certificate.GetProperty("issuer").GetString(), StringComparison.Ordinal);
        Assert.True(certificate.GetProperty("daysToExpiry").GetInt32() > 0);

        var policy = json.GetProperty("policy");
        Assert.True(policy.GetProperty("valid").GetBoolean());
        Assert.Equal("enforce", policy.GetProperty("parsed").GetProperty("mode").GetString());
        Assert.Equal(86400, policy.GetProperty("parsed").GetProperty("maxAge").GetInt64());

        var decision = json.GetProperty("decision");
        Assert.Equal("fetched", decision.GetProperty("status").GetString());
        Assert.Equal("enforce", decision.GetProperty("mode").GetString());

        var host = json.GetProperty("mx").GetProperty("hosts")[0];
        Assert.Equal(MxHosts.Valid, host.GetProperty("host").GetString());
        Assert.True(host.GetProperty("matchesPolicy").GetBoolean());
        Assert.Equal(env.World.Forwarder(MxHosts.Valid).Address.ToString(), host.GetProperty("addresses")[0].GetString());
        var probe = host.GetProperty("probes")[0];
        Assert.True(probe.GetProperty("passed").GetBoolean());
        Assert.True(probe.GetProperty("startTlsOffered").GetBoolean());
        Assert.StartsWith("TLSv1.", probe.GetProperty("tlsVersion").GetString(), StringComparison.Ordinal);
        Assert.Contains("STARTTLS", probe.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.StartsWith("220 ", probe.GetProperty("greeting").GetString(), StringComparison.Ordinal);
        Assert.Equal(MxHosts.Valid, probe.GetProperty("certificate").GetProperty("names")[0].GetString());
        Assert.Equal(JsonValueKind.Null, probe.GetProperty("resultType").ValueKind);

        // The probe never sends MAIL FROM: EHLO, STARTTLS, EHLO, QUIT.
        var commands = probe.GetProperty("commands").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(["EHLO", "STARTTLS", "EHLO", "QUIT"], commands.Select(c => c.Split(' ')[0]));

        var tlsRpt = json.GetProperty("tlsRptRecord");
        Assert.Equal("mailto:tlsrpt@example.org", tlsRpt.GetProperty("reportUris")[0].GetString());

        var verdict = json.GetProperty("verdict");
        Assert.True(verdict.GetProperty("deliverable").GetBoolean());
        Assert.Equal("sts", verdict.GetProperty("policyType").GetString());
        Assert.Equal("success", verdict.GetProperty("reports")[0].GetProperty("result").GetString());
        Assert.Equal(0, verdict.GetProperty("findings").GetArrayLength());
    }
}
