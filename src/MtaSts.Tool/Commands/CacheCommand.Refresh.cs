using System.CommandLine;
using MtaSts.Sqlite;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

internal static partial class CacheCommand
{
    /// <summary>
    /// Fetches the policy now, exactly as the resolver does (TXT record, then the fetch), and writes it through: the record
    /// the resolver would store. A failure leaves the stored record as it was; <c>max_age: 0</c> removes it, as the
    /// resolver does (such a policy applies to one delivery only).
    /// </summary>
    private static async Task<int> RefreshAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var domain = DomainName.Normalize(parseResult.GetValue(Domain)!);
        string path;
        StoredPolicyRecord? existing;
        using (var reader = PolicyStoreFile.OpenReadOnly(parseResult.GetValue(Store)!))
        {
            path = reader.DatabasePath;
            existing = await PolicyStoreFile.UseAsync(() => reader.GetAsync(domain, cancellationToken).AsTask()).ConfigureAwait(false);
        }

        await using var inspector = MtaStsInspector.Create(console.Settings.Configure);
        var inspection = await console.WithProgressAsync(
            $"Fetching the MTA-STS policy of {domain}",
            _ => inspector.InspectPolicyAsync(domain, cancellationToken)).ConfigureAwait(false);
        var resolution = inspection.Resolution;

        string outcome;
        CacheRecordJson? stored = null;
        int exitCode;
        if (resolution.Policy is { } policy)
        {
            using var store = new SqlitePolicyStore(path);
            if (policy.MaxAge <= TimeSpan.Zero)
            {
                await PolicyStoreFile.UseAsync(async () =>
                {
                    await store.RemoveAsync(domain, cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
                outcome = "removed";
            }
            else
            {
                var record = new StoredPolicyRecord(
                    domain,
                    resolution.PolicyId!,
                    policy.Text,
                    resolution.FetchedAt!.Value,
                    resolution.ExpiresAt!.Value,
                    existing?.LastUsed ?? resolution.FetchedAt.Value);
                await PolicyStoreFile.UseAsync(async () =>
                {
                    await store.SetAsync(record, cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
                stored = ToJson(record, resolution.FetchedAt.Value);
                outcome = "stored";
            }

            exitCode = ExitCodes.Ok;
        }
        else
        {
            outcome = "failed";
            exitCode = ResolutionCodes.IsIncomplete(resolution.FailureReasonCode) ? ExitCodes.Incomplete : ExitCodes.Findings;
        }

        var failureType = resolution.FailureResultType?.ToResultTypeString();
        if (console.Json)
        {
            console.WriteJson(
                new CacheRefreshJson(path, domain, outcome, stored, failureType, resolution.FailureReasonCode, exitCode),
                ToolJsonContext.Default.CacheRefreshJson);
            return exitCode;
        }

        if (stored is not null)
        {
            WriteRecord(console.Report, stored, "Refreshed policy of " + domain);
        }

        console.Report.Verdict(
            outcome switch
            {
                "stored" => $"Result: stored the policy of {domain} (id {resolution.PolicyId}) in {path}",
                "removed" => $"Result: the policy of {domain} has max_age 0; its stored record was removed from {path}",
                _ => $"Result: the policy of {domain} could not be fetched ({(failureType is null ? "" : failureType + ", ")}{resolution.FailureReasonCode}); "
                    + (existing is null ? "nothing was stored" : "the stored record was kept"),
            },
            exitCode == ExitCodes.Ok ? Tone.Good : Tone.Bad);
        return exitCode;
    }
}
