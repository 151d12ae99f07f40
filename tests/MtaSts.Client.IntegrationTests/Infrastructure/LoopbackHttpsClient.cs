using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// An <see cref="HttpClient"/> that sends every request, whatever its host name, to one loopback endpoint (normally
/// <see cref="HttpsPolicyServer.EndPoint"/>), keeps the URI host for SNI, the Host header and name checks, and accepts
/// a server certificate only if it chains to the given test root (custom root trust: the system store is ignored).
/// Each validation is recorded. Redirects are not followed and no proxy is used.
/// </summary>
public sealed class LoopbackHttpsClient : IDisposable
{
    private readonly IPEndPoint _server;
    private readonly X509ChainPolicy _chainPolicy;
    private readonly ConcurrentQueue<TlsValidationResult> _validations = new();

    /// <summary>Creates the client.</summary>
    /// <param name="server">Where to connect, whatever the request URI says.</param>
    /// <param name="trustedRoot">The only trust anchor.</param>
    /// <param name="revocationMode">Revocation checking (CRLs are fetched from the distribution point when online).</param>
    /// <param name="timeout">Overall request timeout; 10 seconds by default.</param>
    public LoopbackHttpsClient(
        IPEndPoint server,
        X509Certificate2 trustedRoot,
        X509RevocationMode revocationMode = X509RevocationMode.NoCheck,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(trustedRoot);
        _server = server;
        _chainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = revocationMode,
            DisableCertificateDownloads = true,
            UrlRetrievalTimeout = TimeSpan.FromSeconds(5),
        };
        _chainPolicy.CustomTrustStore.Add(trustedRoot);

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = Validate },
        };
        Client = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
    }

    /// <summary>The HTTP client.</summary>
    public HttpClient Client { get; }

    /// <summary>Every certificate validation so far, in order.</summary>
    public IReadOnlyList<TlsValidationResult> Validations => [.. _validations];

    /// <summary>The most recent certificate validation, if any.</summary>
    public TlsValidationResult? LastValidation => _validations.LastOrDefault();

    /// <summary>GETs <c>https://{policyHost}/.well-known/mta-sts.txt</c>.</summary>
    public Task<HttpResponseMessage> GetPolicyAsync(string policyHost, CancellationToken cancellationToken = default) =>
        Client.GetAsync(new Uri($"https://{policyHost}{HttpsPolicyServer.PolicyPath}"), cancellationToken);

    /// <inheritdoc />
    public void Dispose() => Client.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_server, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors)
    {
        if (certificate is null)
        {
            _validations.Enqueue(new TlsValidationResult(SslPolicyErrors.RemoteCertificateNotAvailable, X509ChainStatusFlags.NoError, null));
            return false;
        }

        using var ownedLeaf = certificate is X509Certificate2 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var leaf = ownedLeaf ?? (X509Certificate2)certificate;
        using var custom = new X509Chain { ChainPolicy = _chainPolicy.Clone() };
        if (chain is not null)
        {
            // Intermediates the server sent along with its certificate.
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        var chainIsValid = custom.Build(leaf);
        var status = custom.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        var errors = sslPolicyErrors & ~SslPolicyErrors.RemoteCertificateChainErrors;
        if (!chainIsValid)
        {
            errors |= SslPolicyErrors.RemoteCertificateChainErrors;
        }

        _validations.Enqueue(new TlsValidationResult(errors, status, leaf.Subject));
        return errors == SslPolicyErrors.None;
    }
}
