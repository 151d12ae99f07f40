using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace MtaSts;

/// <summary>
/// POSTs TLS reports to <c>https:</c> destinations (RFC 8460 §5.4) through the <c>MtaSts.TlsRpt</c> named client, whose
/// handler is the policy fetch's: no redirects, TLS 1.2 or later, the project's certificate checks, and the SSRF guard
/// (<see cref="AddressGuard"/>) on every address. Success is a 2xx only; the response body is never read.
/// </summary>
internal sealed class HttpsTlsReportTransport : ITlsReportTransport
{
    /// <summary>The name of the <see cref="HttpClient"/> the transport uses.</summary>
    public const string HttpClientName = "MtaSts.TlsRpt";

    private static readonly MediaTypeHeaderValue GzipMediaType = new("application/tlsrpt+gzip");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly PolicyHttpHandlerFactory _handlerFactory;
    private readonly TlsRptOptions _options;
    private readonly TimeProvider _timeProvider;

    public HttpsTlsReportTransport(IHttpClientFactory httpClientFactory, PolicyHttpHandlerFactory handlerFactory, TlsRptOptions options, TimeProvider timeProvider)
    {
        _httpClientFactory = httpClientFactory;
        _handlerFactory = handlerFactory;
        _options = options;
        _timeProvider = timeProvider;
    }

    public string Scheme => Uri.UriSchemeHttps;

    public async Task<TlsReportDeliveryResult> DeliverAsync(TlsReportSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var uri = submission.Destination;
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(submission.GzipContent),
        };

        // RFC 8460 §5.4: "If compressed, the report SHOULD use the media type "application/tlsrpt+gzip"".
        request.Content.Headers.ContentType = GzipMediaType;
        request.Headers.ConnectionClose = true;

        using var timeout = new CancellationTokenSource(_options.HttpsTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var client = _httpClientFactory.CreateClient(HttpClientName);
        try
        {
            // Headers only: the body of the answer is never read, whatever its size.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            var detail = "http-status-" + code.ToString(CultureInfo.InvariantCulture);

            // RFC 8460 §5.4: "The receiving system MUST return a "successful" response from its HTTPS server, typically a 200 or 201".
            if (code is >= 200 and <= 299)
            {
                return TlsReportDeliveryResult.Delivered(detail);
            }

            return code >= 500 || code is 408 or 429
                ? TlsReportDeliveryResult.TemporaryFailure(detail)
                : TlsReportDeliveryResult.PermanentFailure(detail);
        }
        catch (HttpRequestException ex) when (HttpRequestFailure.FindInner<PolicyHostRefusedException>(ex) is { } refused)
        {
            // The SSRF guard: the host resolves only to addresses in refused ranges (Decision 21).
            return TlsReportDeliveryResult.PermanentFailure(refused.ReasonCode.Replace("policy-host", "report-host", StringComparison.Ordinal));
        }
        catch (HttpRequestException ex) when (HttpRequestFailure.IsTlsHandshake(ex))
        {
            var verdict = _handlerFactory.TakeLastCertificateResult(uri.IdnHost);
            return TlsReportDeliveryResult.TemporaryFailure(verdict is { IsValid: false } v ? "certificate: " + v.ReasonCode : "tls-handshake-failed");
        }
        catch (HttpRequestException ex)
        {
            return TlsReportDeliveryResult.TemporaryFailure("http-" + ex.HttpRequestError.ToString().ToLowerInvariant());
        }
        catch (IOException)
        {
            return TlsReportDeliveryResult.TemporaryFailure("connection-error");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TlsReportDeliveryResult.TemporaryFailure("timeout");
        }
        finally
        {
            // The handler remembers the last certificate verdict per host for the policy fetcher; do not let report hosts pile up.
            _handlerFactory.TakeLastCertificateResult(uri.IdnHost);
        }
    }
}
