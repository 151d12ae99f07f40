using System.Net;
using System.Net.Sockets;
using global::MailKit.Net.Smtp;
using global::MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>
/// Delivers a <see cref="MimeMessage"/> directly to each recipient domain's MX hosts under that domain's MTA-STS policy
/// (RFC 8461 §4, §5, §5.1): MX hosts in preference order, each matched against the policy, STARTTLS and a validated
/// certificate required under <c>enforce</c>, the next MX tried on any failure, and the TXT record re-checked before a
/// policy-caused failure is returned. Every session's outcome goes to the registered <see cref="ISmtpSessionOutcomeSink"/>s.
/// </summary>
/// <remarks>Obtain it from dependency injection (<c>AddMtaSts().AddMailKitDelivery()</c>) or <see cref="Create"/> (then dispose it). Thread-safe.</remarks>
public sealed partial class MtaStsDeliveryAgent : IAsyncDisposable, IDisposable
{
    private readonly IMtaStsPolicyResolver _resolver;
    private readonly IMtaStsDns _dns;
    private readonly MxCertificateValidator _validator;
    private readonly MtaStsDeliveryOptions _options;
    private readonly ISmtpSessionOutcomeSink[] _sinks;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private IAsyncDisposable? _owner;
    private int _disposed;

    internal MtaStsDeliveryAgent(
        IMtaStsPolicyResolver resolver,
        IMtaStsDns dns,
        MxCertificateValidator validator,
        MtaStsDeliveryOptions options,
        IEnumerable<ISmtpSessionOutcomeSink> sinks,
        TimeProvider timeProvider,
        ILogger<MtaStsDeliveryAgent> logger)
    {
        _resolver = resolver;
        _dns = dns;
        _validator = validator;
        _options = options;
        _sinks = [.. sinks];
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Creates an agent with its own resolver and background refresh, for programs without dependency injection.</summary>
    /// <param name="configurePolicy">Configures MTA-STS resolution; <see langword="null"/> for the defaults.</param>
    /// <param name="configureDelivery">Configures delivery; <see langword="null"/> for the defaults.</param>
    /// <param name="sink">Receives every session's outcome; may be <see langword="null"/>.</param>
    /// <returns>The agent. Dispose it when done: that stops and releases its resolver.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public static MtaStsDeliveryAgent Create(
        Action<MtaStsOptions>? configurePolicy = null,
        Action<MtaStsDeliveryOptions>? configureDelivery = null,
        ISmtpSessionOutcomeSink? sink = null)
    {
        var resolver = MtaStsResolver.Create(configurePolicy, services =>
        {
            Microsoft.Extensions.DependencyInjection.MtaStsMailKitBuilderExtensions.AddMailKitDelivery(new Microsoft.Extensions.DependencyInjection.MtaStsBuilder(services), configureDelivery);
            if (sink is not null)
            {
                Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, sink);
            }
        });
        try
        {
            var agent = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<MtaStsDeliveryAgent>(resolver.Services);
            _ = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.Extensions.Options.IOptions<MtaStsDeliveryOptions>>(resolver.Services).Value;
            agent._owner = resolver;
            return agent;
        }
        catch
        {
            resolver.Dispose();
            throw;
        }
    }

    /// <summary>Releases the resolver of an agent made by <see cref="Create"/>; does nothing for an agent from dependency injection.</summary>
    /// <returns>A task that completes when the resolver has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _owner is { } owner)
        {
            await owner.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Delivers <paramref name="message"/> to every recipient in its To, Cc and Bcc headers, one domain at a time (up to <see cref="MtaStsDeliveryOptions.MaxConcurrency"/> at once).</summary>
    /// <param name="message">The message. The envelope sender is its Sender, or else its first From mailbox.</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns>One result per recipient domain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The message has no sender or no recipient.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<DomainDeliveryResult>> DeliverAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = message.Sender ?? message.From.Mailboxes.FirstOrDefault()
            ?? throw new ArgumentException("The message has neither a Sender nor a From mailbox.", nameof(message));
        var groups = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes)
            .GroupBy(m => m.Domain, StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (groups.Count == 0)
        {
            throw new ArgumentException("The message has no recipient.", nameof(message));
        }

        using var gate = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrency));
        var tasks = groups.Select(async g =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await DeliverToDomainAsync(message, sender, g.Key, [.. g], isReportDelivery: false, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Delivers <paramref name="message"/> to recipients of one domain.</summary>
    /// <param name="message">The message.</param>
    /// <param name="sender">The envelope sender.</param>
    /// <param name="domain">The recipient domain (the policy domain).</param>
    /// <param name="recipients">The recipients, all at <paramref name="domain"/>.</param>
    /// <param name="isReportDelivery">
    /// <see langword="true"/> when the message is a TLS report: RFC 8460 §3 says its delivery must not be subject to MTA-STS, so
    /// TLS is opportunistic and the session is marked <see cref="SmtpSessionOutcome.IsReportDelivery"/> (not counted in reports).
    /// </param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns>The result for the domain.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DomainDeliveryResult> DeliverToDomainAsync(
        MimeMessage message,
        MailboxAddress sender,
        string domain,
        IReadOnlyList<MailboxAddress> recipients,
        bool isReportDelivery = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(recipients);

        PolicyResolution resolution;
        try
        {
            resolution = await _resolver.ResolveAsync(domain, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // Address literals and malformed names: RFC 8461 §3.4 gives them no policy, and this agent routes by MX only.
            return new DomainDeliveryResult(domain, recipients, DeliveryStatus.PermanentFailure, null, [], "not-a-domain: " + ex.Message);
        }

        if (isReportDelivery)
        {
            // RFC 8460 §3: reports are delivered even when the recipient's TLS policy would refuse the session.
            resolution = new PolicyResolution(resolution.PolicyDomain, PolicyResolutionStatus.NoPolicy);
        }

        var result = await DeliverViaMxAsync(message, sender, resolution, recipients, isReportDelivery, cancellationToken).ConfigureAwait(false);
        if (result.Status == DeliveryStatus.TemporaryFailure && resolution.IsEnforced && result.Attempts.Any(IsPolicyFailure))
        {
            // Decision 26 (RFC 8461 §5.1 step 3): before a policy-caused failure stands, look for a new policy.
            var rechecked = await _resolver.RecheckAsync(resolution.PolicyDomain, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(rechecked.PolicyId, resolution.PolicyId, StringComparison.Ordinal) || rechecked.Mode != resolution.Mode)
            {
                LogPolicyChangedRetrying(_logger, resolution.PolicyDomain, resolution.PolicyId, rechecked.PolicyId);
                var retry = await DeliverViaMxAsync(message, sender, rechecked, recipients, isReportDelivery, cancellationToken).ConfigureAwait(false);
                return retry.Status == DeliveryStatus.Delivered ? retry : Merge(result, retry);
            }
        }

        return result;
    }

    private static bool IsPolicyFailure(MxAttempt attempt) =>
        attempt.Outcome is MxAttemptOutcome.NotInPolicy or MxAttemptOutcome.StartTlsNotSupported or MxAttemptOutcome.CertificateRejected or MxAttemptOutcome.TlsFailed;

    private static DomainDeliveryResult Merge(DomainDeliveryResult first, DomainDeliveryResult retry) =>
        new(retry.Domain, retry.Recipients, retry.Status, retry.Policy, [.. first.Attempts, .. retry.Attempts], retry.Detail);
}
