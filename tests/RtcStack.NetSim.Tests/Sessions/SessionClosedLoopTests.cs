using RtcStack.Congestion;
using RtcStack.Dtls;
using RtcStack.NetSim.Links;
using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;
using RtcStack.NetSim.Sources;
using RtcStack.Stun;
using RtcStack.WebRtc;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Issue #8's session-level proof: two RtcStack.WebRtc <see cref="PeerSession"/>s in NetSim, ICE + DTLS-SRTP really
/// negotiated over the simulated links, the sender's RFC 8593 video model driven by GCC through the session's
/// congestion-controller hook, and GCC fed only with the session's own packet-sent reports and the TWCC feedback
/// RTCP that the receiving session writes (SRTCP-protected, over the backward link).
/// </summary>
/// <remarks>
/// <para>Topology and schedule (RFC 8867 §5.1-like, shortened): forward one-way delay 50 ms with RFC 8868 jitter
/// (σ 5 ms, no reordering), drop-tail queue of 300 ms; backward 50 ms, unconstrained. Capacity 1 Mbps from 2 s, 0.6 Mbps
/// from 30 s (the drop), 1 Mbps from 50 s to the end at 70 s. The first 2 s are call setup (offer/answer, ICE checks,
/// DTLS handshake; the sessions connect in about 0.4 s) and the forward link is unconstrained then: the ECDSA
/// signatures in the DTLS flights are 70–72 bytes long at random, and at 1 Mbps those bytes would shift every later
/// packet by microseconds, so the run could not be bit-for-bit repeatable. Media starts at 2 s.</para>
/// <para>Bounds, the same as the bare-RTP scenario tests (ScenarioBoundTests) and computed by the same
/// <see cref="ScenarioAnalysis"/> code: in each capacity phase the flow converges (a 1 s window at ≥ 85 % of capacity
/// with per-200 ms p95 queuing delay &lt; 100 ms) and the bottleneck utilisation from convergence to the phase end is
/// ≥ 85 %; the 95th percentile of the media packets' queuing delay is &lt; 100 ms outside the 5 s after the drop.
/// Utilisation counts every byte on the bottleneck (SRTP, SRTCP sender reports, STUN consent checks, IP/UDP
/// headers) against the capacity, as RFC 8868 §2 defines link utilisation.</para>
/// </remarks>
public class SessionClosedLoopTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset s_wallClock = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<DtlsCertificate> s_certificateA = new(() => DtlsCertificate.Generate(s_wallClock));
    private static readonly Lazy<DtlsCertificate> s_certificateB = new(() => DtlsCertificate.Generate(s_wallClock));

    private const double MediaStart = 2;

    [Fact]
    public void GccThroughTwoPeerSessionsFillsOneMbpsAndFollowsTheDrop()
    {
        SessionRun run = Run(seed: 1, durationSeconds: 70);
        ScenarioSummary s = run.Result.Summary;
        Log(run);

        // The loop really ran through the sessions.
        Assert.True(run.ConnectedAt < TimeSpan.FromSeconds(MediaStart), $"connected at {run.ConnectedAt}");
        Assert.Equal(0, run.SenderStats.SrtpAuthenticationFailures + run.ReceiverStats.SrtpAuthenticationFailures);
        Assert.Equal(0, run.SenderStats.SrtcpFailures + run.ReceiverStats.SrtcpFailures);
        Assert.True(run.ReceiverStats.TransportFeedbackSent > 500, $"TWCC sent {run.ReceiverStats.TransportFeedbackSent}");
        // Every TWCC packet the sender session accepted went to the controller (a few are in flight at the end).
        Assert.Equal(run.SenderStats.TransportFeedbackReceived, run.Controller.FeedbackReports);
        Assert.InRange(run.Controller.FeedbackReports, run.ReceiverStats.TransportFeedbackSent - 5, run.ReceiverStats.TransportFeedbackSent);
        Assert.True(run.Controller.RttSamples > 10, $"RTT samples {run.Controller.RttSamples}");
        Assert.True(run.Sender.ProbePacketsSent > 0, "no probe cluster was sent");
        Assert.Equal(0, run.Sender.SendRefused);
        // The receiving session decrypted and depacketized every RTP packet that arrived.
        Assert.Equal(run.RtpDelivered, run.Receiver.FramesAccepted + run.Receiver.FramesOther + run.ReceiverStats.SrtpReplays);

        Assert.Equal(3, s.Phases.Count);
        foreach (PhaseSummary p in s.Phases)
        {
            Assert.False(double.IsNaN(p.ConvergenceSeconds), $"phase {p.Start}-{p.End} s never converged");
            Assert.True(p.UtilisationAfterConvergence >= 0.85,
                $"phase {p.Start}-{p.End} s: utilisation after convergence {p.UtilisationAfterConvergence:P1}");
        }

        FlowSummary f = s.Flows[0];
        Assert.True(f.QueueDelayP95OutsideDropsMs < 100, $"p95 queuing delay outside the drop {f.QueueDelayP95OutsideDropsMs:F1} ms");
    }

    [Fact]
    public void SameSeedGivesIdenticalRunsAndAnotherSeedDiffers()
    {
        SessionRun a = Run(seed: 5, durationSeconds: 15);
        SessionRun b = Run(seed: 5, durationSeconds: 15);
        SessionRun c = Run(seed: 6, durationSeconds: 15);
        Assert.Equal(a.Result.Events, b.Result.Events);
        Assert.Equal(a.Result.Flows[0].ReceiveBps, b.Result.Flows[0].ReceiveBps);
        Assert.Equal(a.Result.Flows[0].TargetBps, b.Result.Flows[0].TargetBps);
        Assert.Equal(a.Result.Flows[0].PacketQueueDelays, b.Result.Flows[0].PacketQueueDelays);
        Assert.Equal(a.ReceiverStats.TransportFeedbackSent, b.ReceiverStats.TransportFeedbackSent);
        Assert.NotEqual(a.Result.Flows[0].PacketQueueDelays, c.Result.Flows[0].PacketQueueDelays);
    }

    private static bool IsRtp(SimPacket p) => PacketDemultiplexer.Classify(p.Payload.Span) == PacketKind.Rtp;

    private static bool IsRtcp(SimPacket p) => PacketDemultiplexer.Classify(p.Payload.Span) == PacketKind.Rtcp;

    private static SessionRun Run(int seed, double durationSeconds)
    {
        var definition = new ScenarioDefinition
        {
            Name = "session-closed-loop",
            Description = "Two PeerSessions, GCC with TWCC, RFC 8867 §5.1-like 1.0/0.6/1.0 Mbps",
            DurationSeconds = durationSeconds,
            Links =
            [
                new LinkDefinition
                {
                    Id = "fwd",
                    Capacity = [new CapacityStep(0, 1_000_000), new CapacityStep(30, 600_000), new CapacityStep(50, 1_000_000)],
                    PropagationDelayMs = 50,
                    JitterMs = Rfc8867Presets.JitterStdMs,
                    QueueMs = 300,
                },
                new LinkDefinition { Id = "bwd", PropagationDelayMs = 50, JitterMs = Rfc8867Presets.JitterStdMs },
            ],
            MediaFlows = [new MediaFlowDefinition { Id = "session", Forward = ["fwd"], Backward = ["bwd"], StartSeconds = MediaStart, StopSeconds = durationSeconds }],
            Bottlenecks = ["fwd"],
        };
        MediaFlowDefinition flow = definition.MediaFlows[0];

        var sim = new Simulator(seed);
        // The analysis sees the definition's schedule; the link itself is unconstrained until media starts (see remarks).
        var schedule = new List<(TimeSpan, double)> { (TimeSpan.Zero, double.PositiveInfinity) };
        schedule.AddRange(definition.Links[0].Capacity.Select(c => (TimeSpan.FromSeconds(Math.Max(c.AtSeconds, MediaStart)), c.Bps)));
        var fwd = new Link(sim, new LinkOptions
        {
            Name = "fwd",
            Capacity = new CapacitySchedule(schedule),
            PropagationDelay = TimeSpan.FromMilliseconds(50),
            Jitter = new JitterModel(TimeSpan.FromMilliseconds(Rfc8867Presets.JitterStdMs)),
            QueueLimitTime = TimeSpan.FromMilliseconds(300),
        }, 1);
        var bwd = new Link(sim, new LinkOptions
        {
            Name = "bwd",
            PropagationDelay = TimeSpan.FromMilliseconds(50),
            Jitter = new JitterModel(TimeSpan.FromMilliseconds(Rfc8867Presets.JitterStdMs)),
            QueueLimitTime = null,
        }, 2);
        sim.SetRoute(1, 2, fwd);
        sim.SetRoute(2, 1, bwd);

        var controller = new ProbeTaggingController(ScenarioRunner.CreateController("gcc", flow));
        var sender = new SessionVideoSender(controller, new VideoSourceOptions { MinBps = flow.MinBps, MaxBps = flow.MaxBps },
            sim.CreateRandom(1000), TimeSpan.FromSeconds(MediaStart));
        var receiver = new SessionMediaReceiver();
        var a = new PeerSessionEndpoint(new PeerSession(Options(seed * 2, s_certificateA.Value, controller)), new SimAddress(1, 5000), sender);
        var b = new PeerSessionEndpoint(new PeerSession(Options((seed * 2) + 1, s_certificateB.Value, null)), new SimAddress(2, 5000), receiver);

        var metrics = new MetricsCollector();
        metrics.AddLink(fwd, "fwd");
        var series = new FlowSeries(flow.Id, "media", controller.Name) { StartSeconds = MediaStart, StopSeconds = durationSeconds };
        MetricsCollector.FlowProbe probe = metrics.AddFlow(series, () => controller.TargetBitrateBps);
        sim.OnSent = (p, _) =>
        {
            if (p.FlowId == 0 && IsRtp(p))
            {
                probe.OnSent(p.WireSize);
            }
            else if (p.FlowId == 1 && IsRtcp(p))
            {
                series.FeedbackBytes += p.WireSize;
            }
        };
        fwd.OnDropped += (p, _) =>
        {
            if (IsRtp(p))
            {
                probe.OnDropped();
            }
        };
        long rtpDelivered = 0;
        b.OnDatagram = (p, now) =>
        {
            if (IsRtp(p))
            {
                rtpDelivered++;
                probe.OnReceived(p.WireSize, now, p.QueueDelay, recordDelay: true);
            }
        };

        // Offer/answer out of band at t = 0 (instant signalling); the host candidates travel in the SDP.
        string offer = a.Session.CreateOffer(sim.Now);
        Assert.True(b.Session.TryAcceptOffer(offer, sim.Now, out string? answer, out string? error), error);
        Assert.True(a.Session.TryApplyAnswer(answer, sim.Now, out error), error);
        sim.Attach(a.Address, a, 0);
        sim.Attach(b.Address, b, 1);
        sim.Attach(new SimAddress(0, 1), metrics, -1);

        for (int s = 1; s <= (int)Math.Ceiling(durationSeconds); s++)
        {
            sim.RunUntil(TimeSpan.FromSeconds(Math.Min(s, durationSeconds)));
        }

        series.MediaBytesSent = controller.PacketsSent;
        TimeSpan end = TimeSpan.FromSeconds(durationSeconds);
        var result = new ScenarioResult(definition, "gcc", seed, durationSeconds, metrics.Times, metrics.Flows, metrics.Links, sim.EventCount);
        return new SessionRun(result, a.Session.ConnectedAt ?? TimeSpan.MaxValue, b.Session.ConnectedAt ?? TimeSpan.MaxValue,
            a.Session.GetStats(end).Get<RtcTransportStats>()!, b.Session.GetStats(end).Get<RtcTransportStats>()!, controller, sender, receiver, rtpDelivered);
    }

    private static PeerSessionOptions Options(int seed, DtlsCertificate certificate, ICongestionController? controller) => new()
    {
        Certificate = certificate,
        Random = new Random(seed),
        WallClockAtZero = s_wallClock,
        CongestionController = controller,
    };

    private void Log(SessionRun run)
    {
        output.WriteLine($"connected at {run.ConnectedAt.TotalMilliseconds:F0} ms (receiver {run.ReceiverConnectedAt.TotalMilliseconds:F0} ms), {run.Result.Events} events");
        foreach (PhaseSummary p in run.Result.Summary.Phases)
        {
            output.WriteLine($"phase {p.Start}-{p.End} s cap {p.CapacityBps / 1e6} Mbps: conv {p.ConvergenceSeconds:F1} s, util after {p.UtilisationAfterConvergence:P1} (whole phase {p.Utilisation:P1})");
        }

        FlowSummary f = run.Result.Summary.Flows[0];
        output.WriteLine($"recv {f.AvgReceiveBps / 1e3:F0} kbps, target {f.AvgTargetBps / 1e3:F0} kbps, qdelay p50 {f.QueueDelayP50Ms:F1} p95 {f.QueueDelayP95Ms:F1} (outside drop {f.QueueDelayP95OutsideDropsMs:F1}) ms, loss {f.LossRate:P2}, feedback {f.FeedbackBps / 1e3:F1} kbps");
        output.WriteLine($"sender: {run.Sender.MediaPacketsSent} media + {run.Sender.PaddingPacketsSent} padding packets ({run.Sender.ProbePacketsSent} in probes), overhead {run.Sender.PacketOverhead} B/packet; "
            + $"receiver: {run.RtpDelivered} RTP delivered, accepted {run.Receiver.FramesAccepted} frames, other {run.Receiver.FramesOther}, replays {run.ReceiverStats.SrtpReplays}; TWCC sent {run.ReceiverStats.TransportFeedbackSent}, received {run.SenderStats.TransportFeedbackReceived}; RTT samples {run.Controller.RttSamples}");
        var times = run.Result.Times;
        for (int i = 0; i < times.Count; i += 10)
        {
            output.WriteLine($"t {times[i]:F1}: recv {run.Result.Flows[0].ReceiveBps[i] / 1e3:F0} kbps target {run.Result.Flows[0].TargetBps[i] / 1e3:F0} kbps qdelay p50 {run.Result.Flows[0].QueueDelayP50Ms[i]:F0} ms");
        }
    }

    private sealed record SessionRun(ScenarioResult Result, TimeSpan ConnectedAt, TimeSpan ReceiverConnectedAt, RtcTransportStats SenderStats,
        RtcTransportStats ReceiverStats, ProbeTaggingController Controller, SessionVideoSender Sender, SessionMediaReceiver Receiver,
        long RtpDelivered);
}
