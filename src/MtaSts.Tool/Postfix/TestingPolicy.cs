namespace MtaSts.Tool.Postfix;

/// <summary>What the server tells Postfix about a policy in <c>mode: testing</c>.</summary>
internal enum TestingPolicy
{
    /// <summary>
    /// Report only, as RFC 8461 §5 means it: deliver as without a policy (<c>NOTFOUND</c>). The default, as in
    /// postfix-mta-sts-resolver.
    /// </summary>
    ReportOnly,

    /// <summary>Treat it as <c>enforce</c> (postfix-mta-sts-resolver's <c>strict_testing</c>).</summary>
    Enforce,
}
