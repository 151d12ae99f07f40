using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MtaSts.Tests.Persistence;

public sealed class DistributedPolicyStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SetThenGet_RoundTripsEveryField()
    {
        var sut = new DistributedPolicyStore(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())), TimeSpan.FromDays(180));
        var record = new StoredPolicyRecord("example.com", "A1", "version: STSv1\nmode: none\nmax_age: 5\n", Now, Now.AddSeconds(5), Now);

        await sut.SetAsync(record);
        var read = await sut.GetAsync("example.com");

        Assert.Equal(record, read);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"v\":2,\"domain\":\"example.com\"}")]
    [InlineData("{\"v\":1}")]
    [InlineData("[]")]
    public void Deserialize_CorruptOrUnknownSchema_YieldsARecordTheResolverRejects(string json)
    {
        var record = DistributedPolicyStore.Deserialize(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(record);
        Assert.Equal("", record.PolicyDomain);
    }

    [Fact]
    public async Task Remove_DeletesTheRecord()
    {
        IDistributedCache cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var sut = new DistributedPolicyStore(cache, TimeSpan.FromDays(180));
        await sut.SetAsync(new StoredPolicyRecord("example.com", "A1", "x", Now, Now, Now));

        await sut.RemoveAsync("example.com");

        Assert.Null(await sut.GetAsync("example.com"));
        Assert.Null(await cache.GetAsync(DistributedPolicyStore.KeyPrefix + "example.com"));
    }
}
