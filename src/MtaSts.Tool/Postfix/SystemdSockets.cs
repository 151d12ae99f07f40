using System.Globalization;
using System.Net.Sockets;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// systemd socket activation (sd_listen_fds(3)): when <c>LISTEN_PID</c> names this process, the listening sockets are
/// file descriptors 3 to 3 + <c>LISTEN_FDS</c> - 1, already bound by systemd (which owns the unix socket file and its
/// permissions). The variables are removed so that child processes do not take them too.
/// </summary>
internal static class SystemdSockets
{
    private const int FirstDescriptor = 3;

    public static IReadOnlyList<Socket> Take()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var count = Environment.GetEnvironmentVariable("LISTEN_FDS");
        if (pid is null || count is null
            || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != Environment.ProcessId
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var fds) || fds < 1)
        {
            return [];
        }

        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        return [.. Enumerable.Range(FirstDescriptor, fds).Select(fd => new Socket(new SafeSocketHandle(fd, ownsHandle: true)))];
    }
}
