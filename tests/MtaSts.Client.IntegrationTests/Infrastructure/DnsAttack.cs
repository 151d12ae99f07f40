using System.Buffers.Binary;
using System.Net.Sockets;
using DnsClient;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>What the hostile DNS responder does to a query that matches a rule (see <see cref="DnsCountingProxy.Attack"/>).</summary>
public enum DnsAttackKind
{
    /// <summary>Answers SERVFAIL itself.</summary>
    ServerFailure,

    /// <summary>Answers NXDOMAIN itself (a spoofed "does not exist").</summary>
    NonExistentDomain,

    /// <summary>Forwards the first matching query; answers NXDOMAIN to every later one.</summary>
    NonExistentDomainAfterFirst,

    /// <summary>Forwards the first matching query; answers SERVFAIL to every later one.</summary>
    ServerFailureAfterFirst,

    /// <summary>Never answers (a timeout).</summary>
    Drop,

    /// <summary>Answers with a record whose owner name is a compression pointer to itself (RFC 1035 §4.1.4 loop).</summary>
    CompressionLoop,

    /// <summary>Answers with a record whose owner name points past the end of the message.</summary>
    BadPointer,

    /// <summary>Forwards, then cuts the real answer short without setting TC.</summary>
    Truncated,

    /// <summary>Over UDP, answers with more than 4 KiB of TXT records in one datagram; over TCP, forwards.</summary>
    OversizedOverUdp,

    /// <summary>Over UDP (where an off-path forger can answer), sends a forged NXDOMAIN with the wrong transaction id first, then forwards the real answer.</summary>
    ForgedIdFirst,

    /// <summary>Forwards after <see cref="DnsAttack.Delay"/>.</summary>
    Delay,
}

/// <summary>One rule of the hostile DNS responder: which queries, and what to do to them.</summary>
public sealed class DnsAttack
{
    private int _matches;

    public DnsAttack(string name, QueryType? type, DnsAttackKind kind)
    {
        Name = DnsWire.Normalize(name);
        Type = type;
        Kind = kind;
    }

    public string Name { get; }

    public QueryType? Type { get; }

    public DnsAttackKind Kind { get; }

    /// <summary>Gets or sets the delay of <see cref="DnsAttackKind.Delay"/>.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Gets how many queries matched so far.</summary>
    public int Matches => Volatile.Read(ref _matches);

    internal bool TryMatch(ObservedDnsQuery query, out int index)
    {
        index = -1;
        if (query.Name != Name || (Type is { } type && query.Type != type))
        {
            return false;
        }

        index = Interlocked.Increment(ref _matches) - 1;
        return true;
    }

    /// <summary>Decides what happens to a matching query (the <paramref name="index"/>-th match).</summary>
    internal DnsAdmission Admit(byte[] query, ProtocolType transport, int index) => Kind switch
    {
        DnsAttackKind.ServerFailure => DnsAdmission.Answer(DnsWire.CreateServerFailure(query)),
        DnsAttackKind.NonExistentDomain => DnsAdmission.Answer(DnsWire.CreateResponse(query, rcode: 3)),
        DnsAttackKind.NonExistentDomainAfterFirst => index == 0 ? DnsAdmission.Pass : DnsAdmission.Answer(DnsWire.CreateResponse(query, rcode: 3)),
        DnsAttackKind.ServerFailureAfterFirst => index == 0 ? DnsAdmission.Pass : DnsAdmission.Answer(DnsWire.CreateServerFailure(query)),
        DnsAttackKind.Drop => DnsAdmission.Answer(null),
        DnsAttackKind.CompressionLoop => DnsAdmission.Answer(DnsWire.CreateAnswerWithPointer(query, selfLoop: true)),
        DnsAttackKind.BadPointer => DnsAdmission.Answer(DnsWire.CreateAnswerWithPointer(query, selfLoop: false)),
        DnsAttackKind.Truncated => DnsAdmission.Pass with { Transform = answer => answer.Length > 14 ? answer[..^7] : answer },
        DnsAttackKind.OversizedOverUdp when transport == ProtocolType.Udp => DnsAdmission.Answer(DnsWire.CreateOversizedTxtAnswer(query)),
        DnsAttackKind.ForgedIdFirst when transport == ProtocolType.Udp => DnsAdmission.Pass with { Before = ForgeId(DnsWire.CreateResponse(query, rcode: 3)) },
        DnsAttackKind.Delay => DnsAdmission.Pass with { Delay = Delay },
        _ => DnsAdmission.Pass,
    };

    private static byte[]? ForgeId(byte[]? response)
    {
        if (response is not null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(response) ^ 0x5A5A));
        }

        return response;
    }
}

/// <summary>What the responder does with one query: forward it (possibly late, possibly after a forged answer, possibly altering the answer) or answer it itself.</summary>
internal sealed record DnsAdmission(bool Forward, byte[]? Reply, byte[]? Before = null, Func<byte[], byte[]>? Transform = null, TimeSpan Delay = default)
{
    public static DnsAdmission Pass { get; } = new(true, null);

    public static DnsAdmission Answer(byte[]? reply) => new(false, reply);
}
