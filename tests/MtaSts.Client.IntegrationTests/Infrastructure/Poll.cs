namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>Bounded polling for conditions that become true asynchronously (instead of fixed sleeps).</summary>
public static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    /// <summary>Waits until <paramref name="condition"/> holds, or throws <see cref="TimeoutException"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string description, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? DefaultTimeout).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {description}.");
            }

            await Task.Delay(Interval);
        }
    }
}
