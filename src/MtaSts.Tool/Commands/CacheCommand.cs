using System.CommandLine;
using MtaSts.Sqlite;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

/// <summary>
/// <c>mta-sts cache list|show|purge|refresh --store PATH</c>: what a SQLite policy store holds, and the per-domain purge
/// and refresh. <c>list</c> and <c>show</c> open the file read-only and change nothing.
/// </summary>
/// <remarks>
/// A running sender keeps its own memory copy of each policy: a purge or refresh reaches it when it next reads the store
/// (after a restart, or when its memory copy expires).
/// </remarks>
internal static partial class CacheCommand
{
    private static readonly Option<string> Store = new("--store")
    {
        Description = "The SQLite policy store file (as configured with AddSqlitePolicyStore).",
        HelpName = "PATH",
        Required = true,
        Recursive = true,
    };

    private static readonly Argument<string> Domain = new("domain") { Description = "The policy domain." };

    public static Command Create()
    {
        var cache = new Command("cache", "Inspect and manage a SQLite policy store: list, show, purge or refresh the policy of a domain.");
        cache.Options.Add(Store);

        var list = new Command("list", "List every policy the store holds (read-only).");
        CommandRunner.SetAction(list, ListAsync);

        var show = new Command("show", "Show the stored policy of a domain (read-only).");
        show.Arguments.Add(Domain);
        CommandRunner.SetAction(show, ShowAsync);

        var purge = new Command("purge", "Remove the stored policy of a domain, so that the next delivery fetches it again.");
        purge.Arguments.Add(Domain);
        CommandRunner.SetAction(purge, PurgeAsync);

        var refresh = new Command("refresh", "Fetch the policy of a domain now and store it; on failure the stored record is kept.");
        refresh.Arguments.Add(Domain);
        CommandRunner.SetAction(refresh, RefreshAsync);

        cache.Subcommands.Add(list);
        cache.Subcommands.Add(show);
        cache.Subcommands.Add(purge);
        cache.Subcommands.Add(refresh);
        return cache;
    }

    private static async Task<int> ListAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        using var store = PolicyStoreFile.OpenReadOnly(parseResult.GetValue(Store)!);
        var records = await PolicyStoreFile.UseAsync(async () =>
        {
            var all = new List<StoredPolicyRecord>();
            await foreach (var record in store.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                all.Add(record);
            }

            return all;
        }).ConfigureAwait(false);

        var now = TimeProvider.System.GetUtcNow();
        var items = records.OrderBy(r => r.PolicyDomain, StringComparer.Ordinal).Select(r => ToJson(r, now)).ToList();
        var exitCode = items.Any(i => i.State == "invalid") ? ExitCodes.Findings : ExitCodes.Ok;
        if (console.Json)
        {
            console.WriteJson(new CacheListJson(store.DatabasePath, items.Count, items, exitCode), ToolJsonContext.Default.CacheListJson);
            return exitCode;
        }

        var report = console.Report;
        report.Heading("Policy store " + store.DatabasePath);
        if (items.Count == 0)
        {
            report.Line("(no policies)", Tone.Muted);
        }
        else
        {
            report.Table(
                ["domain", "id", "mode", "state", "fetched", "expires", "last used"],
                [.. items.Select(i => ((IReadOnlyList<string>)[i.Domain, i.PolicyId, i.Mode ?? "-", i.State, Format.Time(i.FetchedAt), Format.Time(i.ExpiresAt), Format.Time(i.LastUsed)], StateTone(i.State)))]);
        }

        report.Verdict($"Result: {Format.Count(items.Count, "policy", "policies")}" + (exitCode == ExitCodes.Ok ? "" : $", {items.Count(i => i.State == "invalid")} invalid (the resolver drops them when it reads them)"), exitCode == ExitCodes.Ok ? Tone.Good : Tone.Bad);
        return exitCode;
    }

    private static async Task<int> ShowAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var domain = DomainName.Normalize(parseResult.GetValue(Domain)!);
        using var store = PolicyStoreFile.OpenReadOnly(parseResult.GetValue(Store)!);
        var record = await PolicyStoreFile.UseAsync(() => store.GetAsync(domain, cancellationToken).AsTask()).ConfigureAwait(false);
        if (record is null)
        {
            throw new ToolException(ExitCodes.Findings, $"the store '{store.DatabasePath}' holds no policy for {domain}.");
        }

        var item = ToJson(record, TimeProvider.System.GetUtcNow());
        var exitCode = item.State == "invalid" ? ExitCodes.Findings : ExitCodes.Ok;
        if (console.Json)
        {
            console.WriteJson(item, ToolJsonContext.Default.CacheRecordJson);
            return exitCode;
        }

        WriteRecord(console.Report, item, "Stored policy of " + domain);
        console.Report.Verdict($"Result: {item.State}" + (item.Problem is null ? "" : $" ({item.Problem})"), StateTone(item.State));
        return exitCode;
    }

    private static async Task<int> PurgeAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var domain = DomainName.Normalize(parseResult.GetValue(Domain)!);
        string path;
        bool existed;
        using (var reader = PolicyStoreFile.OpenReadOnly(parseResult.GetValue(Store)!))
        {
            path = reader.DatabasePath;
            existed = await PolicyStoreFile.UseAsync(async () => await reader.GetAsync(domain, cancellationToken).ConfigureAwait(false) is not null).ConfigureAwait(false);
        }

        if (existed)
        {
            using var store = new SqlitePolicyStore(path);
            await PolicyStoreFile.UseAsync(async () =>
            {
                await store.RemoveAsync(domain, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }

        if (console.Json)
        {
            console.WriteJson(new CachePurgeJson(path, domain, existed, ExitCodes.Ok), ToolJsonContext.Default.CachePurgeJson);
            return ExitCodes.Ok;
        }

        console.Report.Verdict(
            existed ? $"Result: removed the stored policy of {domain} from {path}" : $"Result: {path} held no policy for {domain}; nothing to remove",
            existed ? Tone.Good : Tone.Muted);
        return ExitCodes.Ok;
    }

    private static CacheRecordJson ToJson(StoredPolicyRecord record, DateTimeOffset now)
    {
        var (state, problem, policy) = StoredRecordState.Judge(record, now);
        return new CacheRecordJson(
            record.PolicyDomain,
            record.PolicyId,
            state,
            problem,
            policy is null ? null : Format.Mode(policy.Mode),
            policy is null ? null : (long)policy.MaxAge.TotalSeconds,
            policy is null ? [] : [.. policy.MxPatterns.Select(p => p.ToString())],
            record.FetchedAt,
            record.ExpiresAt,
            record.LastUsed,
            record.PolicyText);
    }

    private static void WriteRecord(IReportWriter report, CacheRecordJson item, string title)
    {
        report.Heading(title);
        report.Field("policy id", item.PolicyId);
        report.Field("state", item.State + (item.Problem is null ? "" : $" ({item.Problem})"), StateTone(item.State));
        report.Field("mode", item.Mode ?? "-");
        report.Field("max_age", item.MaxAge is { } maxAge ? Format.Duration(TimeSpan.FromSeconds(maxAge)) : "-");
        foreach (var mx in item.Mx)
        {
            report.Field("mx", mx);
        }

        report.Field("fetched", Format.Time(item.FetchedAt));
        report.Field("expires", Format.Time(item.ExpiresAt));
        report.Field("last used", Format.Time(item.LastUsed));
        report.Line("policy text:", Tone.Muted);
        foreach (var line in item.PolicyText.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            report.Line(line, Tone.Muted, 2);
        }
    }

    private static Tone StateTone(string state) => state switch
    {
        "valid" => Tone.Good,
        "expired" => Tone.Warning,
        _ => Tone.Bad,
    };
}
