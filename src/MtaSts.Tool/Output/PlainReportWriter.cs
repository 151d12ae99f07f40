namespace MtaSts.Tool.Output;

/// <summary>Plain text for pipes and files: no colours, no box drawing; sections, <c>label: value</c> lines and aligned columns.</summary>
internal sealed class PlainReportWriter : IReportWriter
{
    private const int LabelWidth = 14;
    private readonly TextWriter _out;
    private bool _first = true;

    public PlainReportWriter(TextWriter output) => _out = output;

    public void Heading(string title)
    {
        if (!_first)
        {
            _out.WriteLine();
        }

        _first = false;
        _out.WriteLine(title);
    }

    public void Field(string label, string value, Tone tone = Tone.Normal)
    {
        _first = false;
        _out.WriteLine($"  {(label + ":").PadRight(LabelWidth)} {value}");
    }

    public void Line(string text, Tone tone = Tone.Normal, int indent = 1)
    {
        _first = false;
        _out.WriteLine(new string(' ', 2 * indent) + text);
    }

    public void Table(IReadOnlyList<string> headers, IReadOnlyList<(IReadOnlyList<string> Cells, Tone Tone)> rows)
    {
        _first = false;
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => i < r.Cells.Count ? r.Cells[i].Length : 0))).ToArray();
        WriteRow(headers, widths);
        foreach (var (cells, _) in rows)
        {
            WriteRow(cells, widths);
        }
    }

    public void Verdict(string text, Tone tone)
    {
        if (!_first)
        {
            _out.WriteLine();
        }

        _first = false;
        _out.WriteLine(text);
    }

    private void WriteRow(IReadOnlyList<string> cells, int[] widths)
    {
        var parts = cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]));
        _out.WriteLine(("  " + string.Join("  ", parts)).TrimEnd());
    }
}
