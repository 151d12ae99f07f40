using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>
/// <c>mta-sts serve-postfix</c> running as a separate process (the built tool, as <see cref="ToolRunner"/> runs it), with
/// its output captured. Started with <see cref="StartAsync"/>, which waits until the server logged every endpoint it
/// listens on; stopped with SIGTERM (<see cref="StopAsync"/>), as systemd and init scripts stop it.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>Everything written to standard output and error so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code, once the process ended.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Starts the server; waits for <paramref name="expectedEndpoints"/> "Listening on" lines, or for it to exit.</summary>
    /// <param name="args">The options after <c>serve-postfix</c>.</param>
    /// <param name="expectedEndpoints">How many "Listening on" lines to wait for (0: do not wait).</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="prefix">A command that runs <c>dotnet MtaSts.Tool.dll …</c> (such as systemd-socket-activate and its options).</param>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> args, int expectedEndpoints = 1, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? prefix = null)
    {
        var start = new ProcessStartInfo(prefix is { Count: > 0 } ? prefix[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (prefix is { Count: > 0 })
        {
            foreach (var word in prefix.Skip(1))
            {
                start.ArgumentList.Add(word);
            }

            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(ToolRunner.ToolPath);
        start.ArgumentList.Add("serve-postfix");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Exited += (_, _) => server._exited.TrySetResult(process.ExitCode);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(
                () => server.HasExited || server.CountLines("Listening on") >= expectedEndpoints,
                $"mta-sts serve-postfix to listen on {expectedEndpoints} endpoint(s)",
                StartTimeout);
        }
        catch (TimeoutException ex)
        {
            await server.DisposeAsync();
            throw new TimeoutException(ex.Message + " Output:\n" + server.Output, ex);
        }

        return server;
    }

    /// <summary>Sends SIGTERM and waits for the process to end; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!HasExited)
        {
            _ = Kill(_process.Id, 15);
        }

        try
        {
            var code = await _exited.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
            await WaitForOutputAsync();
            return code;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("The server did not stop after SIGTERM. Output:\n" + Output, ex);
        }
    }

    /// <summary>Waits until the process ended by itself (a start that failed); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var code = await _exited.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        await WaitForOutputAsync();
        return code;
    }

    /// <summary>Waits until the server logged <paramref name="text"/> (its console log is written asynchronously).</summary>
    public Task WaitForOutputAsync(string text) =>
        Poll.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal), $"the server to log '{text}'", TimeSpan.FromSeconds(15));

    /// <summary>The number of output lines that contain <paramref name="text"/>.</summary>
    public int CountLines(string text)
    {
        lock (_output)
        {
            return _output.ToString().Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Resident memory of the server process, in bytes (from /proc).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kilobytes * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Gone already.
            }
        }

        _process.Dispose();
    }

    public override string ToString() => Output;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private async Task WaitForOutputAsync()
    {
        // The asynchronous readers deliver the last lines after the exit event.
        await Task.Run(() => _process.WaitForExit());
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
        }
    }
}
