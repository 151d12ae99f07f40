using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.MailKit.IntegrationTests.Delivery;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests;

/// <summary>What <c>mta-sts check</c> finds wrong, with the TLS-RPT result a sender would record, and exit 1 or 3.</summary>
[Collection(ToolCollection.Name)]
public sealed class CheckCommandFailureTests(ToolEnvironment env)
{
    public static TheoryData<string, string, string> BadMxHosts => new()
    {
        { MxHosts.Expired, "certificate-expired", "certificate-expired" },
        { MxHosts.PostfixExpired, "certificate-expired", "certificate-expired" },
        { MxHosts.WrongName, "certificate-host-mismatch", "no-matching-san-dns-name" },
        { MxHosts.CommonNameOnly, "certificate-host-mismatch", "no-matching-san-dns-name" },
        { MxHosts.SelfSigned, "certificate-not-trusted", "untrusted-root" },
        { MxHosts.PostfixSelfSigned, "certificate-not-trusted", "untrusted-root" },
        { MxHosts.Revoked, "certificate-not-trusted", "certificate-revoked" },
        { MxHosts.Stripped, "starttls-not-supported", "starttls-not-supported" },
        { MxHosts.LegacyTls, "validation-failure", "tls-handshake-failed: AuthenticationException" },
    };

    [Theory]
    [MemberData(nameof(BadMxHosts))]
    public async Task Check_EnforceWithBadMx_ReportsTheResultTypeEnforcementRecordsAndExits1(string mxHost, string resultType, string reasonCode)
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [mxHost]);

        var json = await env.RunAsync("check", domain, "--json");
        var human = await env.RunAsync("check", domain);

        Assert.True(json.ExitCode == 1, json.ToString());
        var root = json.Json();
        var probe = root.GetProperty("mx").GetProperty("hosts")[0].GetProperty("probes")[0];
        Assert.False(probe.GetProperty("passed").GetBoolean());
        Assert.Equal(resultType, probe.GetProperty("resultType").GetString());
        Assert.StartsWith(reasonCode, probe.GetProperty("reasonCode").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(probe.GetProperty("commands").EnumerateArray(), c => c.GetString()!.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));
        var verdict = root.GetProperty("verdict");
        Assert.False(verdict.GetProperty("deliverable").GetBoolean());
        Assert.Equal(resultType, verdict.GetProperty("reports")[0].GetProperty("result").GetString());

        Assert.True(human.ExitCode == 1, human.ToString());
        Assert.Contains($"TLS-RPT result: {resultType} ({reasonCode}", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("would be deferred under mode enforce", human.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Result: {domain} fails", human.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(human.StandardError);
    }

    [Fact]
    public async Task Check_StrippedStartTls_ShowsCapabilitiesWithoutStartTls()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Stripped]);

        var result = await env.RunAsync("check", domain);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("STARTTLS: NOT offered", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("EHLO: ", result.StandardOutput, StringComparison.Ordinal);

        // The attacker's side of the wire: the probe said EHLO and QUIT in the clear, never MAIL FROM.
        Assert.False(env.World.Forwarder(MxHosts.Stripped).ClientSent("MAIL FROM"));
    }

    [Fact]
    public async Task Check_TestingModeWithExpiredMx_DeliversButReportsTheFailure()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Testing, [MxHosts.Expired]);

        var result = await env.RunAsync("check", domain, "--json");

        Assert.Equal(1, result.ExitCode);
        var verdict = result.Json().GetProperty("verdict");
        Assert.True(verdict.GetProperty("deliverable").GetBoolean());
        Assert.Contains("mode testing", verdict.GetProperty("delivery").GetString(), StringComparison.Ordinal);
        Assert.Equal("certificate-expired", verdict.GetProperty("reports")[0].GetProperty("result").GetString());
        Assert.Contains(verdict.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("mode: testing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_MxNotInPolicy_IsValidationFailure()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid, MxHosts.Spare], [MxHosts.Spare]);

        var result = await env.RunAsync("check", domain, "--json");

        Assert.Equal(1, result.ExitCode);
        var hosts = result.Json().GetProperty("mx").GetProperty("hosts");
        Assert.False(hosts[0].GetProperty("matchesPolicy").GetBoolean());
        Assert.Equal("validation-failure", hosts[0].GetProperty("resultType").GetString());
        Assert.Equal("mx-not-in-policy", hosts[0].GetProperty("reasonCode").GetString());
        Assert.True(hosts[1].GetProperty("matchesPolicy").GetBoolean());
        var verdict = result.Json().GetProperty("verdict");
        Assert.True(verdict.GetProperty("deliverable").GetBoolean());
        Assert.Contains("to " + MxHosts.Spare, verdict.GetProperty("delivery").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NoPolicy_IsAFindingWithExit1()
    {
        var domain = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Valid]);

        var result = await env.RunAsync("check", domain);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("selected:      none (txt-record-not-found)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"problem: no MTA-STS policy: _mta-sts.{domain} has no usable record (txt-record-not-found)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("would succeed without MTA-STS protection", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Policy fetch", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_TwoStsRecords_NamesTheSelectionProblem()
    {
        var domain = await env.AddDomainAsync(PolicyCase.NoPolicy, [MxHosts.Valid], extraRecords:
        [
            "_mta-sts 1 IN TXT \"v=STSv1; id=one\"",
            "_mta-sts 1 IN TXT \"v=STSv1; id=two\"",
            "_mta-sts 1 IN TXT \"v=spf1 -all\"",
        ]);

        var result = await env.RunAsync("check", domain, "--json");

        Assert.Equal(1, result.ExitCode);
        var record = result.Json().GetProperty("mtaStsRecord");
        Assert.Equal("txt-record-multiple", record.GetProperty("problem").GetString());
        Assert.Equal(3, record.GetProperty("records").GetArrayLength());
        Assert.Equal(2, record.GetProperty("records").EnumerateArray().Count(r => r.GetProperty("isCandidate").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, result.Json().GetProperty("policyFetch").ValueKind);
    }

    [Fact]
    public async Task Check_PolicyHost404_IsStsPolicyFetchError()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], response: PolicyResponse.Status(404));

        var result = await env.RunAsync("check", domain, "--json", "--no-smtp");

        Assert.Equal(1, result.ExitCode);
        var fetch = result.Json().GetProperty("policyFetch");
        Assert.Equal(404, fetch.GetProperty("statusCode").GetInt32());
        Assert.Equal("sts-policy-fetch-error", fetch.GetProperty("failureResultType").GetString());
        Assert.Equal("http-status-404", fetch.GetProperty("failureReasonCode").GetString());
        Assert.Equal("no-policy", result.Json().GetProperty("decision").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Check_InvalidPolicy_NamesEveryProblemWithItsLine()
    {
        var body = "version: STSv1\nmode: enforcing\nmx: 192.0.2.25\nmax_age: 86400\n";
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], response: PolicyResponse.Policy(body));

        var result = await env.RunAsync("check", domain, "--no-smtp");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("result:        sts-policy-invalid (policy-syntax-line-2:", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("line 2: error: 'mode' must be exactly", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("line 3: error: 'mx' must be a host name", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("looks like an IP address", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_PolicyServedAsHtml_IsStsPolicyInvalid()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid], response: PolicyResponse.Policy(MtaStsEnvironment.Policy(), "text/html"));

        var result = await env.RunAsync("check", domain, "--json", "--no-smtp");

        Assert.Equal(1, result.ExitCode);
        var fetch = result.Json().GetProperty("policyFetch");
        Assert.Equal("text/html", fetch.GetProperty("contentType").GetString());
        Assert.Equal("sts-policy-invalid", fetch.GetProperty("failureResultType").GetString());
        Assert.Equal("content-type-not-text-plain", fetch.GetProperty("failureReasonCode").GetString());
    }

    [Fact]
    public async Task Check_PolicyHostCertificateForAnotherName_IsStsWebPkiInvalid()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Valid]);
        env.Mta.Https.SetCertificate("mta-sts." + domain, env.Mta.Ca.IssueServerCertificate("mta-sts.elsewhere.test"));

        var result = await env.RunAsync("check", domain, "--json", "--no-smtp");

        Assert.Equal(1, result.ExitCode);
        var fetch = result.Json().GetProperty("policyFetch");
        Assert.Equal("sts-webpki-invalid", fetch.GetProperty("failureResultType").GetString());
        Assert.Equal("no-matching-san-dns-name", fetch.GetProperty("failureReasonCode").GetString());
        var certificate = fetch.GetProperty("certificate");
        Assert.Equal("mta-sts.elsewhere.test", certificate.GetProperty("names")[0].GetString());
        Assert.Equal("certificate-host-mismatch", certificate.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Check_PolicyHostThatHangs_CannotCompleteWithExit3()
    {
        var domain = await env.AddDomainAsync(
            PolicyCase.Enforce,
            [MxHosts.Valid],
            response: new PolicyResponse { Body = System.Text.Encoding.UTF8.GetBytes(MtaStsEnvironment.Policy()), Delay = TimeSpan.FromSeconds(60) });

        var result = await ToolRunner.RunAsync(["check", domain, "--no-smtp", .. env.Options(timeoutSeconds: 2)]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"Result: the check of {domain} could not be completed: the policy fetch from mta-sts.{domain} did not complete: sts-policy-fetch-error (timeout)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task Check_MxHostDown_CannotCompleteWithExit3()
    {
        var domain = await env.AddDomainAsync(PolicyCase.Enforce, [MxHosts.Down]);

        var result = await ToolRunner.RunAsync(["check", domain, "--json", .. env.Options(timeoutSeconds: 3)]);

        Assert.Equal(3, result.ExitCode);
        var probe = result.Json().GetProperty("mx").GetProperty("hosts")[0].GetProperty("probes")[0];
        Assert.False(probe.GetProperty("connected").GetBoolean());
        Assert.StartsWith("connect-", probe.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, result.Json().GetProperty("verdict").GetProperty("deliverable").ValueKind);
    }

    [Fact]
    public async Task Check_UnreachableDnsServer_OneLineNamingTheQueryAndServerWithExit3()
    {
        var closed = ClosedUdpPort();

        var result = await ToolRunner.RunAsync("check", "example.com", "--dns-server", closed.ToString(), "--timeout", "1");
        var json = await ToolRunner.RunAsync("check", "example.com", "--dns-server", closed.ToString(), "--timeout", "1", "--json");

        Assert.Equal(3, result.ExitCode);
        Assert.Empty(result.StandardOutput);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("mta-sts: the DNS lookup of _mta-sts.example.com TXT failed", line, StringComparison.Ordinal);
        Assert.Contains(closed.ToString(), line, StringComparison.Ordinal);

        Assert.Equal(3, json.ExitCode);
        var error = json.Json().GetProperty("error");
        Assert.Equal(3, error.GetProperty("exitCode").GetInt32());
        Assert.StartsWith("the DNS lookup of _mta-sts.example.com TXT failed", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exa mple.com", "is not a domain name")]
    [InlineData("[192.0.2.1]", "is an address literal")]
    [InlineData("192.0.2.1", "is an address literal")]
    [InlineData("localhost", "at least two labels")]
    [InlineData("-bad-.example", "is not a domain name")]
    public async Task Check_NotADomain_OneLineAndExit2WithoutNetwork(string domain, string message)
    {
        var result = await ToolRunner.RunAsync("check", domain, "--dns-server", ClosedUdpPort().ToString());
        var verbose = await ToolRunner.RunAsync("check", domain, "--dns-server", ClosedUdpPort().ToString(), "--verbose");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);

        Assert.Equal(2, verbose.ExitCode);
        Assert.Contains("   at ", verbose.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_TrustRootThatCannotBeRead_IsExit2()
    {
        var result = await ToolRunner.RunAsync("check", "example.com", "--trust-root", Path.Combine(env.TempDirectory, "missing.pem"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("mta-sts: --trust-root: cannot read certificates from", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>A loopback UDP port where nothing listens (bound and released).</summary>
    private static IPEndPoint ClosedUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
