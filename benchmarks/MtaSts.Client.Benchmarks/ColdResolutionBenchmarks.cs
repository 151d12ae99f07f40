using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using DnsClient;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MtaSts.Benchmarks;

/// <summary>
/// Issue 11: a cold resolution (nothing cached) against an in-process loopback DNS responder and Kestrel HTTPS policy
/// host. Target: overhead ≤ 10% over the same work done directly in the same run — the same TXT query through DnsClient,
/// the policy host's A and AAAA lookups, and the same HTTPS GET on a new TLS connection (the resolver opens one per
/// fetch) validated against the same root, body read.
/// </summary>
[MemoryDiagnoser]
public class ColdResolutionBenchmarks
{
    private const string Domain = "bench.example";
    private const string PolicyHost = "mta-sts." + Domain;
    private LoopbackDnsResponder _dns = null!;
    private WebApplication _web = null!;
    private X509Certificate2 _root = null!;
    private int _port;
    private MtaStsResolver _resolver = null!;
    private MemoryPolicyStore _store = null!;
    private LookupClient _lookup = null!;
    private HttpClient _http = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dns = new LoopbackDnsResponder();
        (_root, var leaf) = CreateCertificates();
        StartWeb(leaf);
        _resolver = MtaStsResolver.Create(o =>
        {
            o.NameServers.Add(_dns.EndPoint);
            o.TrustRoots.Add(_root);
            o.AllowPrivateAddresses = true;
            o.PolicyHostPort = _port;
            o.RevocationMode = X509RevocationMode.NoCheck;
            o.FetchRetryCount = 0;
        });
        _store = _resolver.Services.GetRequiredService<MemoryPolicyStore>();
        _lookup = new LookupClient(new LookupClientOptions(new NameServer(_dns.EndPoint)) { UseCache = false, Retries = 0 });
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => ValidateAgainstRoot(certificate),
            },
            ConnectCallback = async (context, token) =>
            {
                // Resolve the host as a direct client would (A and AAAA), then connect.
                var a = _lookup.QueryAsync(context.DnsEndPoint.Host, QueryType.A, cancellationToken: token);
                var aaaa = _lookup.QueryAsync(context.DnsEndPoint.Host, QueryType.AAAA, cancellationToken: token);
                await Task.WhenAll(a, aaaa);
                var address = a.Result.Answers.ARecords().First().Address;
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _resolver.Dispose();
        _web.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_web).Dispose();
        _dns.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> DirectTxtQueryAndHttpsGet()
    {
        var txt = await _lookup.QueryAsync("_mta-sts." + Domain, QueryType.TXT);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{PolicyHost}:{_port}/.well-known/mta-sts.txt");
        request.Headers.ConnectionClose = true;
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return txt.Answers.Count + body.Length;
    }

    [Benchmark]
    public async Task<PolicyResolution> ResolveAsync_Cold()
    {
        foreach (var entry in _store.Snapshot())
        {
            _store.Remove(entry);
        }

        var resolution = await _resolver.ResolveAsync(Domain);
        return resolution.Status == PolicyResolutionStatus.Fetched ? resolution : throw new InvalidOperationException("Not fetched: " + resolution);
    }

    private bool ValidateAgainstRoot(X509Certificate? certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return certificate is X509Certificate2 c && chain.Build(c);
    }

    private static (X509Certificate2 Root, X509Certificate2 Leaf) CreateCertificates()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Benchmark Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.Now;
        var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=" + PolicyHost, leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(PolicyHost);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leafRequest.Create(root, now.AddHours(-1), now.AddDays(7), [1, 2, 3, 4]);
        var leaf = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(leafKey).Export(X509ContentType.Pkcs12), null);
        return (root, leaf);
    }

    private void StartWeb(X509Certificate2 leaf)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.UseHttps(leaf)));
        _web = builder.Build();
        _web.Run(context =>
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("version: STSv1\nmode: enforce\nmx: mx.bench.example\nmax_age: 604800\n");
        });
        _web.StartAsync().GetAwaiter().GetResult();
        _port = new Uri(_web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
    }
}
