namespace MtaSts.Tool.Output;

/// <summary>A parsed policy in JSON: mode, max_age in seconds, the mx patterns as written, ignored fields, and the text.</summary>
internal sealed record PolicyJson(string Mode, long MaxAge, IReadOnlyList<string> Mx, IReadOnlyList<PolicyJson.Field> Extensions, string Text)
{
    public static PolicyJson From(MtaStsPolicy policy) => new(
        Format.Mode(policy.Mode),
        (long)policy.MaxAge.TotalSeconds,
        [.. policy.MxPatterns.Select(p => p.ToString())],
        [.. policy.Extensions.Select(e => new Field(e.Key, e.Value))],
        policy.Text);

    internal sealed record Field(string Name, string Value);
}
