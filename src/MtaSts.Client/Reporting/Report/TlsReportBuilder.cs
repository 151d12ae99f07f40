using System.Globalization;

namespace MtaSts;

/// <summary>
/// Turns a day's stored counters for one policy domain into a <see cref="TlsReport"/> (RFC 8460 §4.4), and names it
/// (report-id, §5.1 file name). Counters whose key cannot be read are skipped and counted.
/// </summary>
internal sealed class TlsReportBuilder
{
    private readonly string _organizationName;
    private readonly string _contactInfo;
    private readonly string _submitterDomain;
    private readonly string _instanceId;

    public TlsReportBuilder(TlsRptOptions options)
    {
        _organizationName = options.OrganizationName!;
        _contactInfo = options.ContactInfo!;
        _submitterDomain = options.GetSubmitterDomain();
        _instanceId = options.GetInstanceId();
    }

    public string SubmitterDomain => _submitterDomain;

    /// <summary>The first instant of <paramref name="day"/> (00:00:00Z).</summary>
    public static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// The end of <paramref name="day"/>: the next day's 00:00:00Z (Decision 32). RFC 8460 §4.1 asks for a whole UTC day,
    /// 00:00 to 24:00, and RFC 3339 has no 24:00:00; the next midnight covers the day with no gap (the Appendix B
    /// example's 23:59:59Z leaves out the last second). Parsers read both forms.
    /// </summary>
    public static DateTimeOffset End(DateOnly day) => Start(day).AddDays(1);

    /// <summary>The report, or <see langword="null"/> when no session of <paramref name="policyDomain"/> was counted on <paramref name="day"/>.</summary>
    public TlsReport? Build(string policyDomain, DateOnly day, IEnumerable<TlsReportCounter> counters, out int unreadable)
    {
        unreadable = 0;
        var policies = new Dictionary<(string Type, string? Text), PolicyTotals>();
        foreach (var counter in counters)
        {
            if (counter.Day != day || !string.Equals(counter.PolicyDomain, policyDomain, StringComparison.Ordinal) || counter.Count <= 0)
            {
                continue;
            }

            if (!TlsReportCounterKey.TryDecode(counter.Key, out var key))
            {
                unreadable++;
                continue;
            }

            if (!policies.TryGetValue((key.PolicyType, key.PolicyText), out var totals))
            {
                policies[(key.PolicyType, key.PolicyText)] = totals = new PolicyTotals();
            }

            switch (key.Kind)
            {
                case TlsReportCounterKey.SuccessKind:
                    totals.Successes += counter.Count;
                    break;
                case TlsReportCounterKey.FailureKind:
                    totals.Failures += counter.Count;
                    break;
                default:
                    // An MX host that is empty once its trailing dot is gone is omitted rather than written as "".
                    var detail = (key.ResultType!, key.SendingMtaIp, key.MxHost is { Length: > 0 } mx ? mx : null, key.ReceivingIp, key.Helo, key.ReasonCode);
                    totals.Details[detail] = totals.Details.GetValueOrDefault(detail) + counter.Count;
                    break;
            }
        }

        var entries = policies
            .Where(p => p.Value.Successes + p.Value.Failures > 0)
            .OrderBy(p => p.Key.Type switch { TlsRptPolicyType.Sts => 0, TlsRptPolicyType.Tlsa => 1, _ => 2 })
            .ThenBy(p => p.Key.Text, StringComparer.Ordinal)
            .Select(p => ToPolicy(policyDomain, p.Key.Type, p.Key.Text, p.Value))
            .ToList();
        if (entries.Count == 0)
        {
            return null;
        }

        return new TlsReport(_organizationName, Start(day), End(day), _contactInfo, ReportId(policyDomain, day), entries.AsReadOnly());
    }

    /// <summary>
    /// The report-id: <c>YYYYMMDD.instance.policy-domain@submitter</c>. An <c>id-left@id-right</c> so that it fits the subject's
    /// <c>Report-ID: &lt;…&gt;</c> (RFC 8460 §5.3); unique per day, policy domain and reporting instance.
    /// </summary>
    public string ReportId(string policyDomain, DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{day:yyyyMMdd}.{_instanceId}.{policyDomain}@{_submitterDomain}");

    /// <summary>
    /// RFC 8460 §5.1: <c>sender "!" policy-domain "!" begin-timestamp "!" end-timestamp "!" unique-id ".json.gz"</c>, the
    /// timestamps being the report's <c>date-range</c> in Unix seconds and the unique-id this instance's id.
    /// </summary>
    public string FileName(string policyDomain, DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"{_submitterDomain}!{policyDomain}!{Start(day).ToUnixTimeSeconds()}!{End(day).ToUnixTimeSeconds()}!{_instanceId}.json.gz");

    private static TlsReportPolicy ToPolicy(string policyDomain, string type, string? text, PolicyTotals totals)
    {
        IReadOnlyList<string> lines = [];
        IReadOnlyList<string> mx = [];
        if (type == TlsRptPolicyType.Tlsa && text is not null)
        {
            // RFC 8460 §4.5: one string per TLSA record; §1.1: a DANE policy's domain is the TLSA base domain.
            (policyDomain, lines) = TlsaPolicyText.Decode(text);
        }
        else if (text is not null)
        {
            // RFC 8460 §4.5: one string per policy line; mx-host: the policy's patterns (A-labels, as the grammar requires).
            if (MtaStsPolicy.TryParse(text, out var policy))
            {
                lines = policy.Lines;
                mx = [.. policy.MxPatterns.Select(p => p.ToString())];
            }
            else
            {
                lines = [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
            }
        }

        var details = totals.Details
            .OrderBy(d => d.Key.ResultType, StringComparer.Ordinal)
            .ThenBy(d => d.Key.MxHost, StringComparer.Ordinal)
            .ThenBy(d => d.Key.ReceivingIp, StringComparer.Ordinal)
            .ThenBy(d => d.Key.SendingMtaIp, StringComparer.Ordinal)
            .ThenBy(d => d.Key.Helo, StringComparer.Ordinal)
            .ThenBy(d => d.Key.ReasonCode, StringComparer.Ordinal)
            .Select(d => new TlsReportFailureDetail(d.Key.ResultType, d.Key.SendingMtaIp, d.Key.MxHost, d.Key.Helo, d.Key.ReceivingIp, d.Value, null, d.Key.ReasonCode))
            .ToList();

        // RFC 8460 §4.4: policy-domain always (also for no-policy-found), both counts always.
        return new TlsReportPolicy(type, lines, policyDomain, mx, totals.Successes, totals.Failures, details.AsReadOnly());
    }

    private sealed class PolicyTotals
    {
        public long Successes { get; set; }

        public long Failures { get; set; }

        public Dictionary<(string ResultType, string? SendingMtaIp, string? MxHost, string? ReceivingIp, string? Helo, string? ReasonCode), long> Details { get; } = [];
    }
}
