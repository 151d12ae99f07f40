using System.Text;
using System.Text.Json;

namespace MtaSts.Tests.Conformance;

/// <summary>
/// Loads <c>vectors.json</c>: grammar and matching vectors gathered from other MTA-STS implementations' test
/// suites, labelled under this project's decisions. The file is copied into the test output.
/// </summary>
internal static class ConformanceVectors
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Conformance", "vectors.json"))));

    public static IEnumerable<JsonElement> Section(string name) => Document.Value.RootElement.GetProperty(name).EnumerateArray();

    /// <summary>The policy input as UTF-8 bytes: <c>input</c> as text, or <c>input_b64</c> for bytes that are not UTF-8.</summary>
    public static byte[] PolicyBytes(JsonElement vector) =>
        vector.TryGetProperty("input_b64", out var b64)
            ? Convert.FromBase64String(b64.GetString()!)
            : Encoding.UTF8.GetBytes(vector.GetProperty("input").GetString()!);

    public static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>A short printable label for a test case name.</summary>
    public static string Label(string text)
    {
        var escaped = JsonSerializer.Serialize(text);
        return escaped.Length <= 90 ? escaped : string.Concat(escaped.AsSpan(0, 80), $"…({text.Length} chars)");
    }
}
