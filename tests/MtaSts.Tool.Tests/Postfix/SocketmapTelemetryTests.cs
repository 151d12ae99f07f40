using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class SocketmapTelemetryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly System.Diagnostics.Metrics.IMeterFactory _meters;

    public SocketmapTelemetryTests() => _meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

    [Fact]
    public void Answered_CountsEachReplyKindAndRecordsDurations()
    {
        using var requests = new MetricCollector<long>(_meters, SocketmapTelemetry.MeterName, "mtasts.socketmap.requests");
        using var duration = new MetricCollector<double>(_meters, SocketmapTelemetry.MeterName, "mtasts.socketmap.request.duration");
        using var sut = new SocketmapTelemetry(_meters);

        sut.Answered(SocketmapReplies.NotFound, 0.001);
        sut.Answered(Netstring.Encode("OK secure match=mx.example.com"u8), null);
        sut.Answered(SocketmapReplies.Temp, null);
        sut.Answered(SocketmapReplies.Perm("bad"), null);

        Assert.Equal(["notfound", "ok", "temp", "perm"], requests.GetMeasurementSnapshot().Select(m => (string)m.Tags["mtasts.socketmap.reply"]!));
        Assert.True(sut.DurationEnabled);
        Assert.Equal(0.001, Assert.Single(duration.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public void ProtocolErrorsAndConnections_AreCounted()
    {
        using var errors = new MetricCollector<long>(_meters, SocketmapTelemetry.MeterName, "mtasts.socketmap.errors");
        using var connections = new MetricCollector<long>(_meters, SocketmapTelemetry.MeterName, "mtasts.socketmap.connections");
        using var sut = new SocketmapTelemetry(_meters);

        sut.ConnectionOpened();
        sut.ConnectionOpened();
        sut.ConnectionClosed();
        sut.ProtocolError("request-too-large");

        Assert.Equal(1, connections.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal("request-too-large", Assert.Single(errors.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    [Fact]
    public void Responder_ResolverThrows_CountsResolverException()
    {
        using var errors = new MetricCollector<long>(_meters, SocketmapTelemetry.MeterName, "mtasts.socketmap.errors");
        using var telemetry = new SocketmapTelemetry(_meters);
        var resolver = new FakePolicyResolver();
        resolver.Set("example.com", () => throw new InvalidOperationException("bug"));
        var sut = new SocketmapResponder(resolver, new SocketmapNameSettings(), new Dictionary<string, SocketmapNameSettings>(), telemetry, NullLogger.Instance);

        Assert.Equal("19:TEMP internal error,", Encoding.ASCII.GetString(sut.Begin("postfix example.com"u8).Reply!));
        Assert.Equal("resolver-exception", Assert.Single(errors.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    public void Dispose() => _services.Dispose();
}
