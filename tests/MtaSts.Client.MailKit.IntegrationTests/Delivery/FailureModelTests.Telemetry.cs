using System.Diagnostics;
using MtaSts.MailKit.IntegrationTests.Infrastructure;

namespace MtaSts.MailKit.IntegrationTests.Delivery;

/// <summary>The MailKit package's own meter and activity source (issue 13): sessions, MX attempts and deliveries, read as a listener would.</summary>
public sealed partial class FailureModelTests
{
    [Fact]
    public async Task Telemetry_RefusedThenDelivered_SessionsAttemptsDurationAndSpansRecorded()
    {
        await using var mxs = await StartTwoMxAsync((c, _) => SmtpScripts.ServeAsync(c, certificate: null, startTlsReply: "454 4.7.0 not now"));
        var (domain, refusing, good) = mxs;
        using var meter = new MeterRecorder(MtaStsMailKitDiagnostics.MeterName);
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MtaStsMailKitDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var lifetime = _env.CreateAgent(new RecordingOutcomeSink(), out var sut);

        var result = Assert.Single(await sut.DeliverAsync(DeliveryEnvironment.NewMessage(domain, DeliveryEnvironment.NewMarker())));

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var sessions = meter.Of("mtasts.smtp.sessions");
        var failed = Assert.Single(sessions, m => m.Tags.ContainsKey("error.type"));
        Assert.Equal(("enforce", "starttls-not-supported"), ((string?)failed.Tags["mtasts.policy.mode"], (string?)failed.Tags["error.type"]));
        Assert.Contains(sessions, m => !m.Tags.ContainsKey("error.type") && (bool?)m.Tags["mtasts.session.tls"] == true);
        Assert.Equal(["starttls_not_supported", "delivered"], meter.Of("mtasts.mx.attempts").Select(m => (string?)m.Tags["mtasts.mx_attempt.outcome"]));
        var duration = Assert.Single(meter.Of("mtasts.delivery.duration"));
        Assert.Equal(("delivered", "enforce"), ((string?)duration.Tags["mtasts.delivery.status"], (string?)duration.Tags["mtasts.policy.mode"]));
        Assert.True(duration.Value > 0);
        Assert.All(sessions, m => Assert.DoesNotContain(m.Tags.Values, v => v is string s && s.Contains(domain, StringComparison.Ordinal)));
        lock (spans)
        {
            var delivery = Assert.Single(spans, s => s.OperationName == "mtasts.delivery" && (string?)s.GetTagItem("mtasts.policy_domain") == domain);
            var sessionSpans = spans.Where(s => s.OperationName == "mtasts.smtp.session" && s.ParentSpanId == delivery.SpanId).ToList();
            Assert.Equal([refusing.Host, good.Host], sessionSpans.Select(s => (string?)s.GetTagItem("server.address")));
            Assert.Equal(ActivityStatusCode.Error, sessionSpans[0].Status);
            Assert.Equal("starttls-not-supported", sessionSpans[0].GetTagItem("error.type"));
        }
    }
}
