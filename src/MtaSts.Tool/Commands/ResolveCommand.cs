using System.CommandLine;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Output;

namespace MtaSts.Tool.Commands;

/// <summary>
/// <c>mta-sts resolve &lt;domain&gt;</c>: the resolver's decision as the library returns it. Exit 0 a policy applies, 1 none
/// applies, 3 DNS failed or timed out.
/// </summary>
internal static class ResolveCommand
{
    private static readonly Argument<string> Domain = new("domain") { Description = "The recipient (policy) domain." };

    public static Command Create()
    {
        var command = new Command("resolve", "Show the policy the library's resolver applies to a domain: status, mode, id, fetched, expires, and any failure it would report.");
        command.Arguments.Add(Domain);
        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var domain = DomainName.Normalize(parseResult.GetValue(Domain)!);
        await using var resolver = MtaStsResolver.Create(console.Settings.Configure);
        var resolution = await console.WithProgressAsync(
            $"Resolving the MTA-STS policy of {domain}",
            _ => resolver.ResolveAsync(domain, cancellationToken).AsTask()).ConfigureAwait(false);

        var exitCode = resolution.Policy is not null ? ExitCodes.Ok
            : resolution.Status == PolicyResolutionStatus.TemporaryFailure || ResolutionCodes.IsIncomplete(resolution.FailureReasonCode) ? ExitCodes.Incomplete
            : ExitCodes.Findings;
        var failureType = resolution.FailureResultType?.ToResultTypeString();
        if (console.Json)
        {
            console.WriteJson(
                new ResolveJson(
                    resolution.PolicyDomain,
                    ResolutionCodes.Status(resolution.Status),
                    Format.Mode(resolution.Mode),
                    resolution.PolicyId,
                    resolution.FetchedAt,
                    resolution.ExpiresAt,
                    failureType,
                    resolution.FailureReasonCode,
                    resolution.Policy is null ? null : PolicyJson.From(resolution.Policy),
                    exitCode),
                ToolJsonContext.Default.ResolveJson);
            return exitCode;
        }

        var report = console.Report;
        report.Heading("Resolution of " + resolution.PolicyDomain);
        report.Field("status", ResolutionCodes.Status(resolution.Status), resolution.Policy is null ? Tone.Bad : Tone.Good);
        report.Field("mode", Format.Mode(resolution.Mode), resolution.IsEnforced ? Tone.Good : Tone.Warning);
        report.Field("policy id", resolution.PolicyId ?? "-");
        report.Field("fetched", Format.Time(resolution.FetchedAt));
        report.Field("expires", Format.Time(resolution.ExpiresAt));
        if (resolution.Policy is { } policy)
        {
            report.Field("max_age", Format.Duration(policy.MaxAge));
            foreach (var pattern in policy.MxPatterns)
            {
                report.Field("mx", pattern.ToString());
            }
        }

        if (resolution.FailureReasonCode is { } reason)
        {
            report.Field("failure", failureType is null ? reason : $"{failureType} ({reason})", Tone.Bad);
        }

        report.Verdict(
            exitCode switch
            {
                ExitCodes.Ok => $"Result: mode {Format.Mode(resolution.Mode)} applies to mail for {resolution.PolicyDomain}",
                ExitCodes.Incomplete => $"Result: could not be resolved ({resolution.FailureReasonCode}); senders would treat it as no policy for now",
                _ => $"Result: no MTA-STS policy applies to mail for {resolution.PolicyDomain}",
            },
            exitCode == ExitCodes.Ok ? Tone.Good : Tone.Bad);
        return exitCode;
    }
}
