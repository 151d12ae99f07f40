using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtaSts.MailKit.IntegrationTests.Infrastructure;

/// <summary>One connection to a <see cref="HostileSmtpServer"/>: the script's handle to read, write and start TLS.</summary>
public sealed class HostileSmtpConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly CancellationTokenSource _aborted;
    private readonly StringBuilder _plaintext = new();
    private readonly StringBuilder _decrypted = new();
    private readonly Lock _gate = new();
    private Stream _stream;
    private SmtpLineReader _reader;

    internal HostileSmtpConnection(Socket socket, CancellationToken stopping)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _reader = new SmtpLineReader(_network);
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>Gets a token that fires when the server stops or the connection is aborted.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Gets a value indicating whether TLS was started on this connection.</summary>
    public bool TlsStarted { get; private set; }

    /// <summary>Gets the lines the client sent in the clear: what an attacker on the path saw.</summary>
    public string PlaintextReceived
    {
        get
        {
            lock (_gate)
            {
                return _plaintext.ToString();
            }
        }
    }

    /// <summary>Gets the lines the client sent inside TLS.</summary>
    public string DecryptedReceived
    {
        get
        {
            lock (_gate)
            {
                return _decrypted.ToString();
            }
        }
    }

    /// <summary>Sends raw text (the caller writes the CRLFs).</summary>
    public async Task SendAsync(string text)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), Aborted);
        await _stream.FlushAsync(Aborted);
    }

    /// <summary>Sends one reply line and its CRLF.</summary>
    public Task ReplyAsync(string line) => SendAsync(line + "\r\n");

    /// <summary>Reads one line from the client (without its line end), or <see langword="null"/> when it closed.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var line = await _reader.ReadLineAsync(Aborted);
        if (line is null)
        {
            return null;
        }

        var text = Encoding.Latin1.GetString(line);
        lock (_gate)
        {
            (TlsStarted ? _decrypted : _plaintext).Append(text);
        }

        return text.TrimEnd('\r', '\n');
    }

    /// <summary>Runs the server side of a TLS handshake with <paramref name="certificate"/> (after replying 220 to STARTTLS).</summary>
    public async Task StartTlsAsync(X509Certificate2 certificate, SslProtocols protocols = SslProtocols.None)
    {
        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        TlsStarted = true;
        await ssl.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocols, ClientCertificateRequired = false },
            Aborted);
        _stream = ssl;
        _reader = new SmtpLineReader(ssl);
    }

    /// <summary>Waits until the client closes the connection (or the test ends), reading and recording what it sends.</summary>
    public async Task DrainAsync()
    {
        while (await ReadLineAsync() is not null)
        {
        }
    }

    /// <summary>Ends the connection.</summary>
    public void Abort()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }
}
