using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>
/// What the MailKit adapter adds to one delivery connection — the policy from the cache, the MX pattern check and the
/// certificate check beyond what <see cref="SslStream"/> does — against the loopback TLS handshake it rides on
/// (issue #4 target: below 5%). Both sides use the same certificate, issued by a root made in <see cref="Setup"/>;
/// revocation checking is off so that no network is involved.
/// </summary>
[MemoryDiagnoser]
public class AdapterOverheadBenchmarks
{
    private const string MxHost = "mx.example.com";
    private ResolverHarness _resolver = null!;
    private X509Certificate2 _root = null!;
    private X509Certificate2 _leaf = null!;
    private X509Chain _presented = null!;
    private MxCertificateValidator _validator = null!;
    private TcpListener _listener = null!;
    private CancellationTokenSource _stop = null!;
    private Task _server = null!;

    [GlobalSetup]
    public void Setup()
    {
        _resolver = new ResolverHarness(1);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Benchmark Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.Now;
        _root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=" + MxHost, leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(MxHost);
        leafRequest.CertificateExtensions.Add(san.Build());
        using var issued = leafRequest.Create(_root, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(8));
        _leaf = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(leafKey).Export(X509ContentType.Pkcs12), null);
        _presented = new X509Chain();
        _validator = new MxCertificateValidator([_root], X509RevocationMode.NoCheck);

        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _stop = new CancellationTokenSource();
        _server = Task.Run(ServeAsync);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _listener.Stop();
        _resolver.Dispose();
        _presented.Dispose();
        _leaf.Dispose();
        _root.Dispose();
    }

    /// <summary>A TCP connection and a full TLS handshake on loopback, as every delivery to an MX host makes.</summary>
    [Benchmark(Baseline = true)]
    public async Task<SslProtocols> LoopbackTlsHandshake()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        await using var tls = new SslStream(client.GetStream(), false, static (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = MxHost,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        });
        return tls.SslProtocol;
    }

    /// <summary>The adapter's own work for a connection to a server seen before: policy from cache, MX check, certificate check.</summary>
    [Benchmark]
    public bool AdapterChecks()
    {
        var resolution = _resolver.Resolver.ResolveAsync("example.com").Result;
        return resolution.Policy!.MatchesMx(MxHost) && _validator.Validate(_leaf, _presented, MxHost).IsValid;
    }

    /// <summary>The same for the first connection to a server: no chain verdict to reuse yet.</summary>
    [Benchmark]
    public bool AdapterChecks_FirstContact()
    {
        var resolution = _resolver.Resolver.ResolveAsync("example.com").Result;
        var validator = new MxCertificateValidator([_root], X509RevocationMode.NoCheck);
        return resolution.Policy!.MatchesMx(MxHost) && validator.Validate(_leaf, _presented, MxHost).IsValid;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient accepted;
            try
            {
                accepted = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (accepted)
                {
                    try
                    {
                        await using var tls = new SslStream(accepted.GetStream(), false);
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = _leaf,
                            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        });
                    }
                    catch (Exception ex) when (ex is IOException or AuthenticationException)
                    {
                        // The client went away.
                    }
                }
            });
        }
    }
}
