using System.Globalization;
using System.Text;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The replies, as netstrings, byte for byte as postfix-mta-sts-resolver writes them: <c>OK secure match=P1:P2
/// servername=hostname</c> for a policy to enforce (a wildcard <c>*.example.net</c> written <c>.example.net</c>, patterns
/// joined by <c>:</c>), <c>NOTFOUND </c> (with its space) for no policy, <c>TEMP </c> to make Postfix defer.
/// </summary>
/// <remarks>
/// With TLS-RPT on, the Postfix 3.10 attributes follow: <c>policy_type=sts policy_domain=D policy_ttl=MAX_AGE</c>, one
/// <c>mx_host_pattern=P</c> per pattern as written in the policy, and one <c>{ policy_string = LINE }</c> per policy line
/// (RFC 8460 §4.3). A line holding a brace cannot be quoted in Postfix's attribute syntax and is left out. Postfix accepts
/// replies of at most 100,000 bytes: a reply that would be longer loses its <c>policy_string</c> attributes, and if that
/// is not enough, all the TLS-RPT attributes.
/// </remarks>
internal static class SocketmapReplies
{
    /// <summary>The longest reply payload Postfix's socketmap client accepts.</summary>
    public const int MaxReplyPayload = 100_000;

    public static readonly byte[] NotFound = Netstring.Encode("NOTFOUND "u8);

    public static readonly byte[] Temp = Netstring.Encode("TEMP "u8);

    /// <summary>A <c>PERM</c> reply: a request Postfix would never send (the reason says what was wrong).</summary>
    public static byte[] Perm(string reason) => Netstring.Encode(Encoding.ASCII.GetBytes("PERM " + reason));

    /// <summary>A <c>TEMP</c> reply with a reason (an unexpected failure of this server).</summary>
    public static byte[] Temporary(string reason) => Netstring.Encode(Encoding.ASCII.GetBytes("TEMP " + reason));

    /// <summary>The reply for a policy, under <paramref name="settings"/>; <see cref="NotFound"/> when it does not apply.</summary>
    public static byte[] ForPolicy(MtaStsPolicy policy, string policyDomain, SocketmapNameSettings settings)
    {
        var enforce = policy.Mode == MtaStsMode.Enforce || (policy.Mode == MtaStsMode.Testing && settings.Testing == TestingPolicy.Enforce);
        if (!enforce || policy.MxPatterns.Count == 0)
        {
            return NotFound;
        }

        var reply = new StringBuilder("OK secure match=");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in policy.MxPatterns)
        {
            // Postfix's match list: ".example.net" matches names under example.net (the certificate check of "secure").
            // Written as in the policy (Postfix compares without case), duplicates once, as postfix-mta-sts-resolver does.
            var text = pattern.ToString();
            var match = pattern.IsWildcard ? text[1..] : text;
            if (seen.Add(match))
            {
                reply.Append(seen.Count == 1 ? "" : ":").Append(match);
            }
        }

        if (settings.RequireSni)
        {
            reply.Append(" servername=hostname");
        }

        if (settings.TlsRpt)
        {
            var attributes = new StringBuilder();
            attributes.Append(" policy_type=sts policy_domain=").Append(policyDomain)
                .Append(" policy_ttl=").Append(((long)policy.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            foreach (var pattern in policy.MxPatterns)
            {
                attributes.Append(" mx_host_pattern=").Append(pattern.ToString());
            }

            var withPatterns = reply.Length + attributes.Length;
            foreach (var line in policy.Lines)
            {
                if (line.Length > 0 && line.AsSpan().IndexOfAny('{', '}') < 0)
                {
                    attributes.Append(" { policy_string = ").Append(line.Trim()).Append(" }");
                }
            }

            var baseBytes = Encoding.UTF8.GetByteCount(reply.ToString());
            if (baseBytes + Encoding.UTF8.GetByteCount(attributes.ToString()) > MaxReplyPayload)
            {
                attributes.Length = withPatterns - reply.Length;
            }

            // Still too long (thousands of patterns): the policy without its report attributes rather than no policy.
            if (baseBytes + Encoding.UTF8.GetByteCount(attributes.ToString()) <= MaxReplyPayload)
            {
                reply.Append(attributes);
            }
        }

        var payload = Encoding.UTF8.GetBytes(reply.ToString());
        return payload.Length > MaxReplyPayload ? Temporary("reply too long for Postfix") : Netstring.Encode(payload);
    }
}
