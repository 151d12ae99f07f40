using CsCheck;

namespace MtaSts.Tests.Properties;

/// <summary>Generators for the grammar's building blocks.</summary>
internal static class GrammarGenerators
{
    private const string LetterDigit = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Ldh = LetterDigit + "-";

    /// <summary>A DNS label of letters, digits and inner hyphens.</summary>
    public static readonly Gen<string> Label =
        Gen.Select(Gen.Char[LetterDigit], Gen.Char[Ldh].Array[0, 12], Gen.Char[LetterDigit], Gen.Bool,
            (first, middle, last, single) => single ? first.ToString() : first + new string(middle) + last);

    /// <summary>A domain of 1–4 labels whose last label is not all digits.</summary>
    public static readonly Gen<string> Domain =
        Gen.Select(Label.Array[0, 3], Gen.Char["abcdefghijklmnopqrstuvwxyz"].Array[2, 6],
            (labels, tld) => string.Join('.', [.. labels, new string(tld)]));

    /// <summary>Whitespace as allowed by <c>*WSP</c>.</summary>
    public static readonly Gen<string> Wsp = Gen.Char[" \t"].Array[0, 3].Select(a => new string(a));

    /// <summary>A line terminator: LF or CRLF.</summary>
    public static readonly Gen<string> LineEnd = Gen.OneOf("\n", "\r\n");

    /// <summary>An extension name that is not one of the policy's known field names.</summary>
    public static readonly Gen<string> ExtensionName =
        Gen.Select(Gen.Char[LetterDigit], Gen.Char[LetterDigit + "_-."].Array[0, 20], (first, rest) => "x" + first + new string(rest));

    /// <summary>A policy extension value: printable ASCII or non-ASCII, inner spaces, no leading or trailing space.</summary>
    public static readonly Gen<string> PolicyExtensionValue =
        Gen.Select(Gen.Char['!', '~'], Gen.Char["abc xyz!#é✓漢"].Array[0, 15], Gen.Char['!', '~'],
            (first, middle, last) => first + new string(middle) + last);

    /// <summary>A TXT extension value: printable ASCII except "=", ";" and SP.</summary>
    public static readonly Gen<string> TxtExtensionValue =
        Gen.Char['!', '~'].Where(c => c is not ('=' or ';')).Array[1, 12].Select(a => new string(a));

    /// <summary>Characters that reach every branch of the parsers, for fuzzing.</summary>
    public static readonly Gen<string> GrammarSoup =
        Gen.Char["vV=STSsv1;: \t\r\nidmoxa_-.*enforcetsingTLSRPTru:@/0123456789é\uFEFF\u0000\uD800\uDC00"].Array[0, 120]
            .Select(a => new string(a));
}
