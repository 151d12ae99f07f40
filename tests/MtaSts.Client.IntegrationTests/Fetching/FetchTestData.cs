using System.Text;
using Microsoft.AspNetCore.Http;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>Names, bodies and assertions shared by the fetching tests.</summary>
internal static class FetchTestData
{
    /// <summary>The largest body the fetcher accepts by default (RFC 8461 §3.3 suggests 64 KiB).</summary>
    public const int MaxBody = MtaStsOptions.MaxPolicyBodySizeLimit;

    /// <summary>The policy host of <paramref name="domain"/> (RFC 8461 §3.3).</summary>
    public static string PolicyHost(string domain) => "mta-sts." + domain;

    /// <summary>
    /// A valid <c>enforce</c> policy (max_age 86400, <c>mx: mx.example.net</c>) of exactly <paramref name="totalBytes"/>
    /// UTF-8 bytes: the standard fields followed by one extension line padded with <c>x</c>.
    /// </summary>
    public static string PaddedPolicy(int totalBytes)
    {
        var head = MtaStsEnvironment.Policy() + "padding: ";
        var text = head + new string('x', totalBytes - head.Length - 1) + "\n";
        Assert.Equal(totalBytes, Encoding.UTF8.GetByteCount(text));
        return text;
    }

    /// <summary>Asserts that nothing applies (no cache) and that <paramref name="resultType"/> (<paramref name="reasonCode"/>) is to be reported.</summary>
    public static void AssertNoPolicy(PolicyResolution resolution, TlsRptResultType resultType, string reasonCode)
    {
        Assert.Equal(
            (PolicyResolutionStatus.NoPolicy, (TlsRptResultType?)resultType, reasonCode),
            (resolution.Status, resolution.FailureResultType, resolution.FailureReasonCode));
        Assert.Null(resolution.Policy);
        Assert.Null(resolution.PolicyId);
        Assert.False(resolution.IsEnforced);
    }

    /// <summary>Asserts that a fetched policy applies and no failure is reported.</summary>
    public static void AssertFetched(PolicyResolution resolution, string policyId = "id1")
    {
        Assert.True(
            resolution.Status == PolicyResolutionStatus.Fetched && resolution.FailureResultType is null,
            $"expected a fetched policy without failure, got {resolution} (reason code: {resolution.FailureReasonCode ?? "none"})");
        Assert.Equal(policyId, resolution.PolicyId);
        Assert.True(resolution.IsEnforced);
    }

    /// <summary>Writes an empty response with <paramref name="statusCode"/>.</summary>
    public static Task WriteStatusAsync(HttpContext context, int statusCode)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    /// <summary>Writes a 200 <c>text/plain</c> policy with a Content-Length, plus <paramref name="headers"/>.</summary>
    public static async Task WritePolicyAsync(HttpContext context, string policyText, params (string Name, string Value)[] headers)
    {
        var body = Encoding.UTF8.GetBytes(policyText);
        context.Response.ContentType = "text/plain";
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
