using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Linting;
using MtaSts.Tool.Output;
using MtaSts.Tool.Smtp;

namespace MtaSts.Tool.Commands;

/// <summary>
/// <c>mta-sts check &lt;domain&gt;</c>: the domain as an enforcing sender sees it — TXT record, policy fetch, policy,
/// MX hosts, a STARTTLS probe of every MX address, the TLS-RPT record — and a verdict. Exit 0 only when a valid
/// policy exists and every MX would pass; 1 something is wrong (no policy included); 3 the check could not be completed.
/// </summary>
internal static partial class CheckCommand
{
    private static readonly Argument<string> Domain = new("domain") { Description = "The recipient (policy) domain." };

    private static readonly Option<bool> NoSmtp = new("--no-smtp")
    {
        Description = "Skip the SMTP probes (for networks where outgoing port 25 is blocked).",
    };

    public static Command Create()
    {
        var command = new Command("check", "Check a domain's MTA-STS set-up exactly as an enforcing sender sees it: TXT record, policy fetch, MX hosts, STARTTLS and certificates, TLS-RPT record, and a verdict.");
        command.Arguments.Add(Domain);
        command.Options.Add(NoSmtp);
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var domain = DomainName.Normalize(parseResult.GetValue(Domain)!);
        var settings = console.Settings;
        var probeSmtp = !parseResult.GetValue(NoSmtp);
        await using var inspector = MtaStsInspector.Create(settings.Configure);
        var report = await console.WithProgressAsync(
            $"Checking {domain}",
            progress => GatherAsync(inspector, settings, domain, probeSmtp, progress, cancellationToken)).ConfigureAwait(false);

        if (console.Json)
        {
            console.WriteJson(report, ToolJsonContext.Default.CheckJson);
        }
        else
        {
            Render(console.Report, report, settings.SmtpPort, probeSmtp);
        }

        return report.ExitCode;
    }

    private static async Task<CheckJson> GatherAsync(
        MtaStsInspector inspector, ToolSettings settings, string domain, bool probeSmtp, Action<string> progress, CancellationToken cancellationToken)
    {
        progress($"Looking up _mta-sts.{domain} and fetching the policy");
        var inspection = await inspector.InspectPolicyAsync(domain, cancellationToken).ConfigureAwait(false);
        if (inspection.Record.Outcome == DnsLookupStatus.TemporaryFailure)
        {
            throw ToolException.Incomplete(
                $"the DNS lookup of {inspection.Record.QueryName} TXT failed ({inspection.Record.DnsError}) using {settings.DescribeNameServers()}.");
        }

        var resolution = inspection.Resolution;
        var now = TimeProvider.System.GetUtcNow();

        progress($"Looking up the MX hosts of {domain}");
        var mx = await inspector.LookupMxAsync(domain, cancellationToken).ConfigureAwait(false);
        var validator = new MxCertificateValidator(settings.TrustRoots.Count > 0 ? settings.TrustRoots : null);
        var probe = new SmtpProbe(validator, settings.SmtpPort, settings.Timeout, HeloName());
        var hosts = new List<CheckJson.MxHost>();
        var preference = 0;
        foreach (var host in mx.Hosts)
        {
            preference++;
            progress($"Looking up {host}");
            var tlsa = await inspector.LookupTlsaAsync(host, settings.SmtpPort, cancellationToken).ConfigureAwait(false);
            var addresses = tlsa.Addresses;
            var probes = new List<CheckJson.Probe>();
            if (probeSmtp)
            {
                foreach (var address in addresses.Addresses)
                {
                    progress($"Probing {host} ({address}) on port {settings.SmtpPort.ToString(CultureInfo.InvariantCulture)}");
                    var result = await probe.ProbeAsync(resolution, host, address, cancellationToken).ConfigureAwait(false);
                    probes.Add(ToJson(result, now));
                }
            }

            hosts.Add(HostJson(resolution, host, preference, tlsa, probes));
        }

        progress($"Looking up _smtp._tls.{domain}");
        var tlsRpt = await inspector.InspectTlsRptRecordAsync(domain, cancellationToken).ConfigureAwait(false);

        var record = inspection.Record;
        var fetch = inspection.Fetch;
        var body = fetch?.Body;
        var lint = body is null ? null : PolicyLinter.Lint(body);
        var mxJson = new CheckJson.MxSet(Outcome(mx.Status), mx.Error, mx.IsNullMx, mx.IsImplicit, mx.DomainDoesNotExist, hosts);
        var verdict = Judge(domain, inspection, lint, mxJson, tlsRpt, probeSmtp);
        var exitCode = verdict.Findings.Count > 0 ? ExitCodes.Findings : verdict.Incomplete.Count > 0 ? ExitCodes.Incomplete : ExitCodes.Ok;
        return new CheckJson(
            domain,
            new CheckJson.StsRecord(record.QueryName, Outcome(record.Outcome), record.DnsError, Records(record), record.Record?.Id, record.Problem),
            fetch is null ? null : new CheckJson.Fetch(
                fetch.Url.ToString(),
                fetch.StatusCode,
                fetch.ContentType,
                fetch.BodyLength,
                (long)fetch.Elapsed.TotalMilliseconds,
                fetch.Certificate is null ? null : Certificate(fetch.Certificate, fetch.CertificateResult, now),
                fetch.Policy is not null,
                fetch.FailureResultType?.ToResultTypeString(),
                fetch.FailureReasonCode),
            lint is null ? null : new CheckJson.PolicyCheck(lint.IsValid, lint.Policy is null ? null : PolicyJson.From(lint.Policy), [.. lint.Problems.Select(ProblemJson.From)]),
            new CheckJson.Resolution(
                ResolutionCodes.Status(resolution.Status),
                Format.Mode(resolution.Mode),
                resolution.PolicyId,
                resolution.FailureResultType?.ToResultTypeString(),
                resolution.FailureReasonCode),
            mxJson,
            new CheckJson.TlsRpt(
                tlsRpt.QueryName,
                Outcome(tlsRpt.Outcome),
                tlsRpt.DnsError,
                Records(tlsRpt),
                tlsRpt.Record is null ? [] : [.. tlsRpt.Record.ReportUris.Select(u => u.OriginalString)],
                tlsRpt.Problem),
            verdict,
            exitCode);
    }

    private static CheckJson.MxHost HostJson(PolicyResolution resolution, string host, int preference, TlsaLookupResult tlsa, List<CheckJson.Probe> probes)
    {
        var addresses = tlsa.Addresses;
        var policy = resolution.Policy;
        bool? matches = policy is null || policy.Mode == MtaStsMode.None ? null : policy.MatchesMx(host);
        var pattern = policy?.MxPatterns.FirstOrDefault(p => p.Matches(host))?.ToString();

        // RFC 8461 §4.1: an MX that matches no pattern fails validation (enforce never connects to it; testing reports it).
        var (type, reason) = matches == false
            ? ("validation-failure", "mx-not-in-policy")
            : probes.Count > 0 && probes.All(p => p.ResultType is not null) ? (probes[0].ResultType, probes[0].ReasonCode) : (null, null);
        var dane = new CheckJson.Dane(
            DaneStatus(tlsa.Status),
            tlsa.Status is TlsaLookupStatus.Usable or TlsaLookupStatus.Unusable ? tlsa.BaseDomain : null,
            [.. tlsa.Records.Select(r => r.ToString())],
            tlsa.Error);
        return new CheckJson.MxHost(host, preference, matches, pattern, Outcome(addresses.Status), addresses.Error, [.. addresses.Addresses.Select(a => a.ToString())], probes, type, reason, dane, GovernedBy(tlsa.Status, policy));
    }

    private static string DaneStatus(TlsaLookupStatus status) => status switch
    {
        TlsaLookupStatus.Usable => "usable",
        TlsaLookupStatus.Unusable => "unusable",
        TlsaLookupStatus.NotFound => "not-found",
        TlsaLookupStatus.Insecure => "insecure",
        _ => "indeterminate",
    };

    /// <summary>
    /// Which policy decides delivery to the host, as the delivery agent applies them (docs/failure-model.md, DANE): DANE for
    /// usable secure TLSA records, a temporary failure for an indeterminate TLSA lookup, otherwise the MTA-STS policy.
    /// </summary>
    private static string GovernedBy(TlsaLookupStatus status, MtaStsPolicy? policy) => status switch
    {
        TlsaLookupStatus.Usable => "dane",
        TlsaLookupStatus.Indeterminate => "temporary-failure",
        TlsaLookupStatus.Unusable => policy is { Mode: not MtaStsMode.None } ? "sts-with-mandatory-tls" : "mandatory-tls",
        _ => policy is { Mode: not MtaStsMode.None } ? "sts" : "opportunistic",
    };

    private static CheckJson.Probe ToJson(SmtpProbeResult result, DateTimeOffset now) => new(
        result.Address.ToString(),
        result.Connected,
        result.Error,
        result.Greeting,
        result.Capabilities,
        result.StartTlsOffered,
        result.TlsProtocol is { } protocol ? TlsName(protocol) : null,
        result.CipherSuite,
        result.Certificate is null ? null : Certificate(result.Certificate, result.CertificateResult, now),
        result.Passed,
        result.ResultType?.ToResultTypeString(),
        result.ReasonCode,
        result.Commands);

    private static CheckJson.Certificate Certificate(X509Certificate2 certificate, CertificateValidationResult? verdict, DateTimeOffset now)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return new CheckJson.Certificate(
            certificate.Subject,
            names,
            certificate.Issuer,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            notAfter,
            (int)Math.Floor((notAfter - now).TotalDays),
            verdict is null ? "not-checked" : verdict.IsValid ? "valid" : verdict.ResultType!.Value.ToResultTypeString(),
            verdict?.ReasonCode);
    }

    private static IReadOnlyList<CheckJson.TxtRecord> Records(TxtRecordInspection inspection) =>
        [.. inspection.Records.Select(r => new CheckJson.TxtRecord(r.Text, r.IsCandidate, r.IsValid))];

    private static string Outcome(DnsLookupStatus outcome) => outcome switch
    {
        DnsLookupStatus.Found => "found",
        DnsLookupStatus.NotFound => "not-found",
        _ => "failed",
    };

#pragma warning disable SYSLIB0039, CA5397 // Naming old protocols in a report is not using them.
    private static string TlsName(System.Security.Authentication.SslProtocols protocol) => protocol switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        System.Security.Authentication.SslProtocols.Tls11 => "TLSv1.1",
        System.Security.Authentication.SslProtocols.Tls => "TLSv1.0",
        _ => protocol.ToString(),
    };
#pragma warning restore SYSLIB0039, CA5397

    private static string HeloName()
    {
        try
        {
            var name = System.Net.Dns.GetHostName();
            return string.IsNullOrWhiteSpace(name) ? "localhost" : name;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }
}
