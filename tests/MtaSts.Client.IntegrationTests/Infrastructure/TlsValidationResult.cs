using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>The outcome of one server certificate validation performed by <see cref="LoopbackHttpsClient"/>.</summary>
/// <param name="PolicyErrors">Name and availability errors reported by SslStream, plus chain errors from the test-root-only chain.</param>
/// <param name="ChainStatus">Every status flag of the test-root-only chain (<see cref="X509ChainStatusFlags.NoError"/> when valid).</param>
/// <param name="Subject">Subject of the certificate the server presented, if any.</param>
public sealed record TlsValidationResult(SslPolicyErrors PolicyErrors, X509ChainStatusFlags ChainStatus, string? Subject)
{
    /// <summary>Whether the certificate was accepted.</summary>
    public bool IsValid => PolicyErrors == SslPolicyErrors.None;
}
