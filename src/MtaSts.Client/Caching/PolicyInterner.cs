using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace MtaSts;

/// <summary>
/// Shares one <see cref="MtaStsPolicy"/> among every cached domain whose policy text is the same (issue 11: a million
/// cached policies in a few hundred bytes each). Hosting providers serve the same policy to thousands of customer
/// domains; without sharing, each would hold its own copy of the text, lines and patterns. Policies are held weakly: one
/// no cache entry uses any more is collected, and <see cref="Prune"/> drops its slot.
/// </summary>
internal sealed class PolicyInterner
{
    private readonly ConcurrentDictionary<string, WeakReference<MtaStsPolicy>> _policies = new(StringComparer.Ordinal);

    public int Count => _policies.Count;

    /// <summary>Returns the shared policy with the same text as <paramref name="policy"/>, or makes <paramref name="policy"/> the shared one.</summary>
    public MtaStsPolicy Intern(MtaStsPolicy policy)
    {
        while (true)
        {
            if (_policies.TryGetValue(policy.Text, out var weak))
            {
                if (weak.TryGetTarget(out var existing))
                {
                    return existing;
                }

                if (_policies.TryUpdate(policy.Text, new WeakReference<MtaStsPolicy>(policy), weak))
                {
                    return policy;
                }
            }
            else if (_policies.TryAdd(policy.Text, new WeakReference<MtaStsPolicy>(policy)))
            {
                return policy;
            }
        }
    }

    /// <summary>Finds the shared policy parsed from exactly <paramref name="text"/>, so that stored text seen before need not be parsed again.</summary>
    public bool TryGet(string text, [NotNullWhen(true)] out MtaStsPolicy? policy)
    {
        policy = null;
        return _policies.TryGetValue(text, out var weak) && weak.TryGetTarget(out policy);
    }

    /// <summary>Drops the slots of policies no longer in use; returns how many.</summary>
    public int Prune()
    {
        var removed = 0;
        foreach (var pair in _policies)
        {
            if (!pair.Value.TryGetTarget(out _) && _policies.TryRemove(pair))
            {
                removed++;
            }
        }

        return removed;
    }
}
