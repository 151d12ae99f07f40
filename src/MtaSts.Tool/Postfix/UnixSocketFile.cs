using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The socket file of a <c>unix:</c> endpoint: its mode, owner and group (so that Postfix's <c>smtp</c> processes, which
/// run as the <c>postfix</c> user, may connect), set right after it is bound. .NET has no chown, so libc's is called.
/// </summary>
internal static partial class UnixSocketFile
{
    /// <summary>Parses an octal mode such as <c>0660</c> or <c>660</c> (permission bits only).</summary>
    public static bool TryParseMode(string text, out UnixFileMode mode)
    {
        mode = 0;
        if (text.Length is < 1 or > 4)
        {
            return false;
        }

        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '7')
            {
                return false;
            }

            value = (value * 8) + (c - '0');
        }

        mode = (UnixFileMode)value;
        return value <= 0b111_111_111;
    }

    /// <summary>Finds a user's id by name, or takes a number.</summary>
    public static bool TryGetUserId(string user, out uint uid)
    {
        if (uint.TryParse(user, out uid))
        {
            return true;
        }

        var entry = GetPwNam(user);
        if (entry == IntPtr.Zero)
        {
            return false;
        }

        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... } on Linux.
        uid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        return true;
    }

    /// <summary>Finds a group's id by name, or takes a number.</summary>
    public static bool TryGetGroupId(string group, out uint gid)
    {
        if (uint.TryParse(group, out gid))
        {
            return true;
        }

        var entry = GetGrNam(group);
        if (entry == IntPtr.Zero)
        {
            return false;
        }

        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
        gid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        return true;
    }

    /// <summary>Sets the owner and group of <paramref name="path"/> (<see cref="uint.MaxValue"/> keeps one unchanged).</summary>
    /// <exception cref="Win32Exception">chown failed (not root, no such user).</exception>
    public static void SetOwner(string path, uint uid, uint gid)
    {
        if (Chown(path, uid, gid) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"chown {path}");
        }
    }

    /// <summary>
    /// Gets a value indicating whether <paramref name="path"/> itself (a symbolic link is not followed) is a unix socket:
    /// only then may a server that finds it unanswered replace it. <see langword="false"/> for anything else, and where the
    /// check cannot be made (an architecture whose <c>struct stat</c> layout is not known here).
    /// </summary>
    public static bool IsSocket(string path)
    {
        // st_mode's offset in glibc's struct stat: after st_dev, st_ino and st_nlink on x86-64; after st_dev and st_ino on
        // arm64 (where st_nlink follows it).
        var offset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 16,
            _ => -1,
        };
        if (offset < 0 || !OperatingSystem.IsLinux())
        {
            return false;
        }

        var buffer = new byte[256];
        if (LStat(path, buffer) != 0)
        {
            return false;
        }

        const uint FileTypeMask = 0xF000;
        const uint Socket = 0xC000;
        return (BitConverter.ToUInt32(buffer, offset) & FileTypeMask) == Socket;
    }

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPwNam(string name);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGrNam(string name);
}
