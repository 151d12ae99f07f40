using System.Diagnostics;
using System.Reflection;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>Runs the built tool as a separate process (<c>dotnet MtaSts.Tool.dll …</c>) with standard streams redirected.</summary>
public static class ToolRunner
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>Gets the built tool, in its own output folder (recorded at build time).</summary>
    public static string ToolPath { get; } = typeof(ToolRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "MtaStsToolPath").Value!;

    public static async Task<ToolResult> RunAsync(IEnumerable<string> args, string? standardInput = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("NO_COLOR");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mta-sts {string.Join(' ', args)} did not end within {Limit}.");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<ToolResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);
}
