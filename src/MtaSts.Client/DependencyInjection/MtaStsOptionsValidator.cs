using Microsoft.Extensions.Options;

namespace MtaSts;

/// <summary>Validates <see cref="MtaStsOptions"/> at start; each message names the option and the bad value.</summary>
internal sealed class MtaStsOptionsValidator : IValidateOptions<MtaStsOptions>
{
    /// <summary>The proxy schemes <see cref="System.Net.Http.SocketsHttpHandler"/> supports.</summary>
    private static readonly HashSet<string> ProxySchemes = new(StringComparer.OrdinalIgnoreCase) { "http", "https", "socks4", "socks4a", "socks5" };

    public ValidateOptionsResult Validate(string? name, MtaStsOptions options)
    {
        var failures = new List<string>();
        Positive(nameof(MtaStsOptions.DnsTimeout), options.DnsTimeout, failures);
        Positive(nameof(MtaStsOptions.DiscoveryTimeout), options.DiscoveryTimeout, failures);
        Positive(nameof(MtaStsOptions.FetchTimeout), options.FetchTimeout, failures);
        Positive(nameof(MtaStsOptions.RefreshUsedWithin), options.RefreshUsedWithin, failures);
        Positive(nameof(MtaStsOptions.RecordCheckInterval), options.RecordCheckInterval, failures);
        Positive(nameof(MtaStsOptions.RefreshInterval), options.RefreshInterval, failures);
        Positive(nameof(MtaStsOptions.UnusedPolicyLifetime), options.UnusedPolicyLifetime, failures);
        Positive(nameof(MtaStsOptions.StoreTimeout), options.StoreTimeout, failures);
        if (options.NegativeCacheMinimum < TimeSpan.Zero || options.NegativeCacheMaximum < TimeSpan.Zero || options.NegativeCacheMinimum > options.NegativeCacheMaximum && options.NegativeCacheMaximum > TimeSpan.Zero)
        {
            failures.Add($"MtaStsOptions.NegativeCacheMinimum and NegativeCacheMaximum must not be negative, and the minimum not above the maximum (were {options.NegativeCacheMinimum} and {options.NegativeCacheMaximum}).");
        }

        if (options.FetchBackoff < TimeSpan.Zero)
        {
            failures.Add($"MtaStsOptions.FetchBackoff must not be negative (was {options.FetchBackoff}).");
        }

        if (options.FetchRetryDelay < TimeSpan.Zero)
        {
            failures.Add($"MtaStsOptions.FetchRetryDelay must not be negative (was {options.FetchRetryDelay}).");
        }

        if (options.FetchRetryCount is < 0 or > 10)
        {
            failures.Add($"MtaStsOptions.FetchRetryCount must be between 0 and 10 (was {options.FetchRetryCount}).");
        }

        if (options.MaxPolicyBodySize is < 1 or > MtaStsOptions.MaxPolicyBodySizeLimit)
        {
            failures.Add($"MtaStsOptions.MaxPolicyBodySize must be between 1 and {MtaStsOptions.MaxPolicyBodySizeLimit} bytes (was {options.MaxPolicyBodySize}).");
        }

        if (!Enum.IsDefined(options.RevocationMode))
        {
            failures.Add($"MtaStsOptions.RevocationMode is not a defined X509RevocationMode (was {(int)options.RevocationMode}).");
        }

        if (options.PolicyHostPort is < 1 or > 65535)
        {
            failures.Add($"MtaStsOptions.PolicyHostPort must be a TCP port (was {options.PolicyHostPort}).");
        }

        if (options.Proxy is { } proxy)
        {
            if (!proxy.IsAbsoluteUri || !ProxySchemes.Contains(proxy.Scheme))
            {
                failures.Add($"MtaStsOptions.Proxy must be an absolute http, https, socks4, socks4a or socks5 URI (was '{proxy}').");
            }
            else if (!string.IsNullOrEmpty(proxy.UserInfo))
            {
                failures.Add($"MtaStsOptions.Proxy must not carry user information (was '{proxy.Scheme}://…@{proxy.Authority}').");
            }
            else if (proxy.PathAndQuery != "/" || !string.IsNullOrEmpty(proxy.Fragment))
            {
                failures.Add($"MtaStsOptions.Proxy must be a scheme, host and port only (was '{proxy}').");
            }
        }

        for (var i = 0; i < options.NameServers.Count; i++)
        {
            if (options.NameServers[i] is null)
            {
                failures.Add($"MtaStsOptions.NameServers[{i}] is null.");
            }
        }

        for (var i = 0; i < options.TrustedValidatingResolvers.Count; i++)
        {
            // RFC 7672 §2.1.3: a trusted resolver is one particular host; "any address" would trust every answer.
            if (options.TrustedValidatingResolvers[i] is not { } resolver || resolver.Equals(System.Net.IPAddress.Any) || resolver.Equals(System.Net.IPAddress.IPv6Any))
            {
                failures.Add($"MtaStsOptions.TrustedValidatingResolvers[{i}] must be the address of a resolver (was '{options.TrustedValidatingResolvers[i]?.ToString() ?? "null"}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(string name, TimeSpan value, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"MtaStsOptions.{name} must be greater than zero (was {value}).");
        }
    }
}
