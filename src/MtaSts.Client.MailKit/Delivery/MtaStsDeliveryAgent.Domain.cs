namespace MtaSts.MailKit;

public sealed partial class MtaStsDeliveryAgent
{
    /// <summary>One domain: resolve the policy, try the MX hosts, and re-check before a policy-caused failure stands.</summary>
    private async Task DeliverAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var domain = context.Domain.Value;
        context.Resolution = await _resolver.ResolveAsync(domain, cancellationToken).ConfigureAwait(false);
        if (context.Resolution.Status == PolicyResolutionStatus.TemporaryFailure && !context.IsReportDelivery)
        {
            // Issue-8 rule 2: a resolution that must defer (DeferOnTemporaryFailure) defers with no SMTP connection at all.
            LogPolicyDeferred(_logger, domain, context.Resolution.FailureReasonCode);
            context.DeferAll($"{ReasonCodes.PolicyTemporaryFailure}: {context.Resolution.FailureReasonCode}");
            return;
        }

        var original = context.Resolution;
        await DeliverViaMxAsync(context, cancellationToken).ConfigureAwait(false);
        if (!context.HasPending || !context.IsEnforced || !context.Attempts.Any(IsPolicyFailure))
        {
            return;
        }

        // Decision 26 (RFC 8461 §5.1 step 3): before a policy-caused failure stands, look for a new policy. Issue-8 rule 1:
        // only a newly fetched policy with another id may replace the one in force; no policy, a temporary failure, an
        // expired or unchanged policy leaves the failure standing, so the policy never weakens within a delivery.
        var rechecked = await _resolver.RecheckAsync(domain, cancellationToken).ConfigureAwait(false);
        if (rechecked is not { Status: PolicyResolutionStatus.Fetched, Policy: not null }
            || string.Equals(rechecked.PolicyId, original.PolicyId, StringComparison.Ordinal))
        {
            LogRecheckKeptPolicy(_logger, domain, original.PolicyId, rechecked.Status);
            return;
        }

        LogPolicyChangedRetrying(_logger, domain, original.PolicyId, rechecked.PolicyId);
        context.Resolution = rechecked;
        await DeliverViaMxAsync(context, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeliverViaMxAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var domain = context.Domain.Value;
        var mx = await _dns.LookupMxAsync(domain, cancellationToken).ConfigureAwait(false);
        if (mx.IsNullMx || mx.DomainDoesNotExist)
        {
            var answer = mx.IsNullMx ? ReasonCodes.NullMx : ReasonCodes.DomainDoesNotExist;
            if (context.AppliedPolicy is not null)
            {
                // Issue-8 rule 4: the policy we hold was fetched over authenticated HTTPS and names this domain's MX hosts;
                // an unauthenticated DNS answer that says the domain takes no mail is not believed: defer, never bounce.
                LogDnsContradictsPolicy(_logger, domain, answer);
                context.DeferAll($"{ReasonCodes.DnsContradictsPolicy}: {answer}");
                return;
            }

            // RFC 7505 (Decision 18) and RFC 5321 §5.1: the domain accepts no mail; retrying will not help.
            context.FailAll(answer);
            return;
        }

        if (mx.Status == DnsLookupStatus.TemporaryFailure || mx.Hosts.Count == 0)
        {
            context.DeferAll($"{ReasonCodes.MxLookupFailed}: {mx.Error ?? ReasonCodes.NoMx}");
            return;
        }

        foreach (var host in mx.Hosts)
        {
            if (!context.HasPending)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            await TryMxHostAsync(context, host, cancellationToken).ConfigureAwait(false);
        }

        if (context.HasPending)
        {
            LogDeliveryFailed(_logger, domain, context.AppliedPolicy?.Mode ?? MtaStsMode.None, context.Attempts.Count);
            context.Detail = context.Attempts.LastOrDefault()?.Detail ?? ReasonCodes.NoMx;
            context.DeferAll(context.Detail);
        }
        else
        {
            context.Detail = context.Attempts.LastOrDefault()?.Detail;
        }
    }

    private async Task TryMxHostAsync(DeliveryContext context, string host, CancellationToken cancellationToken)
    {
        var policy = context.AppliedPolicy;

        // RFC 8461 §4.1 and Decision 30: an MX that matches no pattern fails validation. Decision 34: under enforce it is
        // skipped before any lookup, whatever DANE would say of it.
        var notInPolicy = policy is not null && !policy.MatchesMx(host);
        if (notInPolicy && context.IsEnforced)
        {
            Publish(NotInPolicyOutcome(context, host, address: null));
            LogMxSkipped(_logger, context.Domain.Value, host);
            AddAttempt(context, new MxAttempt(host, null, MxAttemptOutcome.NotInPolicy, TlsRptResultType.ValidationFailure, ReasonCodes.MxNotInPolicy));
            return;
        }

        // RFC 7672 §2.2: the DANE status of the host is decided before connecting. RFC 8460 §3: a report delivery honours
        // neither MTA-STS nor DANE failures, so it does not look.
        TlsaLookupResult? tlsa = null;
        AddressLookupResult lookup;
        if (_options.Dane && !context.IsReportDelivery)
        {
            tlsa = await _dns.LookupTlsaAsync(host, _options.Port, cancellationToken).ConfigureAwait(false);
            lookup = tlsa.Addresses;
        }
        else
        {
            lookup = await _dns.LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }

        if (lookup.Status != DnsLookupStatus.Found)
        {
            var detail = lookup.Status == DnsLookupStatus.NotFound ? ReasonCodes.NoAddress : $"{ReasonCodes.AddressLookupFailed}: {lookup.Error}";
            AddAttempt(context, new MxAttempt(host, null, MxAttemptOutcome.Unreachable, null, detail));
            PublishUnreachableNotInPolicy(context, host, notInPolicy);
            return;
        }

        if (!IsDaneSatisfiable(context, host, tlsa))
        {
            return;
        }

        var daneGoverns = tlsa is { Status: TlsaLookupStatus.Usable or TlsaLookupStatus.Unusable };
        var tlsaStatus = tlsa?.Status;

        // The PKIX check of an enforced policy applies to a DANE host too, unless DaneSupersedesPkix (checklist I.6).
        var pkixRequired = context.IsEnforced && (tlsaStatus != TlsaLookupStatus.Usable || _options.DaneStrictness == DaneStrictness.RequireBoth);
        foreach (var address in lookup.Addresses)
        {
            // Under testing the session goes ahead and carries the failure, so that it is reported once. A session DANE
            // governs counts under the tlsa policy only (RFC 8460 §4.4).
            var outcome = new SessionOutcomeBuilder(context.Resolution!, host, address, context.IsReportDelivery, reportsFailures: policy is not null || daneGoverns)
            {
                Tlsa = daneGoverns ? tlsa : null,
            };
            if (tlsa is { Status: TlsaLookupStatus.Unusable })
            {
                // RFC 7672 §3.1.3: TLS stays mandatory, without DANE authentication; the domain learns its records are unusable.
                outcome.Failed(TlsRptResultType.TlsaInvalid, ReasonCodes.AllUnusableRecords);
            }
            else if (notInPolicy && !daneGoverns)
            {
                outcome.Failed(TlsRptResultType.ValidationFailure, ReasonCodes.MxNotInPolicy);
            }

            var verdict = new TlsVerdict(_validator, _daneValidator, host, pkixRequired, tlsa);
            var result = await _sessions.RunAsync(new SessionRequest(context, host, address, verdict, Plaintext: false, outcome) { TlsaStatus = tlsaStatus }, cancellationToken).ConfigureAwait(false);
            AddAttempt(context, result.Attempt);
            if (result.RetryInPlaintext && context.HasPending && !context.IsEnforced && !verdict.Required)
            {
                // Issue-8 rule 5 and checklist K.77: opportunistic TLS falls back to plaintext after a refused STARTTLS or a
                // failed handshake (a server offering only TLS 1.0 still gets the message under testing). Never for a host
                // with secure TLSA records (RFC 7672 §2.2).
                result = await _sessions.RunAsync(new SessionRequest(context, host, address, new TlsVerdict(_validator, host, required: false), Plaintext: true, outcome) { TlsaStatus = tlsaStatus }, cancellationToken).ConfigureAwait(false);
                AddAttempt(context, result.Attempt);
            }

            if (result.Attempt.Outcome == MxAttemptOutcome.Delivered)
            {
                context.Delivered(host, result.TlsProtocol, result.CipherSuite);
            }

            if (result.ReachedSmtp)
            {
                if (outcome.HasOutcome)
                {
                    var session = outcome.Build(_timeProvider.GetUtcNow());
                    _telemetry.Session(session, context.AppliedPolicy?.Mode);
                    Publish(session);
                }

                // Only plain network trouble moves on to the host's next address; a session that reached SMTP has answered.
                return;
            }
        }

        PublishUnreachableNotInPolicy(context, host, notInPolicy && !daneGoverns);
    }

    /// <summary>
    /// The DANE rules that keep a host from being tried at all: an indeterminate TLSA lookup (RFC 7672 §2.1.1: never a
    /// fall-back to MTA-STS or plaintext) and mandatory DANE without usable secure records (RFC 7672 §6). Each is reported
    /// under the host's tlsa policy and moves on to the next MX.
    /// </summary>
    private bool IsDaneSatisfiable(DeliveryContext context, string host, TlsaLookupResult? tlsa)
    {
        if (tlsa is { Status: TlsaLookupStatus.Indeterminate })
        {
            var reason = $"{ReasonCodes.TlsaLookupFailed}: {tlsa.Error}";
            LogDaneIndeterminate(_logger, context.Domain.Value, host, tlsa.Error);
            Publish(DaneOutcome(context, host, tlsa, TlsRptResultType.DnssecInvalid, ReasonCodes.TlsaLookupFailed));
            AddAttempt(context, new MxAttempt(host, null, MxAttemptOutcome.DaneIndeterminate, TlsRptResultType.DnssecInvalid, reason) { TlsaStatus = tlsa.Status });
            return false;
        }

        // RFC 8460 §3 (Decision 41): a report delivery is subject to no DANE requirement, the local one included.
        if (!context.IsReportDelivery && tlsa is not { Status: TlsaLookupStatus.Usable } && _options.DaneRequiredDomains.Contains(context.Domain.Value))
        {
            LogDaneRequired(_logger, context.Domain.Value, host, tlsa?.Status);
            Publish(DaneOutcome(context, host, tlsa, TlsRptResultType.DaneRequired, ReasonCodes.NoSecureTlsaRecords));
            AddAttempt(context, new MxAttempt(host, null, MxAttemptOutcome.DaneRequired, TlsRptResultType.DaneRequired, ReasonCodes.NoSecureTlsaRecords) { TlsaStatus = tlsa?.Status });
            return false;
        }

        return true;
    }

    /// <summary>A DANE failure found before any connection, reported under the host's tlsa policy (RFC 8460 §4.3.2.1).</summary>
    private SmtpSessionOutcome DaneOutcome(DeliveryContext context, string host, TlsaLookupResult? tlsa, TlsRptResultType type, string reason) => new(context.Domain.Value, context.Resolution!, host)
    {
        ResultType = type,
        FailureReasonCode = reason,
        Tlsa = tlsa ?? new TlsaLookupResult(TlsaLookupStatus.NotFound, host, AddressLookupResult.NotFound, []),
        IsReportDelivery = context.IsReportDelivery,
        Timestamp = _timeProvider.GetUtcNow(),
    };

    /// <summary>Under testing, an MX outside the policy is reported once even when it could not be reached.</summary>
    private void PublishUnreachableNotInPolicy(DeliveryContext context, string host, bool notInPolicy)
    {
        if (notInPolicy)
        {
            Publish(NotInPolicyOutcome(context, host, address: null));
        }
    }

    private SmtpSessionOutcome NotInPolicyOutcome(DeliveryContext context, string host, System.Net.IPAddress? address) => new(context.Domain.Value, context.Resolution!, host)
    {
        ReceivingAddress = address,
        ResultType = TlsRptResultType.ValidationFailure,
        FailureReasonCode = ReasonCodes.MxNotInPolicy,
        IsReportDelivery = context.IsReportDelivery,
        Timestamp = _timeProvider.GetUtcNow(),
    };

    private void AddAttempt(DeliveryContext context, MxAttempt attempt)
    {
        context.Attempts.Add(attempt);
        _telemetry.Attempt(attempt.Outcome);
    }

    private static bool IsPolicyFailure(MxAttempt attempt) =>
        attempt.Outcome is MxAttemptOutcome.NotInPolicy or MxAttemptOutcome.StartTlsNotSupported or MxAttemptOutcome.CertificateRejected or MxAttemptOutcome.TlsFailed;

    private void Publish(SmtpSessionOutcome outcome)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Record(outcome);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSinkFailed(_logger, sink.GetType().Name, ex);
            }
        }
    }
}
