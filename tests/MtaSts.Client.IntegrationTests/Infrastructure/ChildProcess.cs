using System.Diagnostics;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>Ends a server process a test started (Knot, Unbound): kill the tree, wait up to 5 s, dispose.</summary>
internal static class ChildProcess
{
    public static async Task KillAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or it will be reaped with the test host.
        }
        finally
        {
            process.Dispose();
        }
    }
}
