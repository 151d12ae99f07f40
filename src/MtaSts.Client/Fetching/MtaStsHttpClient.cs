namespace MtaSts;

/// <summary>The named <see cref="System.Net.Http.HttpClient"/> that fetches MTA-STS policies (RFC 8461 §3.3).</summary>
/// <remarks>
/// <c>AddMtaSts</c> registers it with <c>IHttpClientFactory</c> under <see cref="Name"/>. Its primary handler enforces the
/// fetch rules: no redirects, no cookies, TLS 1.2 or later with SNI, the SAN-only certificate check, the address guard and
/// no proxy unless <see cref="MtaStsOptions.Proxy"/> names one. Configure it further by name, for example to add a
/// logging or metrics <c>DelegatingHandler</c>:
/// <c>services.AddHttpClient(MtaStsHttpClient.Name).AddHttpMessageHandler(...)</c>. Replacing the primary handler
/// (<c>ConfigurePrimaryHttpMessageHandler</c>) removes those guarantees; to go through a proxy, set
/// <see cref="MtaStsOptions.Proxy"/> instead. The client's own timeout is infinite: <see cref="MtaStsOptions.FetchTimeout"/>
/// bounds each fetch, retries included.
/// </remarks>
public static class MtaStsHttpClient
{
    /// <summary>The name of the client: <c>MtaSts</c>.</summary>
    public const string Name = "MtaSts";
}
