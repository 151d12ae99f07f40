using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MtaSts.Tool.Cli;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// <c>mta-sts serve-postfix</c>: the socketmap server for Postfix's <c>smtp_tls_policy_maps</c>, a drop-in replacement for
/// postfix-mta-sts-resolver. Runs until SIGTERM or SIGINT; exit 0 after a clean stop, 2 for a bad configuration, 3 when
/// it cannot listen.
/// </summary>
internal static partial class ServePostfixCommand
{
    public const string Name = "serve-postfix";

    private static readonly Option<string> Config = new("--config")
    {
        Description = "JSON configuration file (schema in docs/cli.md); command-line options override it.",
        HelpName = "FILE",
    };

    private static readonly Option<string[]> Listen = new("--listen")
    {
        Description = $"Where to listen: inet:HOST:PORT or unix:PATH (repeatable; default {ServePostfixOptions.DefaultListen}).",
        HelpName = "ENDPOINT",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string> SocketMode = new("--socket-mode")
    {
        Description = "Octal mode of unix socket files, such as 0660.",
        HelpName = "MODE",
    };

    private static readonly Option<string> SocketOwner = new("--socket-owner")
    {
        Description = "Owner of unix socket files (user name or uid).",
        HelpName = "USER",
    };

    private static readonly Option<string> SocketGroup = new("--socket-group")
    {
        Description = "Group of unix socket files (group name or gid), such as postfix.",
        HelpName = "GROUP",
    };

    private static readonly Option<string> Testing = new("--testing")
    {
        Description = "What a policy in mode testing becomes: report-only (NOTFOUND, the default) or enforce.",
        HelpName = "report-only|enforce",
    };

    private static readonly Option<bool> TlsRpt = new("--tls-rpt")
    {
        Description = "Add the Postfix 3.10 TLS-RPT attributes to policy replies (older Postfix versions reject them).",
    };

    private static readonly Option<bool> NoSni = new("--no-sni")
    {
        Description = "Leave out servername=hostname (for Postfix before 3.4).",
    };

    private static readonly Option<string> Store = new("--store")
    {
        Description = "Keep policies across restarts: sqlite:PATH, redis:CONFIGURATION (such as redis:127.0.0.1:6379) or none.",
        HelpName = "STORE",
    };

    private static readonly Option<bool> DeferOnTemporaryFailure = new("--defer-on-temporary-failure")
    {
        Description = "Answer TEMP (Postfix defers) when DNS fails and nothing is cached, instead of NOTFOUND.",
    };

    private static readonly Option<int?> MaxConnections = new("--max-connections")
    {
        Description = "Most simultaneous client connections (default 10000).",
        HelpName = "N",
    };

    private static readonly Option<LogLevel?> LogLevelOption = new("--log-level")
    {
        Description = "Least severe log events written: Trace, Debug, Information (default), Warning, Error, Critical, None.",
        HelpName = "LEVEL",
    };

    public static Command Create()
    {
        var command = new Command(Name, "Serve MTA-STS policies to Postfix (smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix), a drop-in replacement for postfix-mta-sts-resolver.");
        foreach (var option in (Option[])[Config, Listen, SocketMode, SocketOwner, SocketGroup, Testing, TlsRpt, NoSni, Store, DeferOnTemporaryFailure, MaxConnections, LogLevelOption])
        {
            command.Options.Add(option);
        }

        CommandRunner.SetAction(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, ToolConsole console, CancellationToken cancellationToken)
    {
        var configuration = BuildConfiguration(parseResult.GetValue(Config));
        var commandLine = new CommandLineValues(parseResult);
        var options = new ServePostfixOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw ToolException.Usage("invalid configuration: " + (ex.InnerException?.Message ?? ex.Message), ex);
        }

        commandLine.Apply(options);
        var timeoutGiven = parseResult.GetResult(SharedOptions.Timeout) is { Implicit: false };

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(configuration);
        // The fetch client's per-request Information lines are noise for a daemon; a Logging section may say otherwise.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

        // A failed start is reported once, as every error of the tool is: one line on standard error (with its stack
        // trace only under --verbose), not also as the host's own log event with the stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        if (parseResult.GetValue(LogLevelOption) is { } level)
        {
            builder.Logging.SetMinimumLevel(level);
        }
        else if (configuration["Logging:LogLevel:Default"] is null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information);
        }

        var services = builder.Services;
        services.AddSystemd();
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Limits.ShutdownTimeout + TimeSpan.FromSeconds(5));
        services.AddMetrics();
        services.AddOptions<ServePostfixOptions>().Bind(configuration).PostConfigure(commandLine.Apply).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServePostfixOptions>, ServePostfixOptionsValidator>();
        var mtaSts = services.AddMtaSts();
        services.AddOptions<MtaStsOptions>().Configure<IOptions<ServePostfixOptions>>((o, s) => ConfigureResolver(o, s.Value, console.Settings, timeoutGiven));
        AddStore(mtaSts, options.Store);
        services.AddSingleton(sp => new SocketmapTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<SocketmapServer>();

        var host = builder.Build();
        await using var disposeHost = (IAsyncDisposable)host;
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            throw ToolException.Usage("invalid configuration: " + string.Join(" ", ex.Failures), ex);
        }
        catch (InvalidOperationException ex)
        {
            throw ToolException.Incomplete(ex.Message, ex);
        }

        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static IConfiguration BuildConfiguration(string? path)
    {
        var builder = new ConfigurationBuilder();
        if (path is not null)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw ToolException.Usage($"--config: '{full}' does not exist.");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("MTASTS_");
        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw ToolException.Usage($"--config: '{path}' cannot be read: {(ex.InnerException ?? ex).Message}", ex);
        }
    }

    private static void ConfigureResolver(MtaStsOptions options, ServePostfixOptions server, ToolSettings shared, bool timeoutGiven)
    {
        var resolver = server.Resolver;
        var nameServers = shared.NameServers.Count > 0 ? shared.NameServers : [.. resolver.NameServers.Select(SharedOptions.ParseNameServer)];
        foreach (var nameServer in nameServers)
        {
            options.NameServers.Add(nameServer);
        }

        if (shared.TrustRoots.Count > 0)
        {
            options.TrustRoots.AddRange(shared.TrustRoots);
        }
        else
        {
            foreach (var path in resolver.TrustRoots)
            {
                options.TrustRoots.ImportFromPemFile(path);
            }
        }

        options.AllowPrivateAddresses = shared.AllowPrivateAddresses || resolver.AllowPrivateAddresses;
        options.DeferOnTemporaryFailure = resolver.DeferOnTemporaryFailure;
        options.DnsTimeout = timeoutGiven ? shared.Timeout : resolver.DnsTimeout ?? options.DnsTimeout;
        options.FetchTimeout = timeoutGiven ? shared.Timeout : resolver.FetchTimeout ?? options.FetchTimeout;
        options.DiscoveryTimeout = resolver.DiscoveryTimeout ?? options.DiscoveryTimeout;
    }

    private static void AddStore(IMtaStsBuilder builder, StoreSettings store)
    {
        switch (store.Type)
        {
            case PolicyStoreType.Sqlite when !string.IsNullOrWhiteSpace(store.Path):
                builder.AddSqlitePolicyStore(Path.GetFullPath(store.Path));
                break;
            case PolicyStoreType.Redis when !string.IsNullOrWhiteSpace(store.Configuration):
                builder.Services.AddStackExchangeRedisCache(o =>
                {
                    o.Configuration = store.Configuration;
                    o.InstanceName = store.InstanceName;
                });
                builder.AddDistributedPolicyStore();
                break;
            default:
                break;
        }
    }

    /// <summary>The command-line values that override the configuration file (applied after binding).</summary>
    private sealed class CommandLineValues(ParseResult parseResult)
    {
        public void Apply(ServePostfixOptions options)
        {
            if (parseResult.GetValue(Listen) is { Length: > 0 } listen)
            {
                options.Listen = [.. listen];
            }

            options.Socket.Mode = parseResult.GetValue(SocketMode) ?? options.Socket.Mode;
            options.Socket.Owner = parseResult.GetValue(SocketOwner) ?? options.Socket.Owner;
            options.Socket.Group = parseResult.GetValue(SocketGroup) ?? options.Socket.Group;
            if (parseResult.GetValue(Testing) is { } testing)
            {
                options.Testing = testing.ToLowerInvariant() switch
                {
                    "report-only" or "reportonly" => TestingPolicy.ReportOnly,
                    "enforce" => TestingPolicy.Enforce,
                    _ => throw ToolException.Usage($"--testing: '{testing}' is not report-only or enforce."),
                };
            }

            options.TlsRpt |= parseResult.GetValue(TlsRpt);
            options.RequireSni &= !parseResult.GetValue(NoSni);
            options.Resolver.DeferOnTemporaryFailure |= parseResult.GetValue(DeferOnTemporaryFailure);
            if (parseResult.GetValue(MaxConnections) is { } max)
            {
                options.Limits.MaxConnections = max;
            }

            if (parseResult.GetValue(Store) is { } store)
            {
                options.Store = ParseStore(store, options.Store.InstanceName);
            }
        }

        private static StoreSettings ParseStore(string text, string instanceName)
        {
            if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                return new StoreSettings { Type = PolicyStoreType.None, InstanceName = instanceName };
            }

            if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) && text.Length > "sqlite:".Length)
            {
                return new StoreSettings { Type = PolicyStoreType.Sqlite, Path = text["sqlite:".Length..], InstanceName = instanceName };
            }

            if (text.StartsWith("redis:", StringComparison.OrdinalIgnoreCase) && text.Length > "redis:".Length)
            {
                return new StoreSettings { Type = PolicyStoreType.Redis, Configuration = text["redis:".Length..], InstanceName = instanceName };
            }

            throw ToolException.Usage($"--store: '{text}' is not sqlite:PATH, redis:CONFIGURATION or none.");
        }
    }
}
