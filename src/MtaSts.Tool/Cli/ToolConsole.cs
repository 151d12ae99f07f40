using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MtaSts.Tool.Output;
using Spectre.Console;

namespace MtaSts.Tool.Cli;

/// <summary>Where a command writes: one JSON document, Spectre.Console on a terminal, or plain text when redirected.</summary>
internal sealed class ToolConsole
{
    private readonly TextWriter _out;
    private readonly IAnsiConsole? _terminal;

    public ToolConsole(ToolSettings settings, TextWriter output, TextWriter error, bool isTerminal)
    {
        Settings = settings;
        _out = output;
        Error = error;
        if (isTerminal && !settings.Json)
        {
            _terminal = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Detect,
                ColorSystem = settings.NoColor || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 }
                    ? ColorSystemSupport.NoColors
                    : ColorSystemSupport.Detect,
                Out = new AnsiConsoleOutput(output),
            });
        }

        Report = _terminal is null ? new PlainReportWriter(output) : new TerminalReportWriter(_terminal);
    }

    public ToolSettings Settings { get; }

    public bool Json => Settings.Json;

    public TextWriter Error { get; }

    /// <summary>Gets the human report writer (not used with --json).</summary>
    public IReportWriter Report { get; }

    /// <summary>Runs <paramref name="work"/> with a live status line on a terminal; silently otherwise.</summary>
    public async Task<T> WithProgressAsync<T>(string status, Func<Action<string>, Task<T>> work)
    {
        if (_terminal is null)
        {
            return await work(static _ => { }).ConfigureAwait(false);
        }

        return await _terminal.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(status), ctx => work(s => ctx.Status(Markup.Escape(s))))
            .ConfigureAwait(false);
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        _out.WriteLine(JsonSerializer.Serialize(value, typeInfo));
    }
}
