namespace MtaSts;

/// <summary>The <c>mode</c> of an MTA-STS policy (RFC 8461 §5).</summary>
public enum MtaStsMode
{
    /// <summary><c>none</c>: the domain has opted out; deliver as if it had no policy (RFC 8461 §5, §8.3).</summary>
    None = 0,

    /// <summary><c>testing</c>: check and report failures (TLS-RPT), but deliver anyway.</summary>
    Testing = 1,

    /// <summary><c>enforce</c>: never deliver to an MX host that does not match the policy or lacks valid TLS.</summary>
    Enforce = 2,
}
