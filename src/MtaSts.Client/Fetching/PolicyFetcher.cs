using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace MtaSts;

/// <summary>
/// Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> (RFC 8461 §3.3) through the <c>MtaSts</c>
/// named client, within one overall budget, and turns every outcome into a <see cref="PolicyFetchResult"/>.
/// </summary>
internal sealed partial class PolicyFetcher : IPolicyFetcher
{
    /// <summary>The name of the <see cref="HttpClient"/> the fetcher uses.</summary>
    public const string HttpClientName = MtaStsHttpClient.Name;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly PolicyHttpHandlerFactory _handlerFactory;
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly MtaStsTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<PolicyFetchResult> _pipeline;

    public PolicyFetcher(
        IHttpClientFactory httpClientFactory,
        PolicyHttpHandlerFactory handlerFactory,
        MtaStsOptions options,
        TimeProvider timeProvider,
        MtaStsTelemetry telemetry,
        ILogger<PolicyFetcher> logger,
        ILoggerFactory loggerFactory)
    {
        _httpClientFactory = httpClientFactory;
        _handlerFactory = handlerFactory;
        _options = options;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;

        // RFC 8461 §3.3: one overall budget (FetchTimeout) around the retries. Polly's own telemetry is on, through the
        // application's logger factory and the Polly meter (pipeline.name MtaSts.Client.PolicyFetch), and retries are
        // also counted on this package's meter.
        var builder = new ResiliencePipelineBuilder<PolicyFetchResult>
        {
            Name = MtaStsDiagnostics.FetchPipelineName,
            TimeProvider = timeProvider,
        };
        var telemetryOptions = new TelemetryOptions
        {
            LoggerFactory = loggerFactory,
            ResultFormatter = static (_, result) => result is PolicyFetchResult fetch ? fetch.ReasonCode ?? "policy" : result,
        };
        telemetryOptions.TelemetryListeners.Add(new FetchTelemetryListener(telemetry));
        builder.ConfigureTelemetry(telemetryOptions);
        builder.AddTimeout(new TimeoutStrategyOptions { Name = "FetchTimeout", Timeout = options.FetchTimeout });
        if (options.FetchRetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<PolicyFetchResult>
            {
                Name = "FetchRetry",
                MaxRetryAttempts = options.FetchRetryCount,
                Delay = options.FetchRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result?.IsTransient == true),
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>Fetches and parses the policy of <paramref name="policyDomain"/> (already normalised).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<PolicyFetchResult> FetchAsync(string policyDomain, CancellationToken cancellationToken) =>
        FetchAsync(policyDomain, null, cancellationToken);

    /// <summary>Fetches and parses the policy of <paramref name="policyDomain"/>, recording what the fetch saw into <paramref name="details"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<PolicyFetchResult> FetchAsync(string policyDomain, PolicyFetchDetails? details, CancellationToken cancellationToken)
    {
        using var activity = _telemetry.ActivitySource.StartActivity("mtasts.fetch", ActivityKind.Client);
        var host = "mta-sts." + policyDomain;
        activity?.SetTag("server.address", host);
        activity?.SetTag("mtasts.policy_domain", policyDomain);
        var started = _timeProvider.GetTimestamp();
        PolicyFetchResult result;
        try
        {
            result = await _pipeline.ExecuteAsync(
                static (state, ct) => new ValueTask<PolicyFetchResult>(state.Fetcher.FetchOnceAsync(state.Host, state.Details, ct)),
                (Fetcher: this, Host: host, Details: details),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            result = PolicyFetchResult.FetchError("timeout");
        }

        var elapsed = _timeProvider.GetElapsedTime(started);
        _telemetry.RecordFetch(elapsed, result.ReasonCode);
        if (result.Policy is null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.ReasonCode);
            activity?.SetTag("error.type", result.ReasonCode);
            LogFetchFailed(_logger, policyDomain, result.ResultType!.Value.ToResultTypeString(), result.ReasonCode!);
        }
        else
        {
            LogFetched(_logger, policyDomain, result.Policy.Mode, (long)result.Policy.MaxAge.TotalSeconds, elapsed.TotalMilliseconds);
        }

        return result;
    }

    private async Task<PolicyFetchResult> FetchOnceAsync(string host, PolicyFetchDetails? details, CancellationToken cancellationToken)
    {
        var port = _options.PolicyHostPort == 443 ? "" : ":" + _options.PolicyHostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://{host}{port}/.well-known/mta-sts.txt"));
        if (details is not null)
        {
            details.Reset();
            details.Url = request.RequestUri;
        }

        // RFC 8461 §3.3: "senders SHOULD NOT use HTTP caching": never a conditional request, and ask intermediaries not to serve a stale copy.
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true, NoStore = true };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));

        // A fresh connection per fetch (checklist B.12): the address guard and the certificate check run every time.
        request.Headers.ConnectionClose = true;

        if (_options.Proxy is not null && await _handlerFactory.GetProxiedHostRefusalAsync(host, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            // Decision 21, as far as it still applies behind a proxy (MtaStsOptions.Proxy).
            return PolicyFetchResult.FetchError("policy-host-address-" + refusal);
        }

        var client = _httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (details is not null)
            {
                Describe(details, host, response);
            }

            return await ReadResponseAsync(response, details, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (HttpRequestFailure.FindInner<PolicyHostRefusedException>(ex) is { } refused)
        {
            return PolicyFetchResult.FetchError(refused.ReasonCode);
        }
        catch (HttpRequestException ex) when (HttpRequestFailure.FindInner<DnsLookupException>(ex) is not null)
        {
            return PolicyFetchResult.FetchError("policy-host-dns-failure", transient: true);
        }
        catch (HttpRequestException ex) when (HttpRequestFailure.IsTlsHandshake(ex))
        {
            // RFC 8460 §4.3.2: a policy host certificate failure is sts-webpki-invalid.
            var verdict = _handlerFactory.TakeLastCertificateResult(host);
            if (details is not null)
            {
                details.CertificateResult = verdict;
                (details.Certificate, details.PresentedChain) = _handlerFactory.TakeLastCertificate(host) ?? default;
            }

            return PolicyFetchResult.WebPkiInvalid(verdict is { IsValid: false } v ? v.ReasonCode! : "tls-handshake-failed");
        }
        catch (HttpRequestException ex)
        {
            return PolicyFetchResult.FetchError("http-" + ex.HttpRequestError.ToString().ToLowerInvariant(), transient: true);
        }
        catch (IOException)
        {
            return PolicyFetchResult.FetchError("connection-error", transient: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout inside the HTTP stack that is not the fetch budget's: still a failed fetch, never an exception.
            return PolicyFetchResult.FetchError("connect-timeout", transient: true);
        }
    }

    private void Describe(PolicyFetchDetails details, string host, HttpResponseMessage response)
    {
        details.StatusCode = (int)response.StatusCode;
        details.ContentType = response.Content.Headers.ContentType?.ToString();
        details.ContentLength = response.Content.Headers.ContentLength;
        details.CertificateResult = _handlerFactory.TakeLastCertificateResult(host);
        (details.Certificate, details.PresentedChain) = _handlerFactory.TakeLastCertificate(host) ?? default;
    }

    private async Task<PolicyFetchResult> ReadResponseAsync(HttpResponseMessage response, PolicyFetchDetails? details, CancellationToken cancellationToken)
    {
        // RFC 8461 §3.3: "Senders [...] MUST only accept responses with HTTP status code 200".
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = (int)response.StatusCode;
            return PolicyFetchResult.FetchError(
                "http-status-" + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
                transient: code >= 500 || code is 408 or 429);
        }

        // RFC 8461 §3.2: the policy "is served with the media type text/plain" (parameters are ignored).
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (_options.RequireTextPlain && !string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return PolicyFetchResult.Invalid("content-type-not-text-plain");
        }

        var limit = _options.MaxPolicyBodySize;
        if (response.Content.Headers.ContentLength > limit)
        {
            return PolicyFetchResult.FetchError("policy-too-large");
        }

        // Decision 19: the body is capped while streaming, whatever Content-Length says.
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var length = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > limit)
                    {
                        details?.BodyLength = length;
                        return PolicyFetchResult.FetchError("policy-too-large");
                    }
                }

                if (details is not null)
                {
                    details.BodyLength = length;
                    details.Body = buffer.AsSpan(0, length).ToArray();
                }

                if (!MtaStsPolicy.TryDecode(buffer.AsSpan(0, length), out var text, out var decodeError))
                {
                    return PolicyFetchResult.Invalid(ReasonFor(decodeError));
                }

                var policy = MtaStsPolicy.ParseCore(text, out var error);
                return policy is null ? PolicyFetchResult.Invalid(ReasonFor(error)) : PolicyFetchResult.Success(policy);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string ReasonFor(MtaStsPolicy.ParseError error) =>
        error.Line is { } line
            ? $"policy-syntax-line-{line}: {error.Rule}"
            : "policy-syntax: " + error.Rule;

    [LoggerMessage(EventId = 20, EventName = "PolicyFetched", Level = LogLevel.Debug,
        Message = "Fetched the MTA-STS policy of {PolicyDomain}: mode {Mode}, max_age {MaxAgeSeconds} s, in {ElapsedMilliseconds} ms.")]
    private static partial void LogFetched(ILogger logger, string policyDomain, MtaStsMode mode, long maxAgeSeconds, double elapsedMilliseconds);

    [LoggerMessage(EventId = 21, EventName = "PolicyFetchFailed", Level = LogLevel.Warning,
        Message = "Fetching the MTA-STS policy of {PolicyDomain} failed: {ResultType} ({ReasonCode}).")]
    private static partial void LogFetchFailed(ILogger logger, string policyDomain, string resultType, string reasonCode);
}
