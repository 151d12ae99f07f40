using System.Net.Sockets;
using DnsClient;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>One DNS question as it arrived at the counting proxy in front of the test name server.</summary>
/// <param name="Name">The question name, lower case, without the trailing dot.</param>
/// <param name="Type">The question type.</param>
/// <param name="Transport"><see cref="ProtocolType.Udp"/> or <see cref="ProtocolType.Tcp"/>.</param>
public sealed record ObservedDnsQuery(string Name, QueryType Type, ProtocolType Transport);
