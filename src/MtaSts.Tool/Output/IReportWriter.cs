namespace MtaSts.Tool.Output;

/// <summary>
/// Human output, written as it is produced: Spectre.Console tables and colours on a terminal
/// (<see cref="TerminalReportWriter"/>), plain aligned text when standard output is redirected (<see cref="PlainReportWriter"/>).
/// </summary>
internal interface IReportWriter
{
    /// <summary>Starts a section.</summary>
    void Heading(string title);

    /// <summary>A labelled value in the current section.</summary>
    void Field(string label, string value, Tone tone = Tone.Normal);

    /// <summary>A free line in the current section, indented by <paramref name="indent"/> levels.</summary>
    void Line(string text, Tone tone = Tone.Normal, int indent = 1);

    /// <summary>A table of rows in the current section.</summary>
    void Table(IReadOnlyList<string> headers, IReadOnlyList<(IReadOnlyList<string> Cells, Tone Tone)> rows);

    /// <summary>The closing verdict line.</summary>
    void Verdict(string text, Tone tone);
}
