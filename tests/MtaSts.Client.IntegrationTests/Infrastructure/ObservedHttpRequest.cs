namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>One HTTP request as received by <see cref="HttpsPolicyServer"/>.</summary>
/// <param name="Host">Host header without port, lower case.</param>
/// <param name="Method">Request method.</param>
/// <param name="Path">Request path, for example <c>/.well-known/mta-sts.txt</c>.</param>
/// <param name="Protocol">HTTP protocol, for example <c>HTTP/1.1</c>.</param>
public sealed record ObservedHttpRequest(string Host, string Method, string Path, string Protocol);
