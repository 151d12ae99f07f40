using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MtaSts.MailKit;

/// <summary>
/// Delivers a <see cref="MimeMessage"/> directly to each recipient domain's MX hosts under that domain's MTA-STS policy
/// (RFC 8461 §4, §5, §5.1): MX hosts in preference order, each matched against the policy, STARTTLS and a validated
/// certificate required under <c>enforce</c>, the next MX tried on any failure, and the TXT record re-checked before a
/// policy-caused failure is returned. Every session's outcome goes to the registered <see cref="ISmtpSessionOutcomeSink"/>s.
/// </summary>
/// <remarks>
/// <para>
/// The failure model is in <c>docs/failure-model.md</c>. Under <c>enforce</c> no SMTP reply, DNS answer, timeout or
/// exception leads to a session without policy-compliant TLS, and no reply received before such TLS makes a failure
/// permanent. Without a policy (and under <c>testing</c> and <c>none</c>) TLS is opportunistic: a refused STARTTLS or a
/// failed handshake is followed by a plaintext session. Each recipient gets its own result; only the caller's
/// cancellation and misuse throw.
/// </para>
/// <para>Obtain it from dependency injection (<c>AddMtaSts().AddMailKitDelivery()</c>) or <see cref="Create"/> (then dispose it). Thread-safe.</para>
/// </remarks>
public sealed partial class MtaStsDeliveryAgent : IAsyncDisposable, IDisposable
{
    private readonly IMtaStsPolicyResolver _resolver;
    private readonly IMtaStsDns _dns;
    private readonly MxCertificateValidator _validator;
    private readonly DaneCertificateValidator _daneValidator;
    private readonly MtaStsDeliveryOptions _options;
    private readonly ISmtpSessionOutcomeSink[] _sinks;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SmtpSessionRunner _sessions;
    private readonly DeliveryTelemetry _telemetry;
    private ServiceProvider? _ownedServices;
    private IHostedService[] _ownedHostedServices = [];
    private int _disposed;

    internal MtaStsDeliveryAgent(
        IMtaStsPolicyResolver resolver,
        IMtaStsDns dns,
        MxCertificateValidator validator,
        MtaStsDeliveryOptions options,
        IEnumerable<ISmtpSessionOutcomeSink> sinks,
        TimeProvider timeProvider,
        ILogger<MtaStsDeliveryAgent> logger,
        DeliveryTelemetry telemetry)
    {
        _resolver = resolver;
        _dns = dns;
        _validator = validator;
        _daneValidator = new DaneCertificateValidator(timeProvider);
        _options = options;
        _sinks = [.. sinks];
        _timeProvider = timeProvider;
        _logger = logger;
        _telemetry = telemetry;
        _sessions = new SmtpSessionRunner(options, options.HeloName!, timeProvider, logger, telemetry);
    }

    /// <summary>Creates an agent with its own resolver and background refresh, for programs without dependency injection.</summary>
    /// <param name="configurePolicy">Configures MTA-STS resolution; <see langword="null"/> for the defaults.</param>
    /// <param name="configureDelivery">Configures delivery; <see langword="null"/> for the defaults (then the machine must have a fully qualified name for EHLO).</param>
    /// <param name="sink">Receives every session's outcome; may be <see langword="null"/>.</param>
    /// <returns>The agent. Dispose it when done: that stops and releases its resolver.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names each bad option and its value.</exception>
    public static MtaStsDeliveryAgent Create(
        Action<MtaStsOptions>? configurePolicy = null,
        Action<MtaStsDeliveryOptions>? configureDelivery = null,
        ISmtpSessionOutcomeSink? sink = null)
    {
        var collection = new ServiceCollection();
        collection.AddMtaSts(configurePolicy).AddMailKitDelivery(configureDelivery);
        if (sink is not null)
        {
            collection.AddSingleton(sink);
        }

        var services = collection.BuildServiceProvider();
        var started = new List<IHostedService>();
        try
        {
            // Validates the options now, as ValidateOnStart would in a host.
            _ = services.GetRequiredService<IOptions<MtaStsOptions>>().Value;
            _ = services.GetRequiredService<IOptions<MtaStsDeliveryOptions>>().Value;
            var agent = services.GetRequiredService<MtaStsDeliveryAgent>();
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
                started.Add(hosted);
            }

            agent._ownedServices = services;
            agent._ownedHostedServices = [.. started];
            return agent;
        }
        catch
        {
            foreach (var hosted in started)
            {
                hosted.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            services.Dispose();
            throw;
        }
    }

    /// <summary>Stops and releases the resolver of an agent made by <see cref="Create"/>; does nothing for an agent from dependency injection.</summary>
    /// <returns>A task that completes when the resolver has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _ownedServices is not { } services)
        {
            return;
        }

        foreach (var hosted in _ownedHostedServices)
        {
            await hosted.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await services.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static byte[] Render(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(FormatOptions.Default, buffer);
        return buffer.ToArray();
    }

    /// <summary>Delivers <paramref name="message"/> to every recipient in its To, Cc and Bcc headers, one domain at a time (up to <see cref="MtaStsDeliveryOptions.MaxConcurrency"/> at once).</summary>
    /// <param name="message">The message. The envelope sender is its Sender, or else its first From mailbox.</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns>One result per recipient domain, each with a result per recipient. One domain's failure never affects another's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The message has no sender or no recipient.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The agent's resolver has been disposed.</exception>
    public async Task<IReadOnlyList<DomainDeliveryResult>> DeliverAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = message.Sender ?? message.From.Mailboxes.FirstOrDefault()
            ?? throw new ArgumentException("The message has neither a Sender nor a From mailbox.", nameof(message));

        // One group per policy domain: Bücher.example and xn--bcher-kva.example are the same domain.
        var groups = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes)
            .GroupBy(m => PolicyDomainName.TryParse(m.Domain, out var name) ? name.Value : m.Domain, StringComparer.Ordinal)
            .ToList();
        if (groups.Count == 0)
        {
            throw new ArgumentException("The message has no recipient.", nameof(message));
        }

        // MailKit prepares the message for each server (re-encoding parts to what it supports) and reads its content streams
        // while writing: concurrent sessions must not share one MimeMessage. Each domain gets its own copy.
        var rendered = groups.Count > 1 ? Render(message) : null;
        using var gate = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrency));
        var tasks = groups.Select(async g =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var copy = rendered is null ? message : MimeMessage.Load(new MemoryStream(rendered, writable: false), cancellationToken);
                return await DeliverToDomainAsync(copy, sender, g.Key, [.. g], isReportDelivery: false, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Delivers <paramref name="message"/> to recipients of one domain.</summary>
    /// <param name="message">
    /// The message. MailKit may re-encode its parts for a server; do not send or change the same instance elsewhere while
    /// this runs (<see cref="DeliverAsync(MimeMessage, CancellationToken)"/> gives each domain its own copy).
    /// </param>
    /// <param name="sender">The envelope sender.</param>
    /// <param name="domain">The recipient domain (the policy domain). An address literal or malformed name gives a permanent failure for every recipient.</param>
    /// <param name="recipients">The recipients, all at <paramref name="domain"/>.</param>
    /// <param name="isReportDelivery">
    /// <see langword="true"/> when the message is a TLS report: RFC 8460 §3 says its delivery must not be subject to MTA-STS, so
    /// TLS is opportunistic and the session is marked <see cref="SmtpSessionOutcome.IsReportDelivery"/> (not counted in reports).
    /// This turns MTA-STS off for the delivery: set it only for reports your own code generated, never from anything in the
    /// message (a header, a content type) that its author controls.
    /// </param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    /// <returns>The result for the domain, with a result per recipient.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="recipients"/> is empty, or a recipient is not at <paramref name="domain"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The agent's resolver has been disposed.</exception>
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
        if (recipients.Count == 0)
        {
            throw new ArgumentException("There is no recipient to deliver to.", nameof(recipients));
        }

        var parsed = PolicyDomainName.TryParse(domain, out var name);
        foreach (var recipient in recipients)
        {
            ArgumentNullException.ThrowIfNull(recipient, nameof(recipients));
            if (parsed ? !PolicyDomainName.TryParse(recipient.Domain, out var at) || at != name : !string.Equals(recipient.Domain, domain, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"The recipient '{recipient.Address}' is not at '{domain}': each domain is delivered under its own policy.", nameof(recipients));
            }
        }

        if (!parsed)
        {
            // Address literals and malformed names: RFC 8461 §3.4 gives them no policy, and this agent routes by MX only.
            var invalid = new DeliveryContext(message, sender, default, recipients, isReportDelivery);
            var failed = invalid.FailAll($"{ReasonCodes.NotADomain}: '{domain}'");
            return new DomainDeliveryResult(domain, failed.RecipientResults, null, [], failed.Detail);
        }

        var context = new DeliveryContext(message, sender, name, recipients, isReportDelivery);
        var started = _timeProvider.GetTimestamp();
        using var activity = _telemetry.ActivitySource.StartActivity("mtasts.delivery");
        activity?.SetTag("mtasts.policy_domain", name.Value);
        activity?.SetTag("mtasts.delivery.recipients", recipients.Count);
        using var deadline = new CancellationTokenSource(_options.DomainTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await DeliverAsync(context, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
        {
            // Issue-8 rule 8: the domain's deadline ends the delivery; nothing is lost of what was decided before.
            context.Detail = ReasonCodes.DomainTimeout;
            context.DeferAll(ReasonCodes.DomainTimeout);
        }

        var result = context.ToResult();
        var mode = context.AppliedPolicy?.Mode;
        _telemetry.Delivery(_timeProvider.GetElapsedTime(started), result.Status, mode);
        activity?.SetTag(DeliveryTelemetry.PolicyModeTag, DeliveryTelemetry.ModeTag(mode));
        activity?.SetTag(DeliveryTelemetry.DeliveryStatusTag, DeliveryTelemetry.StatusTag(result.Status));
        if (result.Status is DeliveryStatus.TemporaryFailure or DeliveryStatus.PermanentFailure)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Detail);
        }

        return result;
    }
}
