namespace MtaSts;

public sealed partial class MtaStsPolicy
{
    /// <summary>Parses decoded policy text; on failure returns <see langword="null"/> and says where and why.</summary>
    internal static MtaStsPolicy? ParseCore(string text, out ParseError error)
    {
        // Decision 16: over 65,536 UTF-8 bytes is invalid. Every char is at least one byte and at most three
        // (a surrogate pair is four bytes for two chars), so the exact count is needed only in between.
        if (text.Length > MaxPolicyBytes
            || (text.Length > MaxPolicyBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(text) > MaxPolicyBytes))
        {
            error = new(null, Rules.TooLarge);
            return null;
        }

        // Decision 8: a leading byte-order mark is skipped.
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;

        MtaStsMode? mode = null;
        long? maxAge = null;
        var seenVersion = false;
        List<MxPattern>? mx = null;
        List<KeyValuePair<string, string>>? extensions = null;

        var position = start;
        var lineNumber = 0;
        while (position < text.Length)
        {
            lineNumber++;
            var newline = text.IndexOf('\n', position);
            var end = newline < 0 ? text.Length : newline;
            var next = newline < 0 ? text.Length : newline + 1;

            // Decision 7: sts-policy-term = LF / CRLF (RFC 8461 §3.2 and erratum 6253).
            var lineEnd = newline > position && text[newline - 1] == '\r' ? end - 1 : end;
            var line = text.AsSpan(position, lineEnd - position);

            if (line.IsEmpty)
            {
                // Decision 8: empty lines are tolerated only at the very end.
                if (!IsOnlyLineTerminators(text.AsSpan(position)))
                {
                    error = new(lineNumber, Rules.EmptyLine);
                    return null;
                }

                break;
            }

            if (line.Contains('\r'))
            {
                error = new(lineNumber, Rules.BareCr);
                return null;
            }

            // Decision 9: a line is name ":" *WSP value *WSP.
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                error = new(lineNumber, Rules.NoColon);
                return null;
            }

            var name = line[..colon];
            if (!Abnf.IsExtensionName(name))
            {
                error = new(lineNumber, Rules.BadName);
                return null;
            }

            var value = line[(colon + 1)..].Trim(" \t");
            string? rule = null;
            switch (name)
            {
                case "version" when !seenVersion:
                    // RFC 8461 §3.2: "version: (plain-text, required). Currently, only 'STSv1' is supported."
                    seenVersion = true;
                    rule = value.SequenceEqual("STSv1") ? null : Rules.BadVersion;
                    break;

                case "mode" when mode is null:
                    // Decision 11: exactly "enforce", "testing" or "none", case-sensitive.
                    mode = value switch
                    {
                        "enforce" => MtaStsMode.Enforce,
                        "testing" => MtaStsMode.Testing,
                        "none" => MtaStsMode.None,
                        _ => null,
                    };
                    rule = mode is null ? Rules.BadMode : null;
                    break;

                case "max_age" when maxAge is null:
                    // Decision 12: sts-policy-max-age = %s"max_age" sts-policy-field-delim 1*10(DIGIT), capped at one year.
                    maxAge = ParseMaxAge(value);
                    rule = maxAge is null ? Rules.BadMaxAge : null;
                    break;

                case "mx":
                    // Decision 13: one pattern per line; one invalid pattern invalidates the whole policy.
                    if (MxPattern.IsValid(value))
                    {
                        (mx ??= []).Add(MxPattern.CreateUnchecked(value.ToString()));
                    }
                    else
                    {
                        rule = Rules.BadMx;
                    }

                    break;

                default:
                    // Decision 10 and 15: unknown fields, and repeats of version, mode and max_age, are ignored
                    // when they are well-formed extension lines.
                    if (Abnf.IsPolicyExtensionValue(value))
                    {
                        (extensions ??= []).Add(new(name.ToString(), value.ToString()));
                    }
                    else
                    {
                        rule = Rules.BadExtensionValue;
                    }

                    break;
            }

            if (rule is not null)
            {
                error = new(lineNumber, rule);
                return null;
            }

            position = next;
        }

        var missing = !seenVersion ? Rules.MissingVersion
            : mode is null ? Rules.MissingMode
            : maxAge is null ? Rules.MissingMaxAge
            : mx is null && mode != MtaStsMode.None ? Rules.MissingMx // Decision 14
            : null;
        if (missing is not null)
        {
            error = new(null, missing);
            return null;
        }

        error = default;
        return new MtaStsPolicy(text, start, mode!.Value, TimeSpan.FromSeconds(maxAge!.Value), mx is null ? [] : [.. mx], Freeze(extensions));
    }

    private static long? ParseMaxAge(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > 10)
        {
            return null;
        }

        long seconds = 0;
        foreach (var c in value)
        {
            if (!Abnf.IsDigit(c))
            {
                return null;
            }

            seconds = (seconds * 10) + (c - '0');
        }

        // RFC 8461 §3.2: "max_age: Max lifetime of the policy (plain-text non-negative integer seconds,
        // maximum value of 31557600)." Erratum 7282: 10 digits can say more; clamp (Decision 12).
        return Math.Min(seconds, MaxMaxAgeSeconds);
    }

    private static bool IsOnlyLineTerminators(ReadOnlySpan<char> rest)
    {
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == '\r' && i + 1 < rest.Length && rest[i + 1] == '\n')
            {
                i++;
            }
            else if (rest[i] != '\n')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Where a policy broke a rule: a 1-based line (or <see langword="null"/> for the whole policy) and the rule.</summary>
    internal readonly record struct ParseError(int? Line, string? Rule);

    /// <summary>The rules a policy can break, worded for <see cref="MtaStsFormatException"/> and logs.</summary>
    internal static class Rules
    {
        public const string TooLarge = "the policy is larger than 65,536 bytes (RFC 8461 §3.3).";
        public const string NotUtf8 = "the policy is not well-formed UTF-8 (RFC 8461 §3.2).";
        public const string EmptyLine = "empty line before the end of the policy (RFC 8461 §3.2 allows none).";
        public const string BareCr = "a carriage return that is not part of a CRLF line ending (lines end in LF or CRLF).";
        public const string NoColon = "the line is not 'name: value' (no ':').";
        public const string BadName = "the field name is not 1-32 letters, digits, '_', '-' or '.' starting with a letter or digit (no whitespace before the name or the ':').";
        public const string BadVersion = "'version' must be exactly 'STSv1'.";
        public const string BadMode = "'mode' must be exactly 'enforce', 'testing' or 'none' (case-sensitive).";
        public const string BadMaxAge = "'max_age' must be 1 to 10 decimal digits.";
        public const string BadMx = "'mx' must be a host name in A-labels, optionally preceded by '*.' (one pattern per line, no trailing dot, no port).";
        public const string BadExtensionValue = "the field value is empty or holds a tab or other control character.";
        public const string MissingVersion = "the required field 'version' is missing.";
        public const string MissingMode = "the required field 'mode' is missing.";
        public const string MissingMaxAge = "the required field 'max_age' is missing.";
        public const string MissingMx = "at least one 'mx' field is required unless 'mode' is 'none'.";
    }
}
