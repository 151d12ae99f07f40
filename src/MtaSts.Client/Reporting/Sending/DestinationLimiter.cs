namespace MtaSts;

/// <summary>
/// Per-destination limits (RFC 8460 §7): at most <see cref="TlsRptOptions.MaxReportsPerDestinationPerDay"/>
/// reports in any 24 hours, and a suppression list of destinations that failed
/// <see cref="TlsRptOptions.SuppressAfterFailures"/> reports in a row. A destination is a mail domain or an HTTPS host and
/// port, so that a victim cannot be reached through many addresses or paths. Kept in memory. Thread-safe.
/// </summary>
internal sealed class DestinationLimiter
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, State> _destinations = new(StringComparer.Ordinal);
    private readonly TlsRptOptions _options;

    public DestinationLimiter(TlsRptOptions options) => _options = options;

    public enum Verdict
    {
        Allowed,
        Suppressed,
        RateLimited,
    }

    /// <summary>The destination key of a <c>rua</c> URI: <c>mailto:domain</c> or <c>https:host:port</c>, lower case.</summary>
    public static string KeyOf(Uri destination, string? recipientAddress) =>
        recipientAddress is not null
            ? "mailto:" + recipientAddress[(recipientAddress.LastIndexOf('@') + 1)..].ToLowerInvariant()
            : $"{destination.Scheme}:{destination.IdnHost.ToLowerInvariant()}:{destination.Port}";

    /// <summary>Decides whether a report may go to <paramref name="key"/> now; an allowed report counts against the rate limit.</summary>
    public Verdict TryAcquire(string key, DateTimeOffset now)
    {
        lock (_gate)
        {
            var state = Get(key);
            if (state.SuppressedUntil > now)
            {
                return Verdict.Suppressed;
            }

            while (state.Sent.TryPeek(out var oldest) && oldest <= now - Window)
            {
                state.Sent.Dequeue();
            }

            if (state.Sent.Count >= _options.MaxReportsPerDestinationPerDay)
            {
                return Verdict.RateLimited;
            }

            state.Sent.Enqueue(now);
            return Verdict.Allowed;
        }
    }

    /// <summary>A report reached the destination: its run of failures ends.</summary>
    public void Succeeded(string key)
    {
        lock (_gate)
        {
            Get(key).ConsecutiveFailures = 0;
        }
    }

    /// <summary>A report never reached the destination; returns when the destination is now suppressed until, if it is.</summary>
    public DateTimeOffset? Failed(string key, DateTimeOffset now)
    {
        lock (_gate)
        {
            var state = Get(key);
            if (++state.ConsecutiveFailures < _options.SuppressAfterFailures)
            {
                return null;
            }

            state.ConsecutiveFailures = 0;
            state.SuppressedUntil = now + _options.SuppressionPeriod;
            return state.SuppressedUntil;
        }
    }

    /// <summary>Whether <paramref name="key"/> is on the suppression list at <paramref name="now"/>.</summary>
    public bool IsSuppressed(string key, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _destinations.TryGetValue(key, out var state) && state.SuppressedUntil > now;
        }
    }

    /// <summary>Forgets destinations with nothing to remember.</summary>
    public void Prune(DateTimeOffset now)
    {
        lock (_gate)
        {
            foreach (var (key, state) in _destinations.ToList())
            {
                while (state.Sent.TryPeek(out var oldest) && oldest <= now - Window)
                {
                    state.Sent.Dequeue();
                }

                if (state.Sent.Count == 0 && state.ConsecutiveFailures == 0 && state.SuppressedUntil <= now)
                {
                    _destinations.Remove(key);
                }
            }
        }
    }

    private State Get(string key)
    {
        if (!_destinations.TryGetValue(key, out var state))
        {
            _destinations[key] = state = new State();
        }

        return state;
    }

    private sealed class State
    {
        public Queue<DateTimeOffset> Sent { get; } = new();

        public int ConsecutiveFailures { get; set; }

        public DateTimeOffset SuppressedUntil { get; set; }
    }
}
