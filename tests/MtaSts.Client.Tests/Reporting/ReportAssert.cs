namespace MtaSts.Tests.Reporting;

/// <summary>Compares two reports field by field; a difference names the JSON path.</summary>
internal static class ReportAssert
{
    public static void Equivalent(TlsReport expected, TlsReport actual)
    {
        Same("organization-name", expected.OrganizationName, actual.OrganizationName);
        Same("date-range.start-datetime", expected.StartDateTime, actual.StartDateTime);
        Same("date-range.end-datetime", expected.EndDateTime, actual.EndDateTime);
        Same("contact-info", expected.ContactInfo, actual.ContactInfo);
        Same("report-id", expected.ReportId, actual.ReportId);
        Same("policies.length", expected.Policies.Count, actual.Policies.Count);
        for (var i = 0; i < expected.Policies.Count; i++)
        {
            var e = expected.Policies[i];
            var a = actual.Policies[i];
            var path = $"policies[{i}]";
            Same(path + ".policy.policy-type", e.PolicyType, a.PolicyType);
            Same(path + ".policy.policy-string", string.Join("|", e.PolicyStrings), string.Join("|", a.PolicyStrings));
            Same(path + ".policy.policy-domain", e.PolicyDomain, a.PolicyDomain);
            Same(path + ".policy.mx-host", string.Join("|", e.MxHosts), string.Join("|", a.MxHosts));
            Same(path + ".summary.total-successful-session-count", e.TotalSuccessfulSessionCount, a.TotalSuccessfulSessionCount);
            Same(path + ".summary.total-failure-session-count", e.TotalFailureSessionCount, a.TotalFailureSessionCount);
            Same(path + ".failure-details.length", e.FailureDetails.Count, a.FailureDetails.Count);
            for (var j = 0; j < e.FailureDetails.Count; j++)
            {
                var ed = e.FailureDetails[j];
                var ad = a.FailureDetails[j];
                var detail = $"{path}.failure-details[{j}]";
                Same(detail + ".result-type", ed.ResultType, ad.ResultType);
                Same(detail + ".sending-mta-ip", ed.SendingMtaIp, ad.SendingMtaIp);
                Same(detail + ".receiving-mx-hostname", ed.ReceivingMxHostname, ad.ReceivingMxHostname);
                Same(detail + ".receiving-mx-helo", ed.ReceivingMxHelo, ad.ReceivingMxHelo);
                Same(detail + ".receiving-ip", ed.ReceivingIp, ad.ReceivingIp);
                Same(detail + ".failed-session-count", ed.FailedSessionCount, ad.FailedSessionCount);
                Same(detail + ".additional-information", ed.AdditionalInformation, ad.AdditionalInformation);
                Same(detail + ".failure-reason-code", ed.FailureReasonCode, ad.FailureReasonCode);
            }
        }
    }

    private static void Same<T>(string path, T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{path}: expected {Show(expected)}, found {Show(actual)}.");
        }
    }

    private static string Show<T>(T value) => value is null ? "(absent)" : $"'{value}'";
}
