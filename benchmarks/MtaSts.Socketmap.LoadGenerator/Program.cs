using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MtaSts.Socketmap.LoadGenerator;

// socketmap load generator.
//   load    --target inet:HOST:PORT|unix:PATH --keys FILE|--key KEY... [--connections 1,4,16] [--mode one|pipelined|both]
//           [--duration 5] [--warmup 1] [--depth 32] [--name postfix]
//   compare --tool PATH/MtaSts.Tool.dll [--domains 200] [--connections 1,4,16] [--duration 3] [--warmup 1] [--depth 32]
//           [--prewarm 5] [--transport inet,unix] [--our-env NAME=VALUE...] [--output FILE]    (root; see ../socketmap/compare.sh)
var options = ParseOptions(args.Skip(1));
switch (args.FirstOrDefault())
{
    case "load":
        return Load(options);
    case "compare":
        return await CompareCommand.RunAsync(new CompareSettings(
            Value(options, "tool") ?? throw new ArgumentException("--tool PATH/MtaSts.Tool.dll is required."),
            int.Parse(Value(options, "domains") ?? "200", CultureInfo.InvariantCulture),
            Connections(options),
            Seconds(options, "duration", 3),
            Seconds(options, "warmup", 1),
            int.Parse(Value(options, "depth") ?? "32", CultureInfo.InvariantCulture),
            Value(options, "output"),
            (options.GetValueOrDefault("our-env") ?? []).Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1], StringComparer.Ordinal),
            Seconds(options, "prewarm", 5),
            [.. (Value(options, "transport") ?? "inet,unix").Split(',').Select(t => t switch
            {
                "inet" => Transport.Inet,
                "unix" => Transport.Unix,
                _ => throw new ArgumentException($"--transport: '{t}' is neither inet nor unix."),
            })]));
    default:
        Console.Error.WriteLine("usage: load --target inet:HOST:PORT|unix:PATH --key KEY... | compare --tool MtaSts.Tool.dll (see Program.cs)");
        return 2;
}

static int Load(Dictionary<string, List<string>> options)
{
    var target = Value(options, "target") ?? throw new ArgumentException("--target is required.");
    EndPoint endPoint = target.StartsWith("unix:", StringComparison.Ordinal)
        ? new UnixDomainSocketEndPoint(target[5..])
        : IPEndPoint.Parse(target.StartsWith("inet:", StringComparison.Ordinal) ? target[5..] : target);
    var keys = Value(options, "keys") is { } file ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : options.GetValueOrDefault("key") ?? [];
    if (keys.Count == 0)
    {
        throw new ArgumentException("--keys FILE or --key KEY is required.");
    }

    var modes = (Value(options, "mode") ?? "both") switch
    {
        "one" => new[] { LoadMode.OneInFlight },
        "pipelined" => [LoadMode.Pipelined],
        _ => [LoadMode.OneInFlight, LoadMode.Pipelined],
    };
    Console.WriteLine("| connections | in flight | q/s | p50 µs | p99 µs | errors |");
    Console.WriteLine("|---:|---|---:|---:|---:|---:|");
    foreach (var mode in modes)
    {
        foreach (var connections in Connections(options))
        {
            var result = LoadRunner.Run(new LoadSettings(
                endPoint, connections, mode, keys, Seconds(options, "duration", 5), Seconds(options, "warmup", 1),
                int.Parse(Value(options, "depth") ?? "32", CultureInfo.InvariantCulture), Value(options, "name") ?? "postfix"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {connections} | {(mode == LoadMode.OneInFlight ? "one" : "pipelined")} | {result.QueriesPerSecond:N0} | {result.P50Microseconds:0} | {result.P99Microseconds:0} | {result.Errors} |"));
        }
    }

    return 0;
}

static Dictionary<string, List<string>> ParseOptions(IEnumerable<string> words)
{
    var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
    string? name = null;
    foreach (var word in words)
    {
        if (word.StartsWith("--", StringComparison.Ordinal))
        {
            name = word[2..];
            options.TryAdd(name, []);
        }
        else if (name is not null)
        {
            options[name].Add(word);
        }
    }

    return options;
}

static string? Value(Dictionary<string, List<string>> options, string name) => options.GetValueOrDefault(name)?.LastOrDefault();

static int[] Connections(Dictionary<string, List<string>> options) =>
    [.. (Value(options, "connections") ?? "1,4,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))];

static TimeSpan Seconds(Dictionary<string, List<string>> options, string name, double fallback) =>
    TimeSpan.FromSeconds(double.Parse(Value(options, name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
