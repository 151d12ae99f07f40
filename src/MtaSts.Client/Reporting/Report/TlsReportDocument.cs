using System.Text.Json.Serialization;

namespace MtaSts;

// The RFC 8460 §4.4 JSON shape, for System.Text.Json source generation. Mutable and lenient on purpose: TlsReportJson
// turns these into the immutable public model and back. Declaration order is the order members are written in.

/// <summary>The report object.</summary>
internal sealed class TlsReportDocument
{
    [JsonPropertyName("organization-name")]
    public string? OrganizationName { get; set; }

    [JsonPropertyName("date-range")]
    public TlsReportDateRangeDocument? DateRange { get; set; }

    [JsonPropertyName("contact-info")]
    public string? ContactInfo { get; set; }

    [JsonPropertyName("report-id")]
    public string? ReportId { get; set; }

    [JsonPropertyName("policies")]
    public List<TlsReportPolicyEntryDocument?>? Policies { get; set; }
}

/// <summary>The <c>date-range</c> object; the date-times are parsed by hand to accept a missing time zone.</summary>
internal sealed class TlsReportDateRangeDocument
{
    [JsonPropertyName("start-datetime")]
    public string? StartDateTime { get; set; }

    [JsonPropertyName("end-datetime")]
    public string? EndDateTime { get; set; }
}

/// <summary>One element of <c>policies</c>.</summary>
internal sealed class TlsReportPolicyEntryDocument
{
    [JsonPropertyName("policy")]
    public TlsReportPolicyDocument? Policy { get; set; }

    [JsonPropertyName("summary")]
    public TlsReportSummaryDocument? Summary { get; set; }

    [JsonPropertyName("failure-details")]
    public List<TlsReportFailureDetailDocument?>? FailureDetails { get; set; }
}

/// <summary>The <c>policy</c> object.</summary>
internal sealed class TlsReportPolicyDocument
{
    [JsonPropertyName("policy-type")]
    public string? PolicyType { get; set; }

    [JsonPropertyName("policy-string")]
    [JsonConverter(typeof(StringOrStringArrayConverter))]
    public List<string>? PolicyString { get; set; }

    [JsonPropertyName("policy-domain")]
    public string? PolicyDomain { get; set; }

    // Erratum 6241: an array; the RFC's example shows a string, which is read as one pattern.
    [JsonPropertyName("mx-host")]
    [JsonConverter(typeof(StringOrStringArrayConverter))]
    public List<string>? MxHost { get; set; }
}

/// <summary>The <c>summary</c> object; both counts are always written.</summary>
internal sealed class TlsReportSummaryDocument
{
    [JsonPropertyName("total-successful-session-count")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? TotalSuccessfulSessionCount { get; set; }

    [JsonPropertyName("total-failure-session-count")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? TotalFailureSessionCount { get; set; }
}

/// <summary>One element of <c>failure-details</c>.</summary>
internal sealed class TlsReportFailureDetailDocument
{
    [JsonPropertyName("result-type")]
    public string? ResultType { get; set; }

    [JsonPropertyName("sending-mta-ip")]
    public string? SendingMtaIp { get; set; }

    [JsonPropertyName("receiving-mx-hostname")]
    public string? ReceivingMxHostname { get; set; }

    [JsonPropertyName("receiving-mx-helo")]
    public string? ReceivingMxHelo { get; set; }

    [JsonPropertyName("receiving-ip")]
    public string? ReceivingIp { get; set; }

    [JsonPropertyName("failed-session-count")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? FailedSessionCount { get; set; }

    [JsonPropertyName("additional-information")]
    public string? AdditionalInformation { get; set; }

    [JsonPropertyName("failure-reason-code")]
    public string? FailureReasonCode { get; set; }

    /// <summary>Read only: the name an early draft used (tlsrpt_processor's sample); never written.</summary>
    [JsonPropertyName("failure-error-code")]
    public string? FailureErrorCode { get; set; }
}
