namespace MtaSts.Tool.Commands;

/// <summary>
/// Judges a stored record as the resolver does when it reads one (the text must parse and agree with the stored id and
/// times): <c>valid</c>, <c>expired</c> (kept for the proactive refresh, not served) or <c>invalid</c> (dropped).
/// </summary>
internal static class StoredRecordState
{
    public static (string State, string? Problem, MtaStsPolicy? Policy) Judge(StoredPolicyRecord record, DateTimeOffset now)
    {
        if (!MtaStsRecord.TryParse("v=STSv1; id=" + record.PolicyId, out var id) || id.Id != record.PolicyId)
        {
            return ("invalid", "the policy id is not 1-32 letters and digits", null);
        }

        if (!MtaStsPolicy.TryParse(record.PolicyText, out var policy))
        {
            return ("invalid", "the policy text does not parse", null);
        }

        if (policy.MaxAge <= TimeSpan.Zero || record.ExpiresAt != record.FetchedAt + policy.MaxAge)
        {
            return ("invalid", "the expiry does not match the policy's max_age", policy);
        }

        return now >= record.ExpiresAt ? ("expired", null, policy) : ("valid", null, policy);
    }
}
