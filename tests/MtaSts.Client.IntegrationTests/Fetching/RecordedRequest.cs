namespace MtaSts.IntegrationTests.Fetching;

/// <summary>One request as <see cref="RecordingPolicyServer"/> received it, headers included.</summary>
/// <param name="Method">Request method.</param>
/// <param name="Path">Request path.</param>
/// <param name="QueryString">Query string, empty when there is none.</param>
/// <param name="Protocol">HTTP protocol, for example <c>HTTP/1.1</c>.</param>
/// <param name="ServerName">The TLS SNI name of the connection the request came on, in A-label form, or <see langword="null"/> when none was sent.</param>
/// <param name="Headers">Every request header as sent (names case-insensitive; repeated values joined with commas).</param>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    string Protocol,
    string? ServerName,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>Gets the Host header exactly as sent (with its port, if any).</summary>
    public string? HostHeader => Headers.GetValueOrDefault("Host");

    /// <summary>Gets the host part of the Host header, lower case, without the port.</summary>
    public string Host
    {
        get
        {
            var host = HostHeader ?? string.Empty;
            var colon = host.LastIndexOf(':');
            return (colon > 0 ? host[..colon] : host).ToLowerInvariant();
        }
    }
}
