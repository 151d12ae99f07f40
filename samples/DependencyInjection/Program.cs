// Registers the resolver in a service collection, as an ASP.NET Core or worker application would.
using Microsoft.Extensions.DependencyInjection;
using MtaSts;

var services = new ServiceCollection();
services.AddMtaSts(options =>
{
    options.FetchTimeout = TimeSpan.FromSeconds(30);
    options.RecordCheckInterval = TimeSpan.FromMinutes(10);
});

await using var provider = services.BuildServiceProvider();
var resolver = provider.GetRequiredService<IMtaStsPolicyResolver>();

// In a real application: resolve per recipient domain before each delivery.
Console.WriteLine(resolver.GetType().Name + " ready");
