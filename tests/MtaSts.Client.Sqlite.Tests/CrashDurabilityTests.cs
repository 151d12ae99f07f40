using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Sqlite.ChildWriter;

namespace MtaSts.Sqlite.Tests;

/// <summary>
/// A writer process killed (SIGKILL, no disposal, no flush) in the middle of its writes: every write it reported as
/// stored must be in the file afterwards, whole and valid.
/// </summary>
public sealed class CrashDurabilityTests : IDisposable
{
    private const int MinimumReported = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task SetAsync_WriterProcessKilledMidRun_EveryReportedWriteSurvives()
    {
        var (reported, finished, exitCode) = await RunAndKillChildAsync();

        Assert.False(finished, "the child finished before it was killed; the test proves nothing");
        Assert.NotEqual(0, exitCode);
        Assert.True(reported.Count >= MinimumReported, $"only {reported.Count} writes were reported");
        Assert.Equal(Enumerable.Range(0, reported.Count), reported);

        // A new process opens the file after the crash: SQLite recovers the write-ahead log left behind.
        using (var store = new SqlitePolicyStore(_db.Path))
        {
            foreach (var i in reported)
            {
                Assert.Equal(ChildRecords.Create(i), await store.GetAsync(ChildRecords.Domain(i)));
            }

            // Rows written but not yet reported may be there too; none may be torn.
            var rows = 0;
            await foreach (var record in store.ListAsync())
            {
                var index = int.Parse(record.PolicyDomain.AsSpan(1, record.PolicyDomain.IndexOf('.', StringComparison.Ordinal) - 1), CultureInfo.InvariantCulture);
                Assert.Equal(ChildRecords.Create(index), record);
                rows++;
            }

            Assert.InRange(rows, reported.Count, reported.Count + 1);
        }

        // And the resolver accepts every one of them as a valid policy, without network access.
        using var dns = new NxDomainDnsServer();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(ChildRecords.BaseTime.AddDays(1)));
        services.AddMtaSts(o => o.NameServers.Add(dns.EndPoint)).AddSqlitePolicyStore(_db.Path);
        await using var provider = services.BuildServiceProvider();
        var resolver = provider.GetRequiredService<IMtaStsPolicyResolver>();
        foreach (var i in reported)
        {
            var resolution = await resolver.ResolveAsync(ChildRecords.Domain(i));
            Assert.Equal(PolicyResolutionStatus.Cached, resolution.Status);
            Assert.Equal($"id{i}", resolution.PolicyId);
            Assert.True(resolution.IsEnforced);
        }

        Assert.Equal(0, dns.QueryCount);
    }

    private async Task<(List<int> Reported, bool Finished, int ExitCode)> RunAndKillChildAsync()
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MtaSts.Client.Sqlite.Tests.ChildWriter.dll"));
        start.ArgumentList.Add(_db.Path);
        start.ArgumentList.Add("10000000");

        using var child = Process.Start(start) ?? throw new InvalidOperationException("The child writer did not start.");
        var reported = new List<int>();
        var finished = false;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    lock (reported)
                    {
                        reported.Add(int.Parse(line.AsSpan("committed ".Length), CultureInfo.InvariantCulture));
                        if (reported.Count >= MinimumReported)
                        {
                            enough.TrySetResult();
                        }
                    }
                }
                else if (line == "done")
                {
                    finished = true;
                }
            }

            enough.TrySetException(new InvalidOperationException("The child writer stopped early."));
        });

        try
        {
            await enough.Task.WaitAsync(Patience);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            child.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The child writer reported {reported.Count} writes; stderr: {await stderr}", ex);
        }

        // Killed while it is still writing: no disposal, no checkpoint, nothing flushed by the process itself.
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();

        // Lines already in the pipe were printed after their commit returned, so they count too.
        await stdout;
        lock (reported)
        {
            return ([.. reported], finished, child.ExitCode);
        }
    }

    private static string DotnetHost()
    {
        // The SDK tells test hosts where the dotnet it runs under is; fall back to the process's own host, then PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
