using System.Text;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>What <see cref="HttpsPolicyServer"/> answers for one host's <c>/.well-known/mta-sts.txt</c>.</summary>
public sealed class PolicyResponse
{
    /// <summary>HTTP status code; 200 by default.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>Content-Type header, or <see langword="null"/> to send none; <c>text/plain</c> by default.</summary>
    public string? ContentType { get; init; } = "text/plain";

    /// <summary>Response body (sent with a matching Content-Length).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Extra response headers, for example Location, Cache-Control or ETag.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Stall before anything is sent (honours the request abort and server shutdown).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Stall after the status line and headers have been flushed, before the body.</summary>
    public TimeSpan BodyDelay { get; init; }

    /// <summary>A 200 <c>text/plain</c> response carrying <paramref name="policyText"/> as UTF-8.</summary>
    public static PolicyResponse Policy(string policyText, string? contentType = "text/plain") =>
        new() { Body = Encoding.UTF8.GetBytes(policyText), ContentType = contentType };

    /// <summary>A redirect to <paramref name="location"/> (which a policy fetcher must not follow).</summary>
    public static PolicyResponse Redirect(string location, int statusCode = 301) =>
        new() { StatusCode = statusCode, ContentType = null, Headers = new Dictionary<string, string> { ["Location"] = location } };

    /// <summary>An empty response with the given status code.</summary>
    public static PolicyResponse Status(int statusCode) => new() { StatusCode = statusCode, ContentType = null };
}
