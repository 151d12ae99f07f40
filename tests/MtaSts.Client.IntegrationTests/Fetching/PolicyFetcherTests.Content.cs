using System.Text;
using MtaSts.IntegrationTests.Infrastructure;
using static MtaSts.IntegrationTests.Fetching.FetchTestData;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>The media type (K.26, K.27, B.7) and the body size cap (K.28, B.8, Decision 19).</summary>
public sealed partial class PolicyFetcherTests
{
    [Theory]
    [InlineData("text/html")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("application/octet-stream")]
    [InlineData("text/plainx")]
    [InlineData("application/text-plain")]
    public async Task ResolveAsync_ContentTypeNotTextPlain_NoPolicyWithPolicyInvalid(string contentType)
    {
        // K.26: the decision is to reject (RequireTextPlain defaults to true).
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Policy(MtaStsEnvironment.Policy(), contentType));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyInvalid, "content-type-not-text-plain");
        Assert.Equal(1, env.Https.RequestCount(PolicyHost(domain)));
    }

    [Fact]
    public async Task ResolveAsync_NoContentType_NoPolicyWithPolicyInvalid()
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Policy(MtaStsEnvironment.Policy(), contentType: null));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyInvalid, "content-type-not-text-plain");
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData(null)]
    public async Task ResolveAsync_OtherContentTypeWithRequireTextPlainOff_Fetched(string? contentType)
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Policy(MtaStsEnvironment.Policy(), contentType));
        await using var sut = env.CreateResolver(o => o.RequireTextPlain = false);

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8; format=flowed")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("text/plain; charset=us-ascii")]
    [InlineData("text/plain;charset=\"utf-8\"")]
    [InlineData("TEXT/Plain")]
    public async Task ResolveAsync_TextPlainWithParametersOrOtherCase_Fetched(string contentType)
    {
        // K.27: parameters are ignored; media types compare case-insensitively.
        var domain = await env.AddDomainAsync();
        env.Https.SetResponse(PolicyHost(domain), PolicyResponse.Policy(MtaStsEnvironment.Policy(), contentType));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
    }

    [Fact]
    public async Task ResolveAsync_BodyOfExactly65536BytesWithContentLength_Fetched()
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetPolicy(PolicyHost(domain), PaddedPolicy(MaxBody));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertFetched(resolution);
        Assert.Equal(MaxBody, Encoding.UTF8.GetByteCount(resolution.Policy!.Text));
        Assert.Contains(resolution.Policy.Extensions, e => e.Key == "padding");
    }

    [Fact]
    public async Task ResolveAsync_BodyOf65537BytesWithContentLength_NoPolicyWithPolicyTooLarge()
    {
        // K.28.
        var domain = await env.AddDomainAsync();
        env.Https.SetPolicy(PolicyHost(domain), PaddedPolicy(MaxBody + 1));
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-too-large");
    }

    [Theory]
    [InlineData(MaxBody, true)]
    [InlineData(MaxBody + 1, false)]
    [InlineData(4 * MaxBody, false)]
    public async Task ResolveAsync_ChunkedBodyWithoutContentLength_CappedWhileStreaming(int size, bool accepted)
    {
        // Decision 19: "Body capped at 65,536 bytes while streaming", whatever Content-Length says (here: nothing).
        await using var server = await RecordingPolicyServer.StartAsync();
        var domain = await env.AddDomainAsync();
        var host = PolicyHost(domain);
        server.SetCertificate(host, env.Ca.IssueServerCertificate(host));
        var body = Encoding.UTF8.GetBytes(PaddedPolicy(size));
        string? transferEncoding = null;
        long? contentLength = -1;
        server.SetHandler(host, async (context, _) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.StartAsync(context.RequestAborted);
            transferEncoding = context.Response.Headers.TransferEncoding.ToString();
            contentLength = context.Response.ContentLength;
            for (var offset = 0; offset < body.Length; offset += 10_000)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(10_000, body.Length - offset)), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        await using var sut = env.CreateResolver(o => o.PolicyHostPort = server.Port);

        var resolution = await sut.ResolveAsync(domain);

        Assert.Equal("chunked", transferEncoding);
        Assert.Null(contentLength);
        if (accepted)
        {
            AssertFetched(resolution);
        }
        else
        {
            AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-too-large");
        }
    }

    [Fact]
    public async Task ResolveAsync_MaxPolicyBodySize100And200BytePolicy_NoPolicyWithPolicyTooLarge()
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetPolicy(PolicyHost(domain), PaddedPolicy(200));
        await using var sut = env.CreateResolver(o => o.MaxPolicyBodySize = 100);

        var resolution = await sut.ResolveAsync(domain);

        AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-too-large");
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public async Task ResolveAsync_MaxPolicyBodySize100_LimitIsInclusive(int size, bool accepted)
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetPolicy(PolicyHost(domain), PaddedPolicy(size));
        await using var sut = env.CreateResolver(o => o.MaxPolicyBodySize = 100);

        var resolution = await sut.ResolveAsync(domain);

        if (accepted)
        {
            AssertFetched(resolution);
        }
        else
        {
            AssertNoPolicy(resolution, TlsRptResultType.StsPolicyFetchError, "policy-too-large");
        }
    }

    [Fact]
    public async Task ResolveAsync_InvalidPolicyBody_NoPolicyWithPolicyInvalidNamingTheLine()
    {
        var domain = await env.AddDomainAsync();
        env.Https.SetPolicy(PolicyHost(domain), "version: STSv1\nmode: bogus\nmax_age: 86400\nmx: mx.example.net\n");
        await using var sut = env.CreateResolver();

        var resolution = await sut.ResolveAsync(domain);

        Assert.Equal(PolicyResolutionStatus.NoPolicy, resolution.Status);
        Assert.Equal(TlsRptResultType.StsPolicyInvalid, resolution.FailureResultType);
        Assert.StartsWith("policy-syntax-line-2", resolution.FailureReasonCode, StringComparison.Ordinal);
    }
}
