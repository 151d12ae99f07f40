// SmtpTestServer: a private Postfix instance per test server
// ============================================================
//
// Why Postfix: the MailKit adapter must be tested against a real MTA's SMTP, STARTTLS and TLS stack, not a mock.
// Debian's `postfix` package (3.7) is installed once; every SmtpTestServer is a separate, throw-away instance of it:
//
//   <temp>/conf/main.cf, master.cf   configuration (`postfix -c <temp>/conf start-fg`); root-owned, 0755
//   <temp>/conf/*.pem                private key + leaf + intermediates per certificate (0600, root)
//   <temp>/conf/sni, sni.db          SNI name -> chain file, built with `postmap -F` (the key material is embedded)
//   <temp>/queue                     queue_directory (Postfix creates its subdirectories and owns them)
//   <temp>/data                      data_directory (created by Postfix, owned by the postfix user)
//   <temp>/mail/inbox/{new,cur,tmp}  Maildir that receives every message for every recipient
//   <temp>/maillog                   maillog_file, written by postlogd (the only log; there is no syslog here)
//
// Configuration choices:
// * Isolation. Own config, queue and data directories and a private port, so several instances (one per MX host of a
//   test) run side by side and never touch /etc/postfix or /var/spool/postfix. Nothing runs chrooted (master.cf
//   chroot column `n`). `inet_interfaces = 127.0.0.1`, `inet_protocols = ipv4`, and master.cf has a single smtpd
//   service on `127.0.0.1:<port>` (no port 25, no pickup, no local delivery, no outbound smtp client).
// * Nothing leaves the machine. `default_transport`, `relay_transport` and `local_transport` are `error:`, and
//   `mydestination`/`relay_domains` are empty. Instead every domain is a virtual mailbox domain
//   (`virtual_mailbox_domains = static:all`) and `virtual_mailbox_maps = static:inbox/` maps every recipient to one
//   Maildir (the trailing slash selects Maildir format). The virtual(8) agent writes as uid/gid 65534 (nobody:
//   `virtual_uid_maps`/`virtual_gid_maps = static:65534`; Postfix refuses root), so the mail directory is 0777 and
//   the temp directory 0755; the test process (root) reads the files.
// * Reading messages back. virtual(8) writes one file per recipient and prepends Return-Path, X-Original-To and
//   Delivered-To; smtpd's Received header names the queue ID and, with `smtpd_tls_received_header = yes`, the TLS
//   version and cipher. A message counts as received once qmgr logged "<queue id>: removed" (all recipients done);
//   its files are grouped by queue ID. `smtpd_discard_ehlo_keywords = dsn` keeps clients from asking for delivery
//   notifications, which would otherwise land in the same Maildir.
// * TLS. `smtpd_tls_security_level = may` (or `none` without STARTTLS), `smtpd_tls_chain_files` for the default
//   certificate, `tls_server_sni_maps = hash:<temp>/conf/sni` (built with `postmap -F`) for per-SNI certificates; a
//   client whose SNI matches no entry gets the default chain. `smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2` style
//   bounds restrict the versions offered. No session cache, no client certificates.
// * Speed and determinism. `smtpd_error_sleep_time = 0` and `in_flow_delay = 0` remove Postfix's deliberate pauses;
//   `smtpd_peername_lookup = no` avoids reverse DNS. Configuration files are dated a minute back: Postfix waits in
//   300 ms steps while main.cf's mtime is the current second (it might still be being written), which otherwise adds
//   seconds to every start (postmap, postfix-script, postconf, master each read main.cf).
// * Process lifetime. `postfix -c <conf> start-fg` runs the checks (creating the queue directories) and then keeps
//   master(8) in the foreground as a child of the started process; stdout/stderr go to <temp>/console.log (no pipes
//   that Postfix's children could hold open). The server is ready when the log says "daemon started" and the port
//   is in LISTEN state in /proc/net/tcp (no probe connection, so ConnectionCount stays exact). If another process
//   grabbed the port first, master exits with "Address already in use" and start-up retries on another port.
//   Disposal sends SIGTERM to master (which takes its children down), waits for the started process, waits until no
//   live process remains in master's session (it called setsid), kills whatever is left, and deletes the directory.
// * Requirements: root (Postfix's master must start as root) and the Debian package `postfix`
//   (POSTFIX_PATH/POSTMAP_PATH override /usr/sbin/postfix and /usr/sbin/postmap).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>
/// A real SMTP server (a private Postfix instance) on 127.0.0.1 at a free port, with STARTTLS using given
/// certificates (by SNI name), that stores every message it accepts in a Maildir and reads them back as
/// <see cref="ReceivedMessage"/>s. See the comment at the top of this file for the configuration.
/// </summary>
public sealed partial class SmtpTestServer : IAsyncDisposable
{
    private const int MailboxUid = 65534;
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultMessageTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly SmtpTestServerOptions _options;
    private readonly X509Certificate2? _certificate;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReceivedMessage?> _deliveries = new(StringComparer.Ordinal);
    private Process? _process;
    private int _masterPid;
    private int _disposed;

    private SmtpTestServer(X509Certificate2? certificate, SmtpTestServerOptions options)
    {
        _certificate = certificate;
        _options = options;
        WorkingDirectory = Directory.CreateTempSubdirectory("mtasts-smtp-").FullName;
    }

    /// <summary>Path of the <c>postfix</c> command.</summary>
    public static string PostfixPath => Environment.GetEnvironmentVariable("POSTFIX_PATH") ?? "/usr/sbin/postfix";

    /// <summary>Path of the <c>postmap</c> command.</summary>
    public static string PostmapPath => Environment.GetEnvironmentVariable("POSTMAP_PATH") ?? "/usr/sbin/postmap";

    /// <summary>Where the server listens (127.0.0.1).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>The server's port.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The server's name in its greeting and EHLO reply.</summary>
    public string HostName => _options.HostName;

    /// <summary>Whether the server offers STARTTLS.</summary>
    public bool OffersStartTls => _options.OfferStartTls;

    /// <summary>The certificate served when the client's SNI matches no <see cref="SmtpTestServerOptions.SniCertificates"/> entry.</summary>
    public X509Certificate2? DefaultCertificate => _certificate;

    /// <summary>The temporary directory with the configuration, queue, Maildir and log (deleted on disposal).</summary>
    public string WorkingDirectory { get; }

    /// <summary>The Maildir that receives every message.</summary>
    public string MaildirPath => Path.Combine(WorkingDirectory, "mail", "inbox");

    /// <summary>Every message received and delivered to all its recipients so far, in the order Postfix finished them.</summary>
    public IReadOnlyList<ReceivedMessage> Messages => ReadMessages(ReadLog());

    /// <summary>
    /// Number of SMTP connections smtpd accepted so far (from the log). The log is written asynchronously, a few
    /// milliseconds after the fact: poll for an expected count (<see cref="Poll.UntilAsync"/>), and put a proxy in
    /// front (which counts on accept) to prove that no connection was made.
    /// </summary>
    public int ConnectionCount => ConnectFromPattern().Count(ReadLog());

    private string ConfigDirectory => Path.Combine(WorkingDirectory, "conf");

    private string LogPath => Path.Combine(WorkingDirectory, "maillog");

    /// <summary>Starts a server with STARTTLS presenting <paramref name="certificate"/> (which must have its private key).</summary>
    public static Task<SmtpTestServer> StartAsync(X509Certificate2 certificate, CancellationToken cancellationToken = default) =>
        StartAsync(certificate, new SmtpTestServerOptions(), cancellationToken);

    /// <summary>Starts a server that does not offer STARTTLS (plaintext only).</summary>
    public static Task<SmtpTestServer> StartWithoutStartTlsAsync(CancellationToken cancellationToken = default) =>
        StartAsync(null, new SmtpTestServerOptions { OfferStartTls = false }, cancellationToken);

    /// <summary>Starts a server; <paramref name="certificate"/> is the default certificate (required with STARTTLS).</summary>
    public static async Task<SmtpTestServer> StartAsync(X509Certificate2? certificate, SmtpTestServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OfferStartTls && certificate is null)
        {
            throw new ArgumentException("A server that offers STARTTLS needs a certificate.", nameof(certificate));
        }

        foreach (var candidate in options.SniCertificates.Values.Append(certificate))
        {
            if (candidate is not null && !candidate.HasPrivateKey)
            {
                throw new ArgumentException($"The certificate {candidate.Subject} has no private key.", nameof(certificate));
            }
        }

        if (!File.Exists(PostfixPath) || !File.Exists(PostmapPath))
        {
            throw new InvalidOperationException(
                $"Postfix is not installed ({PostfixPath}, {PostmapPath}); on Debian: apt-get install postfix (see SmtpTestServer.cs).");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("SmtpTestServer runs a private Postfix instance, whose master must be started as root.");
        }

        var server = new SmtpTestServer(certificate, options);
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages were received, and returns all received so far.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> WaitForMessagesAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? DefaultMessageTimeout).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var log = ReadLog();
            var messages = ReadMessages(log);
            if (messages.Count >= count)
            {
                return messages;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {count} message(s) on {EndPoint}; {messages.Count} received. Postfix log:\n{log}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>The Postfix log so far (maillog_file), then anything Postfix wrote to stdout/stderr.</summary>
    public string ReadLog() => ReadShared(LogPath) + ReadShared(Path.Combine(WorkingDirectory, "console.log"));

    /// <summary>Stops Postfix (no process of the instance is left) and deletes <see cref="WorkingDirectory"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        await StopAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(WorkingDirectory, recursive: true);
                break;
            }
            catch (DirectoryNotFoundException)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == 3)
                {
                    break; // Best effort: a leftover temp directory must not fail the test run.
                }

                await Task.Delay(PollInterval);
            }
        }
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return string.Empty;
        }
    }

    private static void WriteFile(string path, string contents, UnixFileMode mode)
    {
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode });
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            writer.Write(contents.ReplaceLineEndings("\n"));
        }

        // Postfix waits (in 300 ms steps) until a configuration file it reads is older than the current second, in case
        // it is still being written: date it back so that start-up does not pay for that.
        File.SetLastWriteTimeUtc(path, TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-1));
    }

    private static string TlsVersionName(SslProtocols version) => version switch
    {
#pragma warning disable SYSLIB0039 // Older versions are named so that tests can ask for them; OpenSSL may still refuse them.
        SslProtocols.Tls => "TLSv1",
        SslProtocols.Tls11 => "TLSv1.1",
#pragma warning restore SYSLIB0039
        SslProtocols.Tls12 => "TLSv1.2",
        SslProtocols.Tls13 => "TLSv1.3",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Give a single TLS version."),
    };

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // Postfix's unprivileged daemons and virtual(8) (as nobody) must traverse the directory; keys stay 0600.
        File.SetUnixFileMode(WorkingDirectory, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(ConfigDirectory, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(WorkingDirectory, "queue"), (UnixFileMode)0b111_101_101);
        foreach (var (relativePath, contents) in _options.QueueFiles)
        {
            var path = Path.Combine(WorkingDirectory, "queue", relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, (UnixFileMode)0b111_101_101);
            WriteFile(path, contents, (UnixFileMode)0b110_100_100);
        }

        var mail = Directory.CreateDirectory(Path.Combine(WorkingDirectory, "mail"));
        File.SetUnixFileMode(mail.FullName, (UnixFileMode)0b111_111_111);
        await WriteCertificatesAsync(cancellationToken);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        for (var attempt = 1; ; attempt++)
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, FreePort.GetTcpPort());
            WriteFile(Path.Combine(ConfigDirectory, "main.cf"), BuildMainCf(), (UnixFileMode)0b110_100_100);
            WriteFile(Path.Combine(ConfigDirectory, "master.cf"), BuildMasterCf(), (UnixFileMode)0b110_100_100);
            File.Delete(LogPath);
            StartPostfix();
            if (await WaitUntilStartedAsync(cancellationToken))
            {
                _masterPid = FindMasterPid(_process!.Id);
                return;
            }

            var log = ReadLog();
            await StopAsync();
            if (attempt == StartAttempts || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Postfix did not start on {EndPoint}. Log:\n{log}");
            }
        }
    }

    private async Task WriteCertificatesAsync(CancellationToken cancellationToken)
    {
        if (!_options.OfferStartTls)
        {
            return;
        }

        WriteChainFile("default.pem", _certificate!);
        var map = new StringBuilder();
        var index = 0;
        foreach (var (name, certificate) in _options.SniCertificates)
        {
            var file = WriteChainFile($"sni-{++index}.pem", certificate);
            map.Append(name.ToLowerInvariant()).Append(' ').Append(file).Append('\n');
        }

        WriteFile(Path.Combine(ConfigDirectory, "sni"), map.ToString(), (UnixFileMode)0b110_000_000);

        // postmap reads main.cf for its defaults: give it a minimal one (the real one is written at start-up).
        WriteFile(Path.Combine(ConfigDirectory, "main.cf"), "compatibility_level = 3.6\n", (UnixFileMode)0b110_100_100);
        await RunAsync(PostmapPath, cancellationToken, "-c", ConfigDirectory, "-F", "hash:" + Path.Combine(ConfigDirectory, "sni"));
    }

    /// <summary>Writes private key, leaf and the intermediates that issued it (PEM, root only) and returns the path.</summary>
    private string WriteChainFile(string fileName, X509Certificate2 certificate)
    {
        using var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException($"The key of {certificate.Subject} is neither ECDSA nor RSA.", nameof(certificate));
        var pem = new StringBuilder();
        pem.Append(key.ExportPkcs8PrivateKeyPem()).Append('\n');
        pem.Append(certificate.ExportCertificatePem()).Append('\n');
        var current = certificate;
        for (var depth = 0; depth < 8 && _options.IntermediateCertificates is { } pool; depth++)
        {
            var issuer = pool.FirstOrDefault(c =>
                c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData)
                && !c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
            if (issuer is null || issuer.RawDataMemory.Span.SequenceEqual(current.RawDataMemory.Span))
            {
                break;
            }

            pem.Append(issuer.ExportCertificatePem()).Append('\n');
            current = issuer;
        }

        var path = Path.Combine(ConfigDirectory, fileName);
        WriteFile(path, pem.ToString(), (UnixFileMode)0b110_000_000);
        return path;
    }

    private string BuildMainCf()
    {
        var parameters = new List<(string Name, string Value)>
        {
            ("compatibility_level", "3.6"),
            ("queue_directory", Path.Combine(WorkingDirectory, "queue")),
            ("data_directory", Path.Combine(WorkingDirectory, "data")),
            ("maillog_file", LogPath),
            ("maillog_file_prefixes", WorkingDirectory),
            ("myhostname", _options.HostName),
            ("mydomain", "smtp-test.invalid"),
            ("myorigin", "$myhostname"),
            ("mydestination", string.Empty),
            ("relay_domains", string.Empty),
            ("inet_interfaces", "127.0.0.1"),
            ("inet_protocols", "ipv4"),
            ("mynetworks", "127.0.0.0/8"),
            ("alias_maps", string.Empty),
            ("alias_database", string.Empty),
            ("biff", "no"),
            ("default_transport", "error:outbound mail is disabled in tests"),
            ("relay_transport", "error:outbound mail is disabled in tests"),
            ("local_transport", "error:local delivery is disabled in tests"),
            ("virtual_mailbox_domains", "static:all"),
            ("virtual_mailbox_base", Path.Combine(WorkingDirectory, "mail")),
            ("virtual_mailbox_maps", "static:inbox/"),
            ("virtual_uid_maps", "static:" + MailboxUid.ToString(CultureInfo.InvariantCulture)),
            ("virtual_gid_maps", "static:" + MailboxUid.ToString(CultureInfo.InvariantCulture)),
            ("smtpd_banner", "$myhostname ESMTP MtaSts test server"),
            ("smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination"),
            ("smtpd_discard_ehlo_keywords", "silent-discard, dsn"),
            ("smtpd_peername_lookup", "no"),
            ("smtpd_error_sleep_time", "0"),
            ("in_flow_delay", "0"),
            ("smtpd_tls_security_level", _options.OfferStartTls ? "may" : "none"),
            ("smtpd_tls_received_header", "yes"),
            ("smtpd_tls_loglevel", "1"),
        };
        if (_options.OfferStartTls)
        {
            parameters.Add(("smtpd_tls_chain_files", Path.Combine(ConfigDirectory, "default.pem")));
            parameters.Add(("tls_server_sni_maps", "hash:" + Path.Combine(ConfigDirectory, "sni")));
            var bounds = new List<string>();
            if (_options.MinimumTlsVersion is { } minimum)
            {
                bounds.Add(">=" + TlsVersionName(minimum));
            }

            if (_options.MaximumTlsVersion is { } maximum)
            {
                bounds.Add("<=" + TlsVersionName(maximum));
            }

            if (bounds.Count > 0)
            {
                parameters.Add(("smtpd_tls_protocols", string.Join(", ", bounds)));
            }
        }

        parameters.AddRange(_options.AdditionalParameters.Select(p => (p.Key, p.Value)));
        return string.Concat(parameters.Select(p => $"{p.Name} = {p.Value}\n"));
    }

    private string BuildMasterCf()
    {
        // service type private unpriv chroot wakeup maxproc command: nothing chrooted, one smtpd on our port only.
        const string Services = """
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            tlsmgr    unix  -       -       n       1000?   1       tlsmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            virtual   unix  -       n       n       -       -       virtual
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd

            """;
        return $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)} inet n - n - - smtpd\n" + Services
            + string.Concat(_options.AdditionalServices.Select(line => line + "\n"));
    }

    private void StartPostfix()
    {
        // Through sh only to send stdout/stderr to a file: pipes would stay open as long as any Postfix daemon lives.
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "exec \"$0\" -c \"$1\" start-fg >\"$2\" 2>&1", PostfixPath, ConfigDirectory, Path.Combine(WorkingDirectory, "console.log")])
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start postfix.");
    }

    private async Task<bool> WaitUntilStartedAsync(CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(StartTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            if (_process!.HasExited)
            {
                return false;
            }

            if (ReadShared(LogPath).Contains("daemon started", StringComparison.Ordinal) && IsListening(Port))
            {
                return true;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for Postfix to listen on {EndPoint}. Log:\n{ReadLog()}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Whether a TCP socket listens on 127.0.0.1:<paramref name="port"/> (from /proc/net/tcp, without connecting).</summary>
    private static bool IsListening(int port)
    {
        var local = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && fields[1] == local && fields[3] == "0A")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// master's PID: the child of the started process (which became postfix-script). Not read from pid/master.pid,
    /// which master keeps locked, so that .NET cannot open it.
    /// </summary>
    private static int FindMasterPid(int parent)
    {
        foreach (var (pid, fields) in ProcessStats())
        {
            if (int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid) && ppid == parent)
            {
                return pid;
            }
        }

        return 0;
    }

    private async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        var masterPid = _masterPid;
        try
        {
            if (masterPid == 0)
            {
                masterPid = FindMasterPid(process.Id);
            }

            if (!process.HasExited && masterPid != 0)
            {
                // SIGTERM: master terminates its process group (all its daemons) and exits, and so does postfix-script.
                await RunAsync("/bin/sh", CancellationToken.None, "-c", "kill -TERM \"$0\" 2>/dev/null || true", masterPid.ToString(CultureInfo.InvariantCulture));
            }

            await process.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Fall back to killing the whole tree below.
        }
        finally
        {
            KillTree(process);
            process.Dispose();
        }

        if (masterPid != 0)
        {
            await WaitForSessionToEndAsync(masterPid);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Waits until no live process is left in master's session (master called setsid), killing stragglers.</summary>
    private static async Task WaitForSessionToEndAsync(int sessionId)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(StopTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var alive = LiveProcessesInSession(sessionId);
            if (alive.Count == 0)
            {
                return;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                foreach (var pid in alive)
                {
                    try
                    {
                        using var straggler = Process.GetProcessById(pid);
                        straggler.Kill();
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Gone meanwhile.
                    }
                }

                return;
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Processes (not zombies) whose session ID is <paramref name="sessionId"/>.</summary>
    private static List<int> LiveProcessesInSession(int sessionId) =>
        [.. ProcessStats()
            .Where(p => p.Fields[0] is not ("Z" or "X")
                && int.TryParse(p.Fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var session) && session == sessionId)
            .Select(p => p.Pid)];

    /// <summary>
    /// Every process with the fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, ….
    /// </summary>
    private static IEnumerable<(int Pid, string[] Fields)> ProcessStats()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid pgrp session …": comm may contain spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3)
            {
                yield return (pid, fields);
            }
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        if (_process is { } process)
        {
            KillTree(process);
        }

        foreach (var pid in _masterPid != 0 ? LiveProcessesInSession(_masterPid) : [])
        {
            try
            {
                using var straggler = Process.GetProcessById(pid);
                straggler.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }
    }

    private static async Task RunAsync(string fileName, CancellationToken cancellationToken, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await output}{await error}");
        }
    }

    private List<ReceivedMessage> ReadMessages(string log)
    {
        var finished = RemovedPattern().Matches(log).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        if (finished.Count == 0)
        {
            return [];
        }

        var deliveries = ReadDeliveries().GroupBy(d => d.QueueId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var messages = new List<ReceivedMessage>();
        foreach (var queueId in finished)
        {
            if (!deliveries.TryGetValue(queueId, out var copies))
            {
                continue;
            }

            var ordered = copies.OrderBy(c => c.Recipients[0], StringComparer.Ordinal).ToList();
            var first = ordered[0];
            messages.Add(new ReceivedMessage
            {
                QueueId = queueId,
                Sender = first.Sender,
                Recipients = [.. ordered.Select(c => c.Recipients[0])],
                Raw = first.Raw,
                HeloName = first.HeloName,
                TlsProtocol = first.TlsProtocol,
                TlsCipher = first.TlsCipher,
            });
        }

        return messages;
    }

    /// <summary>Every per-recipient copy in the Maildir (each parsed once).</summary>
    private List<ReceivedMessage> ReadDeliveries()
    {
        var files = new List<string>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var directory = Path.Combine(MaildirPath, sub);
            if (Directory.Exists(directory))
            {
                files.AddRange(Directory.EnumerateFiles(directory));
            }
        }

        lock (_gate)
        {
            foreach (var file in files.Where(f => !_deliveries.ContainsKey(Path.GetFileName(f))))
            {
                try
                {
                    _deliveries[Path.GetFileName(file)] = ParseDelivery(File.ReadAllBytes(file));
                }
                catch (FileNotFoundException)
                {
                    // Moved from new/ to cur/ meanwhile: found there next time.
                }
            }

            return [.. _deliveries.Values.OfType<ReceivedMessage>()];
        }
    }

    /// <summary>Reads the headers Postfix put on one recipient's copy; <see langword="null"/> for a file that is not such a copy.</summary>
    private static ReceivedMessage? ParseDelivery(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = new List<(string Name, string Value)>();
        foreach (var line in (end < 0 ? text : text[..end]).Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                headers[^1] = (headers[^1].Name, headers[^1].Value + " " + line.Trim());
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        string? Header(string name) => headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        var received = Header("Received");
        var recipient = Header("X-Original-To") ?? Header("Delivered-To");
        var queueId = received is null ? null : QueueIdPattern().Match(received) is { Success: true } id ? id.Groups[1].Value : null;
        if (queueId is null || recipient is null)
        {
            return null;
        }

        var tls = TlsPattern().Match(received!);
        var helo = HeloPattern().Match(received!);
        return new ReceivedMessage
        {
            QueueId = queueId,
            Sender = (Header("Return-Path") ?? string.Empty).Trim('<', '>', ' '),
            Recipients = [recipient],
            Raw = raw,
            HeloName = helo.Success ? helo.Groups[1].Value : null,
            TlsProtocol = tls.Success ? tls.Groups[1].Value : null,
            TlsCipher = tls.Success ? tls.Groups[2].Value : null,
        };
    }

    [GeneratedRegex(@"/qmgr\[\d+\]: ([0-9A-Za-z]+): removed$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RemovedPattern();

    [GeneratedRegex(@"/smtpd\[\d+\]: connect from ", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectFromPattern();

    [GeneratedRegex(@"\bwith\s+\S+\s+id\s+([0-9A-Za-z]+)", RegexOptions.CultureInvariant)]
    private static partial Regex QueueIdPattern();

    [GeneratedRegex(@"\(using\s+(TLSv[0-9.]+)\s+with\s+cipher\s+(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex TlsPattern();

    [GeneratedRegex(@"^from\s+(\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex HeloPattern();
}
