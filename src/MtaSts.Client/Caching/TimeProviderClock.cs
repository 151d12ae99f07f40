using Microsoft.Extensions.Internal;

namespace MtaSts;

/// <summary>A <see cref="TimeProvider"/> as the clock of a <see cref="Microsoft.Extensions.Caching.Memory.MemoryCache"/>, so that its entries expire on injected time.</summary>
internal sealed class TimeProviderClock(TimeProvider timeProvider) : ISystemClock
{
    public DateTimeOffset UtcNow => timeProvider.GetUtcNow();
}
