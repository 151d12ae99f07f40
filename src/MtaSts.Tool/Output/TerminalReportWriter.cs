using Spectre.Console;

namespace MtaSts.Tool.Output;

/// <summary>A terminal: rules for sections, a grid of fields, tables with borders, colours by <see cref="Tone"/>.</summary>
internal sealed class TerminalReportWriter : IReportWriter
{
    private readonly IAnsiConsole _console;

    public TerminalReportWriter(IAnsiConsole console) => _console = console;

    public void Heading(string title) => _console.Write(new Rule($"[bold]{Markup.Escape(title)}[/]") { Justification = Justify.Left });

    public void Field(string label, string value, Tone tone = Tone.Normal)
    {
        var grid = new Grid().AddColumn(new GridColumn().Width(16).NoWrap()).AddColumn();
        grid.AddRow(new Markup($"  [grey]{Markup.Escape(label)}[/]"), new Markup(Styled(value, tone)));
        _console.Write(grid);
    }

    public void Line(string text, Tone tone = Tone.Normal, int indent = 1) =>
        _console.MarkupLine(new string(' ', 2 * indent) + Styled(text, tone));

    public void Table(IReadOnlyList<string> headers, IReadOnlyList<(IReadOnlyList<string> Cells, Tone Tone)> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]"));
        }

        foreach (var (cells, tone) in rows)
        {
            table.AddRow(cells.Select(c => new Markup(Styled(c, tone))).ToArray());
        }

        _console.Write(table);
    }

    public void Verdict(string text, Tone tone)
    {
        _console.WriteLine();
        _console.Write(new Panel(new Markup(Styled(text, tone))) { Border = BoxBorder.Heavy });
    }

    private static string Styled(string text, Tone tone)
    {
        var escaped = Markup.Escape(text);
        return tone switch
        {
            Tone.Good => $"[green]{escaped}[/]",
            Tone.Warning => $"[yellow]{escaped}[/]",
            Tone.Bad => $"[red]{escaped}[/]",
            Tone.Muted => $"[grey]{escaped}[/]",
            _ => escaped,
        };
    }
}
