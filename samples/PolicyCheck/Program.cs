// Parses an MTA-STS policy file and checks MX host names against it.
//
//   dotnet run --project samples/PolicyCheck -- <policy-file | -> [mx-host ...]
//
// Exit codes: 0 the policy is valid (and every host given matches), 1 a host does not match, 2 the policy is invalid.
using MtaSts;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: PolicyCheck <policy-file | -> [mx-host ...]");
    return 64;
}

var text = args[0] == "-" ? await Console.In.ReadToEndAsync() : await File.ReadAllTextAsync(args[0]);

MtaStsPolicy policy;
try
{
    policy = MtaStsPolicy.Parse(text);
}
catch (MtaStsFormatException ex)
{
    // The message names the 1-based line and the rule that was broken.
    Console.Error.WriteLine(ex.Message);
    return 2;
}

Console.WriteLine($"mode:    {policy.Mode}");
Console.WriteLine($"max_age: {policy.MaxAge.TotalSeconds:0} s ({policy.MaxAge})");
foreach (var pattern in policy.MxPatterns)
{
    Console.WriteLine($"mx:      {pattern}{(pattern.IsWildcard ? "  (any one label)" : "")}");
}

var allMatch = true;
foreach (var host in args.Skip(1))
{
    var matches = policy.MatchesMx(host);
    allMatch &= matches;
    Console.WriteLine($"{host}: {(matches ? "allowed" : "NOT in policy")}");
}

return allMatch ? 0 : 1;
