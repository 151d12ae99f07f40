using System.Globalization;
using System.Text.Json;

namespace MtaSts;

/// <summary>Converts between <see cref="TlsReport"/> and RFC 8460 §4.4 JSON: lenient reading, strict writing.</summary>
internal static class TlsReportJson
{
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Reads a report; <see langword="null"/> with <paramref name="error"/> when the text is not one.</summary>
    public static TlsReport? Read(ReadOnlySpan<byte> utf8Json, out string? error)
    {
        // A UTF-8 byte order mark is not JSON, but some writers add one.
        if (utf8Json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8Json = utf8Json[3..];
        }

        TlsReportDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, TlsReportJsonContext.Default.TlsReportDocument);
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }

        if (document is null)
        {
            error = "the JSON value is null, not a report object.";
            return null;
        }

        return FromDocument(document, out error);
    }

    /// <summary>Writes a report strictly (see <see cref="TlsReport"/>'s remarks).</summary>
    public static byte[] Write(TlsReport report) =>
        JsonSerializer.SerializeToUtf8Bytes(ToDocument(report), TlsReportJsonContext.Default.TlsReportDocument);

    /// <summary>An RFC 3339 §5.6 date-time in UTC with a <c>Z</c> and whole seconds.</summary>
    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    private static TlsReport? FromDocument(TlsReportDocument document, out string? error)
    {
        error = null;
        if (!TryReadDateTime(document.DateRange?.StartDateTime, out var start) || !TryReadDateTime(document.DateRange?.EndDateTime, out var end))
        {
            error = "date-range.start-datetime and date-range.end-datetime must be RFC 3339 date-times.";
            return null;
        }

        var policies = new List<TlsReportPolicy>(document.Policies?.Count ?? 0);
        foreach (var entry in document.Policies ?? [])
        {
            if (entry?.Policy?.PolicyType is not { Length: > 0 } policyType)
            {
                error = "every policies[] entry needs policy.policy-type.";
                return null;
            }

            var successes = entry.Summary?.TotalSuccessfulSessionCount ?? 0;
            var failures = entry.Summary?.TotalFailureSessionCount ?? 0;
            if (successes < 0 || failures < 0)
            {
                error = "session counts must not be negative.";
                return null;
            }

            var details = new List<TlsReportFailureDetail>(entry.FailureDetails?.Count ?? 0);
            foreach (var detail in entry.FailureDetails ?? [])
            {
                if (detail is null)
                {
                    continue;
                }

                if (detail.ResultType is not { Length: > 0 } resultType)
                {
                    error = "every failure-details[] entry needs result-type.";
                    return null;
                }

                var count = detail.FailedSessionCount ?? 0;
                if (count < 0)
                {
                    error = "failed-session-count must not be negative.";
                    return null;
                }

                details.Add(new TlsReportFailureDetail(
                    resultType,
                    Optional(detail.SendingMtaIp),
                    Optional(detail.ReceivingMxHostname),
                    Optional(detail.ReceivingMxHelo),
                    Optional(detail.ReceivingIp),
                    count,
                    Optional(detail.AdditionalInformation),
                    Optional(detail.FailureReasonCode) ?? Optional(detail.FailureErrorCode)));
            }

            policies.Add(new TlsReportPolicy(
                policyType,
                (entry.Policy.PolicyString ?? []).AsReadOnly(),
                Optional(entry.Policy.PolicyDomain),
                (entry.Policy.MxHost ?? []).AsReadOnly(),
                successes,
                failures,
                details.AsReadOnly()));
        }

        return new TlsReport(
            Optional(document.OrganizationName),
            start,
            end,
            Optional(document.ContactInfo),
            Optional(document.ReportId),
            policies.AsReadOnly());
    }

    private static TlsReportDocument ToDocument(TlsReport report) => new()
    {
        OrganizationName = report.OrganizationName,
        DateRange = new TlsReportDateRangeDocument
        {
            StartDateTime = FormatDateTime(report.StartDateTime),
            EndDateTime = FormatDateTime(report.EndDateTime),
        },
        ContactInfo = report.ContactInfo,
        ReportId = report.ReportId,

        // RFC 8460 §4: "the "policies" field of the report body MUST be an array and not a singular value."
        Policies = [.. report.Policies.Select(p => new TlsReportPolicyEntryDocument
        {
            Policy = new TlsReportPolicyDocument
            {
                PolicyType = p.PolicyType,
                PolicyString = p.PolicyStrings.Count == 0 ? null : [.. p.PolicyStrings],
                PolicyDomain = p.PolicyDomain,
                MxHost = p.MxHosts.Count == 0 ? null : [.. p.MxHosts],
            },
            Summary = new TlsReportSummaryDocument
            {
                TotalSuccessfulSessionCount = p.TotalSuccessfulSessionCount,
                TotalFailureSessionCount = p.TotalFailureSessionCount,
            },
            FailureDetails = p.FailureDetails.Count == 0 ? null : [.. p.FailureDetails.Select(d => new TlsReportFailureDetailDocument
            {
                ResultType = d.ResultType,
                SendingMtaIp = d.SendingMtaIp,
                ReceivingMxHostname = d.ReceivingMxHostname,
                ReceivingMxHelo = d.ReceivingMxHelo,
                ReceivingIp = d.ReceivingIp,
                FailedSessionCount = d.FailedSessionCount,
                AdditionalInformation = d.AdditionalInformation,
                FailureReasonCode = d.FailureReasonCode,
            })],
        })],
    };

    private static string? Optional(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool TryReadDateTime(string? text, out DateTimeOffset value)
    {
        // RFC 3339 date-times; one implementation (mox's Microsoft sample) omits the offset: read that as UTC.
        if (text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        value = default;
        return false;
    }
}
