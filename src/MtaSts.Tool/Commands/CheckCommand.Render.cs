using System.Globalization;
using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

internal static partial class CheckCommand
{
    private static void Render(IReportWriter report, CheckJson check, int smtpPort, bool probeSmtp)
    {
        var record = check.MtaStsRecord;
        report.Heading($"MTA-STS record ({record.QueryName} TXT)");
        if (record.Records.Count == 0)
        {
            report.Line($"no TXT records ({record.Outcome})", Tone.Bad);
        }

        foreach (var txt in record.Records)
        {
            report.Line($"\"{txt.Text}\"  ({(txt.IsValid ? "valid" : txt.IsCandidate ? "invalid" : "not an MTA-STS record")})", txt.IsValid ? Tone.Normal : Tone.Warning);
        }

        report.Field("selected", record.Id is { } id ? "id " + id : $"none ({record.Problem})", record.Id is null ? Tone.Bad : Tone.Good);

        if (check.PolicyFetch is { } fetch)
        {
            report.Heading("Policy fetch");
            report.Field("url", fetch.Url);
            report.Field("status", fetch.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no response", fetch.StatusCode == 200 ? Tone.Normal : Tone.Bad);
            report.Field("content type", fetch.ContentType ?? "-");
            report.Field("size", fetch.BodyLength is { } length ? Format.Count(length, "byte", "bytes") : "-");
            if (fetch.Certificate is { } certificate)
            {
                RenderCertificate(report, certificate);
            }

            report.Field(
                "result",
                fetch.Succeeded ? $"ok ({fetch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture)} ms)" : $"{fetch.FailureResultType} ({fetch.FailureReasonCode})",
                fetch.Succeeded ? Tone.Good : Tone.Bad);
        }

        if (check.Policy is { } policy)
        {
            report.Heading("Policy");
            foreach (var problem in policy.Problems)
            {
                report.Line(
                    $"{(problem.Line is { } line ? "line " + line.ToString(CultureInfo.InvariantCulture) : "policy")}: {problem.Severity}: {problem.Message}",
                    problem.Severity == "error" ? Tone.Bad : Tone.Warning);
            }

            if (policy.Parsed is { } parsed)
            {
                report.Field("mode", parsed.Mode, parsed.Mode == "enforce" ? Tone.Good : Tone.Warning);
                report.Field("max_age", Format.Duration(TimeSpan.FromSeconds(parsed.MaxAge)));
                foreach (var mx in parsed.Mx)
                {
                    report.Field("mx", mx);
                }
            }
        }

        report.Heading("MX hosts");
        if (check.Mx.Hosts.Count == 0)
        {
            report.Line(check.Mx.IsNullMx ? "null MX: the domain accepts no mail" : check.Mx.DomainDoesNotExist ? "the domain does not exist" : $"none ({check.Mx.Outcome} {check.Mx.DnsError})", Tone.Bad);
        }
        else
        {
            report.Table(
                ["#", "host", "policy", "DANE", "governed by", "addresses"],
                [.. check.Mx.Hosts.Select(h => (
                    (IReadOnlyList<string>)[
                        h.Preference.ToString(CultureInfo.InvariantCulture),
                        h.Host + (check.Mx.IsImplicit ? " (implicit)" : ""),
                        h.MatchesPolicy switch { true => "matches " + h.MatchedPattern, false => "NOT in policy", _ => "-" },
                        h.Dane.Status + (h.Dane.Records.Count > 0 ? $" ({h.Dane.Records.Count.ToString(CultureInfo.InvariantCulture)} TLSA)" : ""),
                        h.GovernedBy,
                        h.Addresses.Count > 0 ? string.Join(", ", h.Addresses) : h.AddressOutcome == "failed" ? "lookup failed" : "none",
                    ],
                    h.MatchesPolicy == false || h.GovernedBy == "temporary-failure" ? Tone.Bad : Tone.Normal))]);
        }

        if (probeSmtp)
        {
            report.Heading($"SMTP (STARTTLS on port {smtpPort.ToString(CultureInfo.InvariantCulture)})");
            foreach (var host in check.Mx.Hosts)
            {
                foreach (var probe in host.Probes)
                {
                    RenderProbe(report, host.Host, probe);
                }
            }
        }

        var tlsRpt = check.TlsRptRecord!;
        report.Heading($"TLS-RPT record ({tlsRpt.QueryName} TXT)");
        foreach (var txt in tlsRpt.Records)
        {
            report.Line($"\"{txt.Text}\"  ({(txt.IsValid ? "valid" : txt.IsCandidate ? "invalid" : "not a TLS-RPT record")})", txt.IsValid ? Tone.Normal : Tone.Warning);
        }

        report.Field("reports to", tlsRpt.ReportUris.Count > 0 ? string.Join(", ", tlsRpt.ReportUris) : $"nowhere ({tlsRpt.Problem})", tlsRpt.ReportUris.Count > 0 ? Tone.Good : Tone.Warning);

        var verdict = check.Verdict;
        report.Heading("Verdict");
        report.Field("delivery", verdict.Delivery, verdict.Deliverable switch { true => Tone.Good, false => Tone.Bad, _ => Tone.Warning });
        report.Field("a sender reports", verdict.Reports.Count == 0
            ? verdict.PolicyType
            : string.Join("; ", verdict.Reports.Select(r => $"{r.Result}{(r.ReasonCode is null ? "" : $" ({r.ReasonCode})")} for {r.MxHost}{(r.Address is null ? "" : $" ({r.Address})")}")));
        foreach (var finding in verdict.Findings)
        {
            report.Line("problem: " + finding, Tone.Bad);
        }

        foreach (var item in verdict.Incomplete)
        {
            report.Line("not checked: " + item, Tone.Warning);
        }

        foreach (var warning in verdict.Warnings)
        {
            report.Line("warning: " + warning, Tone.Warning);
        }

        report.Verdict(
            check.ExitCode switch
            {
                0 => $"Result: {check.Domain} passes: a valid policy in mode {check.Decision.Mode}, and every MX host would pass",
                1 => $"Result: {check.Domain} fails: {Format.Count(verdict.Findings.Count, "problem", "problems")}",
                _ => $"Result: the check of {check.Domain} could not be completed: {(verdict.Incomplete.Count > 0 ? verdict.Incomplete[0] : "")}",
            },
            check.ExitCode switch { 0 => Tone.Good, 1 => Tone.Bad, _ => Tone.Warning });
    }

    private static void RenderProbe(IReportWriter report, string host, CheckJson.Probe probe)
    {
        report.Line($"{host} ({probe.Address})", probe.Passed ? Tone.Good : Tone.Bad, 1);
        if (!probe.Connected)
        {
            report.Line("connection: " + probe.Error, Tone.Warning, 2);
            return;
        }

        if (probe.Greeting is not null)
        {
            report.Line("greeting: " + probe.Greeting, Tone.Muted, 2);
        }

        report.Line("EHLO: " + (probe.Capabilities.Count > 0 ? string.Join(" ", probe.Capabilities) : "-"), Tone.Muted, 2);
        report.Line("STARTTLS: " + (probe.StartTlsOffered ? "offered" : "NOT offered"), probe.StartTlsOffered ? Tone.Normal : Tone.Bad, 2);
        if (probe.TlsVersion is not null)
        {
            report.Line($"TLS: {probe.TlsVersion} {probe.CipherSuite}", Tone.Normal, 2);
        }

        if (probe.Certificate is { } certificate)
        {
            report.Line($"certificate: {Names(certificate)}; issuer {certificate.Issuer}; expires {Format.Time(certificate.NotAfter)} ({DaysText(certificate.DaysToExpiry)})", Tone.Normal, 2);
            report.Line($"certificate verdict: {certificate.Verdict}{(certificate.ReasonCode is null ? "" : $" ({certificate.ReasonCode})")}", certificate.Verdict == "valid" ? Tone.Good : Tone.Bad, 2);
        }

        if (probe.Error is not null)
        {
            report.Line(probe.Error, Tone.Bad, 2);
        }

        report.Line("TLS-RPT result: " + (probe.ResultType is null ? (probe.Error is null ? "success" : "-") : $"{probe.ResultType} ({probe.ReasonCode})"), probe.Passed ? Tone.Good : Tone.Bad, 2);
    }

    private static void RenderCertificate(IReportWriter report, CheckJson.Certificate certificate)
    {
        report.Field("certificate", certificate.Subject);
        report.Field("  names", Names(certificate));
        report.Field("  issuer", certificate.Issuer);
        report.Field("  expires", $"{Format.Time(certificate.NotAfter)} ({DaysText(certificate.DaysToExpiry)})", certificate.DaysToExpiry < 14 ? Tone.Warning : Tone.Normal);
        report.Field("  verdict", certificate.Verdict + (certificate.ReasonCode is null ? "" : $" ({certificate.ReasonCode})"), certificate.Verdict == "valid" ? Tone.Good : Tone.Bad);
    }

    private static string Names(CheckJson.Certificate certificate) =>
        certificate.Names.Count > 0 ? string.Join(", ", certificate.Names) : $"no DNS names ({certificate.Subject})";

    private static string DaysText(int days) => days >= 0
        ? $"in {Format.Count(days, "day", "days")}"
        : $"{Format.Count(-days, "day", "days")} ago";
}
