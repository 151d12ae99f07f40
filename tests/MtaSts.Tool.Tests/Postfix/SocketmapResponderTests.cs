using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class SocketmapResponderTests
{
    private static readonly MtaStsPolicy Enforce = SocketmapRepliesTests.Policy("enforce", "mx.example.com");
    private readonly FakePolicyResolver _resolver = new();
    private readonly SocketmapTelemetry _telemetry = new(null);

    [Fact]
    public void Begin_CachedPolicy_AnswersSynchronouslyWithTheSameBytesEachTime()
    {
        _resolver.Set("example.com", () => Resolution("example.com", PolicyResolutionStatus.Cached, Enforce));
        var sut = Responder();

        var first = sut.Begin("postfix example.com"u8);
        var second = sut.Begin("postfix [EXAMPLE.com]:25"u8);

        Assert.Equal("50:OK secure match=mx.example.com servername=hostname,", Text(first.Reply));
        Assert.Same(first.Reply, second.Reply);
    }

    [Fact]
    public void Begin_NewPolicyObject_WritesANewReply()
    {
        var policy = Enforce;
        _resolver.Set("example.com", () => Resolution("example.com", PolicyResolutionStatus.Cached, policy));
        var sut = Responder();
        var before = sut.Begin("postfix example.com"u8).Reply;

        policy = SocketmapRepliesTests.Policy("enforce", "mx2.example.com");

        Assert.Equal("51:OK secure match=mx2.example.com servername=hostname,", Text(sut.Begin("postfix example.com"u8).Reply));
        Assert.NotSame(before, sut.Begin("postfix example.com"u8).Reply);
    }

    [Fact]
    public async Task Begin_ResolutionGoesToTheNetwork_RepliesWhenItEnds()
    {
        _resolver.Set("example.com", () => Resolution("example.com", PolicyResolutionStatus.Fetched, Enforce));
        _resolver.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sut = Responder();

        var answer = sut.Begin("postfix example.com"u8);
        Assert.Null(answer.Reply);
        var reply = sut.CompleteAsync(answer);
        Assert.False(reply.IsCompleted);
        _resolver.Gate.SetResult();

        Assert.Equal("50:OK secure match=mx.example.com servername=hostname,", Text(await reply));
    }

    [Theory]
    [InlineData(PolicyResolutionStatus.NoPolicy, "9:NOTFOUND ,")]
    [InlineData(PolicyResolutionStatus.TemporaryFailure, "5:TEMP ,")]
    public void Begin_NoPolicy_NotFoundOrTemp(PolicyResolutionStatus status, string expected)
    {
        _resolver.Set("example.com", () => Resolution("example.com", status, null));

        Assert.Equal(expected, Text(Responder().Begin("postfix example.com"u8).Reply));
    }

    [Fact]
    public void Begin_CachedPolicyWithAFailedRefresh_StillEnforces()
    {
        _resolver.Set("example.com", () => new PolicyResolution("example.com", PolicyResolutionStatus.Cached, Enforce, "id1", failureResultType: TlsRptResultType.StsPolicyFetchError, failureReasonCode: "http-status-500"));

        Assert.StartsWith("50:OK secure", Text(Responder().Begin("postfix example.com"u8).Reply), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Begin_ResolverThrows_TempAndTheErrorIsCounted()
    {
        _resolver.Set("example.com", () => throw new InvalidOperationException("bug"));
        _resolver.Set("example.net", () => throw new InvalidOperationException("bug"));
        var sut = Responder();

        Assert.Equal("19:TEMP internal error,", Text(sut.Begin("postfix example.com"u8).Reply));
        _resolver.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = sut.CompleteAsync(sut.Begin("postfix example.net"u8));
        _resolver.Gate.SetResult();
        Assert.Equal("19:TEMP internal error,", Text(await pending));
    }

    [Theory]
    [InlineData("postfix [192.0.2.1]")]
    [InlineData("postfix .example.com")]
    [InlineData("postfix ")]
    public void Begin_NotADomain_NotFoundWithoutAskingTheResolver(string request)
    {
        Assert.Equal("9:NOTFOUND ,", Text(Responder().Begin(Encoding.UTF8.GetBytes(request)).Reply));
        Assert.Empty(_resolver.Resolved);
    }

    [Fact]
    public void Begin_NoSpace_Perm() =>
        Assert.Equal("43:PERM malformed request: expected 'name key',", Text(Responder().Begin("example.com"u8).Reply));

    [Fact]
    public void Begin_ConfiguredName_UsesItsSettingsOthersTheDefaults()
    {
        var testing = SocketmapRepliesTests.Policy("testing", "mx.example.com");
        _resolver.Set("example.com", () => Resolution("example.com", PolicyResolutionStatus.Cached, testing));
        var sut = Responder(new Dictionary<string, SocketmapNameSettings> { ["strict"] = new() { Testing = TestingPolicy.Enforce, RequireSni = false } });

        Assert.Equal("9:NOTFOUND ,", Text(sut.Begin("postfix example.com"u8).Reply));
        Assert.Equal("30:OK secure match=mx.example.com,", Text(sut.Begin("strict example.com"u8).Reply));
        Assert.Equal("9:NOTFOUND ,", Text(sut.Begin("strictly example.com"u8).Reply));
    }

    private static PolicyResolution Resolution(string domain, PolicyResolutionStatus status, MtaStsPolicy? policy) =>
        new(domain, status, policy, policy is null ? null : "id1");

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes ?? throw new InvalidOperationException("No reply yet."));

    private SocketmapResponder Responder(Dictionary<string, SocketmapNameSettings>? names = null) =>
        new(_resolver, new SocketmapNameSettings(), names ?? [], _telemetry, NullLogger.Instance);
}
