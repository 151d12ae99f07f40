using System.Globalization;
using Microsoft.Extensions.Options;
using MtaSts.Tool.Cli;

namespace MtaSts.Tool.Postfix;

/// <summary>Checks the whole configuration at start; every message names the setting and its bad value.</summary>
internal sealed class ServePostfixOptionsValidator : IValidateOptions<ServePostfixOptions>
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    public ValidateOptionsResult Validate(string? name, ServePostfixOptions options)
    {
        var failures = new List<string>();
        var listen = options.EffectiveListen;
        for (var i = 0; i < listen.Count; i++)
        {
            if (!ListenEndpoint.TryParse(listen[i], out _, out var problem))
            {
                failures.Add($"Listen[{i}]: '{listen[i]}' {problem}.");
            }
        }

        foreach (var duplicate in listen.GroupBy(l => l, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"Listen: '{duplicate.Key}' is given more than once.");
        }

        if (options.Socket.Mode is { } mode && !UnixSocketFile.TryParseMode(mode, out _))
        {
            failures.Add($"Socket:Mode: '{mode}' is not an octal mode such as 0660.");
        }

        if (options.Socket.Owner is { } owner && !UnixSocketFile.TryGetUserId(owner, out _))
        {
            failures.Add($"Socket:Owner: '{owner}' is not a user of this system.");
        }

        if (options.Socket.Group is { } group && !UnixSocketFile.TryGetGroupId(group, out _))
        {
            failures.Add($"Socket:Group: '{group}' is not a group of this system.");
        }

        foreach (var key in options.Names.Keys.Where(k => k.Length == 0 || k.Any(c => c <= ' ' || c > '~')))
        {
            failures.Add($"Names: '{key}' is not a socketmap name (printable ASCII without spaces, as in socketmap:inet:HOST:PORT:NAME).");
        }

        var limits = options.Limits;
        Range(failures, "Limits:MaxConnections", limits.MaxConnections, 1, 1_000_000);
        Range(failures, "Limits:MaxRequestBytes", limits.MaxRequestBytes, 64, 65_536);
        Range(failures, "Limits:DedicatedThreads", limits.DedicatedThreads, 0, 4096);
        Range(failures, "Limits:IdleTimeout", limits.IdleTimeout, OneSecond, TimeSpan.FromDays(1));
        Range(failures, "Limits:RequestTimeout", limits.RequestTimeout, OneSecond, TimeSpan.FromHours(1));
        Range(failures, "Limits:ShutdownTimeout", limits.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10));

        var resolver = options.Resolver;
        for (var i = 0; i < resolver.NameServers.Count; i++)
        {
            try
            {
                SharedOptions.ParseNameServer(resolver.NameServers[i]);
            }
            catch (ToolException ex)
            {
                failures.Add($"Resolver:NameServers[{i}]: {ex.Message.Replace("--dns-server: ", "", StringComparison.Ordinal)}");
            }
        }

        for (var i = 0; i < resolver.TrustRoots.Count; i++)
        {
            if (!File.Exists(resolver.TrustRoots[i]))
            {
                failures.Add($"Resolver:TrustRoots[{i}]: '{resolver.TrustRoots[i]}' does not exist.");
            }
        }

        Range(failures, "Resolver:DnsTimeout", resolver.DnsTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Range(failures, "Resolver:DiscoveryTimeout", resolver.DiscoveryTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Range(failures, "Resolver:FetchTimeout", resolver.FetchTimeout, OneSecond, TimeSpan.FromMinutes(5));

        var store = options.Store;
        if (!Enum.IsDefined(store.Type))
        {
            failures.Add($"Store:Type: '{store.Type}' is not None, Sqlite or Redis.");
        }
        else if (store.Type == PolicyStoreType.Sqlite && string.IsNullOrWhiteSpace(store.Path))
        {
            failures.Add("Store:Path: a SQLite store needs the path of its file.");
        }
        else if (store.Type == PolicyStoreType.Sqlite && Path.GetDirectoryName(Path.GetFullPath(store.Path!)) is { } directory && !Directory.Exists(directory))
        {
            failures.Add($"Store:Path: the directory of '{store.Path}' does not exist.");
        }
        else if (store.Type == PolicyStoreType.Redis && string.IsNullOrWhiteSpace(store.Configuration))
        {
            failures.Add("Store:Configuration: a Redis store needs its configuration string, such as 127.0.0.1:6379.");
        }

        if (!Enum.IsDefined(options.Testing))
        {
            failures.Add($"Testing: '{options.Testing}' is not ReportOnly or Enforce.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{setting}: {value} is not between {min} and {max}."));
        }
    }

    private static void Range(List<string> failures, string setting, TimeSpan? value, TimeSpan min, TimeSpan max)
    {
        if (value is { } v && (v < min || v > max))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{setting}: {v} is not between {min} and {max} (times are written hh:mm:ss; a bare number means days)."));
        }
    }
}
