using System.Net.Http;
using System.Security.Authentication;

namespace MtaSts;

/// <summary>
/// Reads why a request through the guarded handler (<see cref="PolicyHttpHandlerFactory"/>) failed: the policy fetch and
/// the TLS-RPT HTTPS transport turn the same failures into their own result values.
/// </summary>
internal static class HttpRequestFailure
{
    /// <summary>Finds the first exception of type <typeparamref name="T"/> among the inner exceptions of <paramref name="exception"/>.</summary>
    public static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>
    /// Gets a value indicating whether the request failed in the TLS handshake; the handler's certificate verdict for the
    /// host (<see cref="PolicyHttpHandlerFactory.TakeLastCertificateResult"/>) then says why, if the certificate was the cause.
    /// </summary>
    public static bool IsTlsHandshake(HttpRequestException exception) =>
        exception.HttpRequestError == HttpRequestError.SecureConnectionError || FindInner<AuthenticationException>(exception) is not null;
}
