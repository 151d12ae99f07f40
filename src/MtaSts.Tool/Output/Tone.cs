namespace MtaSts.Tool.Output;

/// <summary>How a line of human output is to be read: colours on a terminal, words everywhere.</summary>
internal enum Tone
{
    Normal,
    Good,
    Warning,
    Bad,
    Muted,
}
