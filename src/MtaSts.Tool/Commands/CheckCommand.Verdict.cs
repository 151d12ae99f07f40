using MtaSts.Tool.Linting;
using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

internal static partial class CheckCommand
{
    /// <summary>
    /// The verdict: would delivery succeed under the domain's policy, what a sender would report, what is wrong
    /// (findings, exit 1) and what could not be learnt (DNS failures, timeouts, unreachable hosts: exit 3).
    /// </summary>
    private static CheckJson.Outcome Judge(string domain, PolicyInspection inspection, LintResult? lint, CheckJson.MxSet mx, TlsRptRecordInspection tlsRpt, bool probeSmtp)
    {
        var findings = new List<string>();
        var incomplete = new List<string>();
        var warnings = new List<string>();
        var reports = new List<CheckJson.Report>();
        var resolution = inspection.Resolution;
        var policy = resolution.Policy;
        var applies = policy is not null && policy.Mode != MtaStsMode.None;

        if (inspection.Record.Record is null)
        {
            findings.Add($"no MTA-STS policy: {inspection.Record.QueryName} has no usable record ({inspection.Record.Problem})");
        }
        else if (inspection.Fetch is { Policy: null } failed)
        {
            var failure = $"{failed.FailureResultType?.ToResultTypeString()} ({failed.FailureReasonCode})";
            if (ResolutionCodes.IsIncomplete(failed.FailureReasonCode))
            {
                incomplete.Add($"the policy fetch from {failed.Url.Host} did not complete: {failure}");
            }
            else
            {
                findings.Add($"the policy fetch failed: {failure}; senders apply no policy and report it");
            }

            reports.Add(new CheckJson.Report(failed.Url.Host, null, failed.FailureResultType!.Value.ToResultTypeString(), failed.FailureReasonCode));
        }
        else if (policy is { Mode: MtaStsMode.None })
        {
            findings.Add("the policy is 'mode: none': senders apply no MTA-STS to this domain");
        }

        foreach (var warning in lint?.Warnings ?? [])
        {
            warnings.Add(Format.Problem(warning));
        }

        if (tlsRpt.Record is null)
        {
            (tlsRpt.Outcome == DnsLookupStatus.TemporaryFailure ? incomplete : warnings).Add($"no TLS-RPT record at {tlsRpt.QueryName} ({tlsRpt.Problem}): senders cannot report failures to the domain");
        }

        if (mx.Outcome == "failed")
        {
            incomplete.Add($"the MX lookup of {domain} failed ({mx.DnsError})");
        }
        else if (mx.IsNullMx)
        {
            findings.Add($"{domain} publishes a null MX (RFC 7505): it accepts no mail");
        }
        else if (mx.DomainDoesNotExist)
        {
            findings.Add($"{domain} does not exist (NXDOMAIN)");
        }
        else if (mx.IsImplicit)
        {
            warnings.Add($"{domain} has no MX records: senders deliver to the domain itself");
        }

        foreach (var host in mx.Hosts)
        {
            if (host.MatchesPolicy == false)
            {
                findings.Add($"{host.Host} is not listed in the policy (validation-failure, mx-not-in-policy)");
                reports.Add(new CheckJson.Report(host.Host, null, "validation-failure", "mx-not-in-policy"));
            }

            if (host.AddressOutcome == "failed")
            {
                incomplete.Add($"the address lookup of {host.Host} failed ({host.AddressError})");
            }
            else if (host.Addresses.Count == 0)
            {
                findings.Add($"{host.Host} has no A or AAAA record");
            }

            foreach (var probe in host.Probes)
            {
                var where = $"{host.Host} ({probe.Address})";
                if (probe.ResultType is not null)
                {
                    findings.Add($"{where}: {probe.ResultType} ({probe.ReasonCode})");
                }
                else if (probe.Error is not null)
                {
                    (probe.Connected && probe.Error.StartsWith("session-error: 5", StringComparison.Ordinal) ? findings : incomplete).Add($"{where}: {probe.Error}");
                }

                if (applies && host.MatchesPolicy != false && probe.Connected && (probe.ResultType is not null || probe.Error is null))
                {
                    reports.Add(new CheckJson.Report(host.Host, probe.Address, probe.ResultType ?? "success", probe.ReasonCode));
                }
            }
        }

        var (deliverable, delivery) = Delivery(resolution, mx, probeSmtp, incomplete.Count > 0);
        return new CheckJson.Outcome(deliverable, delivery, applies ? "sts" : "no-policy-found", reports, findings, incomplete, warnings);
    }

    private static (bool? Deliverable, string Delivery) Delivery(PolicyResolution resolution, CheckJson.MxSet mx, bool probeSmtp, bool anyIncomplete)
    {
        if (mx.IsNullMx || mx.DomainDoesNotExist)
        {
            return (false, "would fail permanently: the domain accepts no mail");
        }

        if (mx.Outcome == "failed")
        {
            return (null, "unknown: the MX lookup failed");
        }

        if (!probeSmtp)
        {
            return (null, "unknown: the MX hosts were not probed (--no-smtp)");
        }

        var mode = Format.Mode(resolution.Mode);
        if (resolution.IsEnforced)
        {
            foreach (var host in mx.Hosts.Where(h => h.MatchesPolicy == true))
            {
                if (host.Probes.FirstOrDefault(p => p.Passed) is { } passed)
                {
                    return (true, $"would succeed under mode enforce: to {host.Host} ({passed.Address}) over {passed.TlsVersion} with a valid certificate");
                }
            }

            return anyIncomplete
                ? (null, "unknown under mode enforce: no MX host was seen to pass, and some could not be checked")
                : (false, "would be deferred under mode enforce: no MX host passes the policy, so senders refuse to deliver");
        }

        // testing, none, or no policy: STARTTLS when offered, any certificate, plaintext when TLS fails.
        foreach (var host in mx.Hosts)
        {
            if (host.Probes.FirstOrDefault(p => p.Connected && p.Error is null) is { } reached)
            {
                var protection = resolution.Policy is null ? "without MTA-STS protection (no policy)" : $"under mode {mode}, which protects nothing";
                var tls = reached.Passed ? $"over {reached.TlsVersion}" : reached.TlsVersion is null ? "in plaintext or unverified TLS" : $"over {reached.TlsVersion} with a certificate that fails validation";
                return (true, $"would succeed {protection}: to {host.Host} ({reached.Address}) {tls}");
            }
        }

        return anyIncomplete ? (null, "unknown: no MX host could be reached") : (false, "would be deferred: no MX host accepted a session");
    }
}
