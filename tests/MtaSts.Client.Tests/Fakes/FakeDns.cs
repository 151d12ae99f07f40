using System.Collections.Concurrent;
using System.Net;

namespace MtaSts.Tests.Fakes;

/// <summary>A hand-written <see cref="IMtaStsDns"/>: TXT answers set per name, every query counted.</summary>
internal sealed class FakeDns : IMtaStsDns
{
    private readonly ConcurrentDictionary<string, TxtLookupResult> _txt = new(StringComparer.OrdinalIgnoreCase);
    private int _txtQueries;

    /// <summary>Gets or sets a gate every TXT query waits on (to hold queries in flight).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int TxtQueries => Volatile.Read(ref _txtQueries);

    public void SetRecords(string domain, params string[] records) =>
        _txt["_mta-sts." + domain] = new TxtLookupResult(DnsLookupStatus.Found, records, null);

    public void SetId(string domain, string id) => SetRecords(domain, $"v=STSv1; id={id}");

    public void SetNotFound(string domain, TimeSpan? timeToLive = null) =>
        _txt["_mta-sts." + domain] = new TxtLookupResult(DnsLookupStatus.NotFound, []) { TimeToLive = timeToLive };

    public void SetRecords(string domain, TimeSpan timeToLive, params string[] records) =>
        _txt["_mta-sts." + domain] = new TxtLookupResult(DnsLookupStatus.Found, records) { TimeToLive = timeToLive };

    /// <summary>Answers TXT queries for the full <paramref name="name"/> (such as <c>_smtp._tls.example.com</c>).</summary>
    public void SetTxt(string name, params string[] records) =>
        _txt[name] = new TxtLookupResult(DnsLookupStatus.Found, records, null);

    /// <summary>Makes TXT queries for the full <paramref name="name"/> fail temporarily.</summary>
    public void SetTxtFailure(string name) => _txt[name] = TxtLookupResult.Failure("dns-serverfailure");

    public void SetTemporaryFailure(string domain) => _txt["_mta-sts." + domain] = TxtLookupResult.Failure("dns-serverfailure");

    public async Task<TxtLookupResult> LookupTxtAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _txtQueries);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return _txt.TryGetValue(name, out var result) ? result : TxtLookupResult.NotFound;
    }

    public Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken) =>
        Task.FromResult(MxLookupResult.Implicit(domain));

    public Task<AddressLookupResult> LookupAddressesAsync(string host, CancellationToken cancellationToken) =>
        Task.FromResult(AddressLookupResult.Found([IPAddress.Loopback]));
}
