using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A transparent UDP + TCP DNS forwarder on 127.0.0.1 that records the question of every message it receives before
/// relaying it to the upstream server and relaying the answer back. Knot DNS has no plain query log (only dnstap), so
/// this is how the fixture counts the queries that actually reach the name server.
/// </summary>
public sealed class DnsCountingProxy : IAsyncDisposable
{
    private const int UdpReceiveLoops = 4;

    // knotd's UDP sockets keep the default receive buffer (about 200 KiB); bounding the queries in flight towards it
    // keeps a burst from overflowing that buffer under CPU contention.
    private const int MaxUpstreamUdpInFlight = 32;
    private const int UdpReceiveBufferBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(5);

    private readonly IPEndPoint _upstream;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _upstreamSlots = new(MaxUpstreamUdpInFlight, MaxUpstreamUdpInFlight);
    private readonly Lock _gate = new();
    private readonly List<ObservedDnsQuery> _queries = [];
    private readonly Dictionary<(string Name, QueryType Type), int> _counts = [];
    private readonly List<DnsAttack> _attacks = [];
    private Task _udpLoop = Task.CompletedTask;
    private Task _tcpLoop = Task.CompletedTask;
    private long _responseDelayTicks;
    private int _disposed;

    private DnsCountingProxy(IPEndPoint upstream, Socket udp, Socket tcp)
    {
        _upstream = upstream;
        _udp = udp;
        _tcp = tcp;
        EndPoint = (IPEndPoint)udp.LocalEndPoint!;
    }

    /// <summary>The loopback endpoint (same port for UDP and TCP) that clients should query.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Delay applied before each received query is forwarded (for example to make concurrent lookups overlap).</summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _responseDelayTicks));
        set => Interlocked.Exchange(ref _responseDelayTicks, value.Ticks);
    }

    /// <summary>When set and returning <see langword="true"/>, the query is counted but never answered (a timeout).</summary>
    public Func<ObservedDnsQuery, bool>? DropQuery { get; set; }

    /// <summary>When set and returning <see langword="true"/>, the query is counted and answered SERVFAIL by the proxy itself.</summary>
    public Func<ObservedDnsQuery, bool>? FailQuery { get; set; }

    /// <summary>
    /// Makes the proxy a hostile responder for the queries <paramref name="attack"/> matches (per test: rules match by name,
    /// and each test uses names of its own). Dispose the result to withdraw the rule.
    /// </summary>
    public IDisposable Attack(DnsAttack attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        lock (_gate)
        {
            _attacks.Add(attack);
        }

        return new Withdrawal(this, attack);
    }

    /// <summary>Every query received so far, in arrival order.</summary>
    public IReadOnlyList<ObservedDnsQuery> Queries
    {
        get
        {
            lock (_gate)
            {
                return [.. _queries];
            }
        }
    }

    /// <summary>Number of queries received so far, over UDP and TCP.</summary>
    public int TotalQueryCount
    {
        get
        {
            lock (_gate)
            {
                return _queries.Count;
            }
        }
    }

    /// <summary>
    /// Binds UDP and TCP on <paramref name="listen"/> (a fixed address and port, such as port 53 of a loopback address for
    /// programs that can only ask resolv.conf's name servers) and starts relaying to <paramref name="upstream"/>.
    /// </summary>
    /// <exception cref="SocketException">The address and port are taken.</exception>
    public static DnsCountingProxy Start(IPEndPoint upstream, IPEndPoint listen)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(listen);
        var udp = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var tcp = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            EnlargeReceiveBuffer(udp);
            udp.Bind(listen);
            tcp.Bind(listen);
            tcp.Listen(512);
        }
        catch
        {
            udp.Dispose();
            tcp.Dispose();
            throw;
        }

        var proxy = new DnsCountingProxy(upstream, udp, tcp);
        proxy._udpLoop = Task.WhenAll(Enumerable.Range(0, UdpReceiveLoops).Select(_ => Task.Run(proxy.RunUdpAsync)));
        proxy._tcpLoop = Task.Run(proxy.RunTcpAsync);
        return proxy;
    }

    /// <summary>Binds UDP and TCP on the same free loopback port and starts relaying to <paramref name="upstream"/>.</summary>
    public static DnsCountingProxy Start(IPEndPoint upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            EnlargeReceiveBuffer(udp);
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(512);
            }
            catch (SocketException)
            {
                udp.Dispose();
                tcp.Dispose();
                continue;
            }

            var proxy = new DnsCountingProxy(upstream, udp, tcp);
            proxy._udpLoop = Task.WhenAll(Enumerable.Range(0, UdpReceiveLoops).Select(_ => Task.Run(proxy.RunUdpAsync)));
            proxy._tcpLoop = Task.Run(proxy.RunTcpAsync);
            return proxy;
        }

        throw new InvalidOperationException("Could not bind the DNS proxy to a loopback port free for both UDP and TCP.");
    }

    /// <summary>Number of queries received for <paramref name="name"/> (case-insensitive, trailing dot optional) and type.</summary>
    public int QueryCount(string name, QueryType type)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault((DnsWire.Normalize(name), type));
        }
    }

    /// <summary>Forgets every query received so far.</summary>
    public void ResetQueryCounts()
    {
        lock (_gate)
        {
            _queries.Clear();
            _counts.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        try
        {
            await Task.WhenAll(_udpLoop, _tcpLoop);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
        _upstreamSlots.Dispose();
    }

    /// <summary>
    /// A large receive buffer (and several concurrent receives) lets the proxy absorb bursts such as a thousand
    /// concurrent lookups without the kernel dropping datagrams. SO_RCVBUF is capped at net.core.rmem_max, so
    /// SO_RCVBUFFORCE is tried first (it needs CAP_NET_ADMIN, which root has).
    /// </summary>
    private static void EnlargeReceiveBuffer(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            const int SolSocket = 1;
            const int SoRcvBufForce = 33;
            try
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(UdpReceiveBufferBytes));
                return;
            }
            catch (SocketException)
            {
                // Not privileged: fall back to the capped option.
            }
        }

        socket.ReceiveBufferSize = UdpReceiveBufferBytes;
    }

    private async Task RunUdpAsync()
    {
        var token = _stopping.Token;
        var buffer = new byte[ushort.MaxValue];
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, 0), token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var datagram = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            _ = ForwardUdpAsync(datagram, received.RemoteEndPoint, token);
        }
    }

    private async Task ForwardUdpAsync(byte[] datagram, EndPoint client, CancellationToken token)
    {
        try
        {
            var admission = await AdmitAsync(datagram, ProtocolType.Udp, token);
            if (admission.Before is { } forged)
            {
                await _udp.SendToAsync(forged, SocketFlags.None, client, token);
            }

            if (!admission.Forward)
            {
                if (admission.Reply is { } reply)
                {
                    await _udp.SendToAsync(reply, SocketFlags.None, client, token);
                }

                return;
            }

            var answer = new byte[ushort.MaxValue];
            int length;
            await _upstreamSlots.WaitAsync(token);
            try
            {
                using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                await upstream.ConnectAsync(_upstream, token);
                await upstream.SendAsync(datagram, SocketFlags.None, token);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(UpstreamTimeout);
                length = await upstream.ReceiveAsync(answer, SocketFlags.None, timeout.Token);
            }
            finally
            {
                _upstreamSlots.Release();
            }

            var relayed = answer.AsMemory(0, length);
            if (admission.Transform is { } transform)
            {
                relayed = transform(relayed.ToArray());
            }

            await _udp.SendToAsync(relayed, SocketFlags.None, client, token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client sees a timeout, exactly as if a real server had dropped the query.
        }
    }

    private async Task RunTcpAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = RelayTcpAsync(client, token);
        }
    }

    private async Task RelayTcpAsync(Socket clientSocket, CancellationToken token)
    {
        using var client = new NetworkStream(clientSocket, ownsSocket: true);
        using var clientWrites = new SemaphoreSlim(1, 1);
        try
        {
            using var upstreamSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await upstreamSocket.ConnectAsync(_upstream, token);
            using var upstream = new NetworkStream(upstreamSocket, ownsSocket: false);
            var transforms = new System.Collections.Concurrent.ConcurrentQueue<Func<byte[], byte[]>?>();
            var answers = PumpMessagesAsync(upstream, client, clientWrites, transforms, token);
            while (await ReadMessageAsync(client, token) is { } message)
            {
                var admission = await AdmitAsync(message, ProtocolType.Tcp, token);
                if (admission.Before is { } forged)
                {
                    await WriteMessageAsync(client, forged, clientWrites, token);
                }

                if (admission.Forward)
                {
                    transforms.Enqueue(admission.Transform);
                    await WriteMessageAsync(upstream, message, null, token);
                }
                else if (admission.Reply is { } reply)
                {
                    await WriteMessageAsync(client, reply, clientWrites, token);
                }
            }

            upstreamSocket.Shutdown(SocketShutdown.Send);
            await answers;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // Connection torn down by either side or by disposal.
        }
    }

    private static async Task PumpMessagesAsync(Stream from, Stream to, SemaphoreSlim writes, System.Collections.Concurrent.ConcurrentQueue<Func<byte[], byte[]>?> transforms, CancellationToken token)
    {
        while (await ReadMessageAsync(from, token) is { } message)
        {
            var relayed = transforms.TryDequeue(out var transform) && transform is not null ? transform(message) : message;
            await WriteMessageAsync(to, relayed, writes, token);
        }
    }

    /// <summary>Reads one length-prefixed DNS message (RFC 1035 section 4.2.2), or <see langword="null"/> at end of stream.</summary>
    private static async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken token)
    {
        var prefix = new byte[2];
        if (await stream.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, token) < 2)
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message, token);
        return message;
    }

    private static async Task WriteMessageAsync(Stream stream, byte[] message, SemaphoreSlim? writes, CancellationToken token)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, checked((ushort)message.Length));
        message.CopyTo(framed, 2);
        if (writes is not null)
        {
            await writes.WaitAsync(token);
        }

        try
        {
            await stream.WriteAsync(framed, token);
        }
        finally
        {
            writes?.Release();
        }
    }

    /// <summary>Records the query, then decides: forward it, drop it, answer it here, or attack it (<see cref="Attack"/>).</summary>
    private async Task<DnsAdmission> AdmitAsync(byte[] message, ProtocolType transport, CancellationToken token)
    {
        var admission = DnsAdmission.Pass;
        if (DnsWire.TryReadQuestion(message, out var name, out var type))
        {
            var query = new ObservedDnsQuery(name, (QueryType)type, transport);
            DnsAttack[] attacks;
            lock (_gate)
            {
                _queries.Add(query);
                _counts[(query.Name, query.Type)] = _counts.GetValueOrDefault((query.Name, query.Type)) + 1;
                attacks = [.. _attacks];
            }

            if (DropQuery?.Invoke(query) == true)
            {
                return DnsAdmission.Answer(null);
            }

            if (FailQuery?.Invoke(query) == true)
            {
                return DnsAdmission.Answer(DnsWire.CreateServerFailure(message));
            }

            foreach (var attack in attacks)
            {
                if (attack.TryMatch(query, out var index))
                {
                    admission = attack.Admit(message, transport, index);
                    break;
                }
            }
        }

        var delay = admission.Delay > ResponseDelay ? admission.Delay : ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, token);
        }

        return admission;
    }

    private sealed class Withdrawal(DnsCountingProxy proxy, DnsAttack attack) : IDisposable
    {
        public void Dispose()
        {
            lock (proxy._gate)
            {
                proxy._attacks.Remove(attack);
            }
        }
    }
}
