namespace MtaSts.Tool.Postfix;

/// <summary>The permissions of <c>unix:</c> socket files (ignored for sockets passed by systemd, which sets its own).</summary>
internal sealed class UnixSocketOptions
{
    /// <summary>Gets or sets the octal mode, such as <c>0660</c>; unset: as created (the process umask applies).</summary>
    public string? Mode { get; set; }

    /// <summary>Gets or sets the owner (name or uid); unset: the server's user.</summary>
    public string? Owner { get; set; }

    /// <summary>Gets or sets the group (name or gid), such as <c>postfix</c>; unset: the server's group.</summary>
    public string? Group { get; set; }
}
