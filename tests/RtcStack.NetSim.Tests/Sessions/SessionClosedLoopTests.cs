using RtcStack.Congestion;
using RtcStack.Dtls;
using RtcStack.NetSim.Links;
using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;
using RtcStack.NetSim.Sources;
using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// Issue #8's session-level proof, on session core v2 (issue #13): two RtcStack.WebRtc <see cref="WebRtcSession"/>s in
/// NetSim, ICE + DTLS-SRTP really negotiated over the simulated links, one video transceiver each (VP8), the sender's
/// RFC 8593 video model following the congestion controller, its frames packetized by the session and paced to the
/// link, and the controller fed only with the session's own packet-sent reports, RTT from RTCP, and the TWCC feedback
/// RTCP that the receiving session writes (SRTCP-protected, over the backward link). Each run twice (issue 14): with the
/// controller and pacer the session owns (GCC or NADA, <see cref="WebRtcSessionOptions.CongestionControl"/>, the
/// application following <see cref="WebRtcSession.TargetBitrateBps"/>), and with the caller's controller through the
/// session's hook (<see cref="WebRtcSessionOptions.CongestionController"/>) and a pacer outside the session.
/// </summary>
/// <remarks>
/// <para>Topology and schedule (RFC 8867 §5.1-like, shortened): forward one-way delay 50 ms with RFC 8868 jitter
/// (σ 5 ms, no reordering), drop-tail queue of 300 ms; backward 50 ms, unconstrained. Capacity 1 Mbps from 2 s, 0.6 Mbps
/// from 30 s (the drop), 1 Mbps from 50 s to the end at 70 s. The first 2 s are call setup (offer/answer, ICE checks,
/// DTLS handshake; the sessions connect at 0.32 s and 0.37 s) and the links are unconstrained then: the ECDSA
/// signatures in the DTLS flights are 70–72 bytes long at random, and at 1 Mbps those bytes would shift every later
/// packet by microseconds, so the run could not be bit-for-bit repeatable. Media starts at 2 s.</para>
/// <para>The two-way variant: 1 Mbps constant in each direction (from 2 s), both sessions send, 30 s.</para>
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

    /// <summary>
    /// The session's own controller and pacer (<see cref="WebRtcSessionOptions.CongestionControl"/>, the default), or
    /// (<paramref name="inSession"/> false) the caller's controller through the session's hook with a pacer outside it.
    /// </summary>
    [Theory]
    [InlineData("gcc", true)]
    [InlineData("nada", true)]
    [InlineData("gcc", false)]
    [InlineData("nada", false)]
    public void ControllerThroughTwoWebRtcSessionsFillsOneMbpsAndFollowsTheDrop(string cc, bool inSession)
    {
        SessionRun run = Run(seed: 1, durationSeconds: 70, cc, inSession: inSession);
        Log(run);
        AssertSessionLoop(run, expectedPhases: 3);
    }

    /// <summary>
    /// Both sessions send (each with its own controller and video model) over 1 Mbps each way: each flow's TWCC
    /// feedback now queues behind the other flow's media, as in RFC 8867 §5.3.
    /// </summary>
    [Theory]
    [InlineData("gcc", true)]
    [InlineData("nada", true)]
    [InlineData("gcc", false)]
    [InlineData("nada", false)]
    public void ControllersInBothSessionsFillOneMbpsEachWay(string cc, bool inSession)
    {
        SessionRun run = Run(seed: 1, durationSeconds: 30, cc, bidirectional: true, inSession: inSession);
        Log(run);
        AssertSessionLoop(run, expectedPhases: 2);
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
        Assert.Equal(a.Directions[0].ReceiverStats!.TransportFeedbackSent, b.Directions[0].ReceiverStats!.TransportFeedbackSent);
        Assert.Equal(a.Directions[0].Receiver.Frames, b.Directions[0].Receiver.Frames);
        Assert.Equal(a.Directions[0].Sender.PaddingPacketsSent, b.Directions[0].Sender.PaddingPacketsSent);
        Assert.NotEqual(a.Result.Flows[0].PacketQueueDelays, c.Result.Flows[0].PacketQueueDelays);
    }

    private static void AssertSessionLoop(SessionRun run, int expectedPhases)
    {
        ScenarioSummary s = run.Result.Summary;
        Assert.True(run.ConnectedAt < TimeSpan.FromSeconds(MediaStart), $"connected at {run.ConnectedAt}");
        Assert.True(run.ReceiverConnectedAt < TimeSpan.FromSeconds(MediaStart), $"peer connected at {run.ReceiverConnectedAt}");
        foreach (Direction d in run.Directions)
        {
            // The loop really ran through the sessions.
            RtcTransportStats tx = d.SenderStats!, rx = d.ReceiverStats!;
            Assert.Equal(0, tx.SrtpAuthenticationFailures + rx.SrtpAuthenticationFailures + tx.SrtcpFailures + rx.SrtcpFailures);
            Assert.True(rx.TransportFeedbackSent > 10 * s.DurationSeconds, $"{d.Series.Id}: TWCC sent {rx.TransportFeedbackSent}");
            Assert.InRange(tx.TransportFeedbackReceived, rx.TransportFeedbackSent - 5, rx.TransportFeedbackSent);
            Assert.Equal(0, d.Sender.SendRefused);
            if (d.Controller is ProbeTaggingController controller)
            {
                // Every TWCC packet the sending session accepted went to the controller (a few are in flight at the end).
                Assert.Equal(tx.TransportFeedbackReceived, controller.FeedbackReports);
                Assert.True(controller.RttSamples > s.DurationSeconds / 2, $"{d.Series.Id}: RTT samples {controller.RttSamples}");
                if (run.Result.Controller == "gcc")
                {
                    // Initial probing (3× and 6× the start rate) went through the session (NADA does not probe).
                    Assert.True(d.Sender.ProbePacketsSent > 0, $"{d.Series.Id}: no probe cluster was sent");
                }

                // Every packet the sending session wrote was reported to the controller as it left the pacer, in order
                // (the controller wrapper checks each datagram's transport-wide sequence number against the session's report).
                Assert.Equal(d.SendingSession.FeedbackCounters.PacketsStamped, controller.PacketsWritten);
                Assert.Equal(controller.PacketsWritten, controller.PacketsSent + controller.PacketsQueued);
            }
            else
            {
                // The session's own controller and pacer: the controller is the one asked for, the application heard its
                // target, GCC probed through the pacer (NADA does not probe), the pacer dropped nothing and refused no
                // frame, and every RTP packet the session wrote carried a transport-wide sequence number.
                SessionPacingCounters pacing = d.SendingSession.PacingCounters;
                Assert.Equal(run.Result.Controller, d.SendingSession.CongestionController!.Name, StringComparer.OrdinalIgnoreCase);
                Assert.True(pacing.TargetBitrateEvents > 5, $"{d.Series.Id}: {pacing.TargetBitrateEvents} target events");
                if (run.Result.Controller == "gcc")
                {
                    Assert.True(pacing.ProbeClusters > 0 && pacing.ProbePackets > 0, $"{d.Series.Id}: {pacing.ProbeClusters} probe clusters, {pacing.ProbePackets} probe packets");
                }

                Assert.Equal(0, pacing.PacketsDropped + pacing.FramesRefused);
                Assert.Equal(d.SendingSession.FeedbackCounters.PacketsStamped, d.Sender.MediaPacketsSent + d.Sender.RetransmissionsSent + d.Sender.PaddingPacketsSent);
            }

            // The receiving session decrypted every RTP packet that arrived (media, RTX, padding), recorded it for its
            // feedback, routed it, and its stream took it: media and repairs counted as received, padding as padding.
            Assert.Equal(d.RtpDelivered, d.ReceivingSession.FeedbackCounters.PacketsRecorded + rx.SrtpReplays);
            SessionMediaCounters m = d.ReceivingSession.MediaCounters;
            Assert.Equal(0, m.UnroutedRtp + m.MalformedRtp + m.UnknownPayloadType + m.MediaQueueOverflows);
            ReceiveStreamStats inbound = d.ReceivingSession.Sections.Single(x => x.Kind == MediaKind.Video).Inbound.Single();
            Assert.Equal(d.RtpDelivered, inbound.PacketsReceived + inbound.RtxPaddingPacketsReceived + rx.SrtpReplays);
            Assert.Equal(d.Sender.PaddingPacketsSent, inbound.RtxPaddingPacketsReceived);

            // Every frame the receiving session surfaced is one the sender made, whole, in order, and every frame the
            // frame buffer completed reached the application; NACK and RTX repaired every loss, so every frame made more
            // than 0.5 s before the end (two one-way delays, the pacer and a NACK round trip) was surfaced.
            Assert.Equal(0, d.Receiver.FramesOther);
            Assert.Equal(inbound.FramesReceived, d.Receiver.FramesAccepted);
            var sent = d.Sender.Frames.ToDictionary(f => f.Timestamp);
            Assert.All(d.Receiver.Frames, f => Assert.Equal(sent[f.Timestamp], f));
            var surfaced = d.Receiver.Frames.Select(f => f.Timestamp).ToHashSet();
            uint settled = (uint)((s.DurationSeconds - 0.5) * 90_000);
            List<uint> missing = d.Sender.Frames.Where(f => f.Timestamp < settled && !surfaced.Contains(f.Timestamp)).Select(f => f.Timestamp).ToList();
            Assert.True(missing.Count == 0, $"{d.Series.Id}: {missing.Count} frames never surfaced, the first at RTP time {missing.FirstOrDefault()}");
            Assert.Equal(0, inbound.FramesDropped);
        }

        Assert.Equal(expectedPhases, s.Phases.Count);
        foreach (PhaseSummary p in s.Phases)
        {
            Assert.False(double.IsNaN(p.ConvergenceSeconds), $"{p.Link} phase {p.Start}-{p.End} s never converged");
            Assert.True(p.UtilisationAfterConvergence >= 0.85,
                $"{p.Link} phase {p.Start}-{p.End} s: utilisation after convergence {p.UtilisationAfterConvergence:P1}");
        }

        foreach (FlowSummary f in s.Flows)
        {
            Assert.True(f.QueueDelayP95OutsideDropsMs < 100, $"{f.Id}: p95 queuing delay outside drops {f.QueueDelayP95OutsideDropsMs:F1} ms");
        }
    }

    private static bool IsRtp(SimPacket p) => PacketDemultiplexer.Classify(p.Payload.Span) == PacketKind.Rtp;

    private static bool IsRtcp(SimPacket p) => PacketDemultiplexer.Classify(p.Payload.Span) == PacketKind.Rtcp;

    private static SessionRun Run(int seed, double durationSeconds, string cc = "gcc", bool bidirectional = false, bool inSession = true)
    {
        LinkDefinition Bottleneck(string id, List<CapacityStep> capacity) => new()
        {
            Id = id,
            Capacity = capacity,
            PropagationDelayMs = 50,
            JitterMs = Rfc8867Presets.JitterStdMs,
            QueueMs = 300,
        };
        MediaFlowDefinition Flow(string id, string forward, string backward) => new()
        {
            Id = id,
            Forward = [forward],
            Backward = [backward],
            StartSeconds = MediaStart,
            StopSeconds = durationSeconds,
        };
        var definition = new ScenarioDefinition
        {
            Name = bidirectional ? "session-closed-loop-both-ways" : "session-closed-loop",
            Description = bidirectional
                ? $"Two WebRtcSessions sending video to each other, {cc} with TWCC, 1 Mbps each way"
                : $"Two WebRtcSessions, video one way, {cc} with TWCC, RFC 8867 §5.1-like 1.0/0.6/1.0 Mbps",
            DurationSeconds = durationSeconds,
            Links = bidirectional
                ? [Bottleneck("fwd", [new CapacityStep(0, 1_000_000)]), Bottleneck("bwd", [new CapacityStep(0, 1_000_000)])]
                : [Bottleneck("fwd", [new CapacityStep(0, 1_000_000), new CapacityStep(30, 600_000), new CapacityStep(50, 1_000_000)]),
                   new LinkDefinition { Id = "bwd", PropagationDelayMs = 50, JitterMs = Rfc8867Presets.JitterStdMs }],
            MediaFlows = bidirectional ? [Flow("a-to-b", "fwd", "bwd"), Flow("b-to-a", "bwd", "fwd")] : [Flow("a-to-b", "fwd", "bwd")],
            Bottlenecks = bidirectional ? ["fwd", "bwd"] : ["fwd"],
        };

        var sim = new Simulator(seed);
        Link fwd = BuildLink(sim, definition.Links[0], 1);
        Link bwd = BuildLink(sim, definition.Links[1], 2);
        sim.SetRoute(1, 2, fwd);
        sim.SetRoute(2, 1, bwd);

        var metrics = new MetricsCollector();
        foreach (string id in definition.Bottlenecks)
        {
            metrics.AddLink(id == "fwd" ? fwd : bwd, id);
        }

        var directions = new List<Direction>();
        for (int k = 0; k < definition.MediaFlows.Count; k++)
        {
            MediaFlowDefinition flow = definition.MediaFlows[k];
            ProbeTaggingController? controller = inSession ? null : new ProbeTaggingController(ScenarioRunner.CreateController(cc, flow));
            var sender = new SessionVideoSender(controller, new VideoSourceOptions { MinBps = flow.MinBps, MaxBps = flow.MaxBps },
                sim.CreateRandom(1000 + k), TimeSpan.FromSeconds(MediaStart));
            var series = new FlowSeries(flow.Id, "media", controller?.Name ?? cc.ToUpperInvariant()) { StartSeconds = MediaStart, StopSeconds = durationSeconds };
            Direction? direction = null;
            FlowProbeTarget target = controller is not null ? () => controller.TargetBitrateBps : () => direction!.SendingSession.TargetBitrateBps ?? 0;
            direction = new Direction(controller, sender, new SessionMediaReceiver(), series, metrics.AddFlow(series, () => target()));
            directions.Add(direction);
        }

        Direction ab = directions[0];
        Direction? ba = bidirectional ? directions[1] : null;
        var sessionA = new WebRtcSession(Options(seed * 2, s_certificateA.Value, ab.Controller, inSession ? cc : null));
        var sessionB = new WebRtcSession(Options((seed * 2) + 1, s_certificateB.Value, ba?.Controller, inSession && ba is not null ? cc : null));
        var a = new WebRtcSessionEndpoint(sessionA, new SimAddress(1, 5000), inSession ? null : ab.Sender, ba is null ? [ab.Sender] : [ab.Sender, ba.Receiver]);
        var b = new WebRtcSessionEndpoint(sessionB, new SimAddress(2, 5000), inSession ? null : ba?.Sender, ba is null ? [ab.Receiver] : [ab.Receiver, ba.Sender]);
        if (inSession)
        {
            a.OnRtpWritten = ab.Sender.CountWritten;
            b.OnRtpWritten = ba is null ? null : ba.Sender.CountWritten;
        }

        (ab.SendingSession, ab.ReceivingSession) = (sessionA, sessionB);
        if (ba is not null)
        {
            (ba.SendingSession, ba.ReceivingSession) = (sessionB, sessionA);
        }

        // One video transceiver each (sendrecv, as a browser's addTrack makes it); the one-way run's B sends nothing.
        ab.Sender.Transceiver = sessionA.AddTransceiver(MediaKind.Video);
        Transceiver videoB = sessionB.AddTransceiver(MediaKind.Video);
        if (ba is not null)
        {
            ba.Sender.Transceiver = videoB;
        }

        // Flow k is sent by the endpoint attached with flow id k (A = 0, B = 1); its feedback is the other one's SRTCP.
        sim.OnSent = (p, _) =>
        {
            if (IsRtp(p) && p.FlowId < directions.Count)
            {
                directions[p.FlowId].Probe.OnSent(p.WireSize);
                directions[p.FlowId].Series.MediaBytesSent += p.WireSize;
            }
            else if (IsRtcp(p) && (1 - p.FlowId) < directions.Count)
            {
                directions[1 - p.FlowId].Series.FeedbackBytes += p.WireSize;
            }
        };
        fwd.OnDropped += (p, _) => OnDropped(ab, p);
        bwd.OnDropped += (p, _) => OnDropped(ba, p);
        b.OnDatagram = (p, now) => OnDelivered(ab, p, now);
        a.OnDatagram = (p, now) => OnDelivered(ba, p, now);

        // Offer/answer out of band at t = 0 (instant signalling); the host candidates travel in the SDP.
        string offer = a.Session.CreateOffer(sim.Now);
        Assert.True(b.Session.TryAcceptOffer(offer, sim.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(a.Session.TryApplyAnswer(answer, sim.Now, out error), error?.ToString());
        Assert.All(new[] { a, b }, e => Assert.Equal("VP8", e.Session.Sections.Single().SendCodec?.Name));
        sim.Attach(a.Address, a, 0);
        sim.Attach(b.Address, b, 1);
        sim.Attach(new SimAddress(0, 1), metrics, -1);

        for (int s = 1; s <= (int)Math.Ceiling(durationSeconds); s++)
        {
            sim.RunUntil(TimeSpan.FromSeconds(Math.Min(s, durationSeconds)));
        }

        TimeSpan end = TimeSpan.FromSeconds(durationSeconds);
        var result = new ScenarioResult(definition, cc, seed, durationSeconds, metrics.Times, metrics.Flows, metrics.Links, sim.EventCount);
        RtcTransportStats statsA = a.Session.GetStats(end).Get<RtcTransportStats>()!;
        RtcTransportStats statsB = b.Session.GetStats(end).Get<RtcTransportStats>()!;
        ab.SenderStats = statsA;
        ab.ReceiverStats = statsB;
        if (ba is not null)
        {
            ba.SenderStats = statsB;
            ba.ReceiverStats = statsA;
        }

        return new SessionRun(result, a.Session.ConnectedAt ?? TimeSpan.MaxValue, b.Session.ConnectedAt ?? TimeSpan.MaxValue, directions);
    }

    /// <summary>
    /// A link as the definition says, except that it is unconstrained until media starts (call setup; see the class remarks).
    /// </summary>
    private static Link BuildLink(Simulator sim, LinkDefinition d, int stream)
    {
        CapacitySchedule? capacity = null;
        if (d.Capacity.Count > 0)
        {
            var steps = new List<(TimeSpan, double)> { (TimeSpan.Zero, double.PositiveInfinity) };
            steps.AddRange(d.Capacity.Select(c => (TimeSpan.FromSeconds(Math.Max(c.AtSeconds, MediaStart)), c.Bps)));
            capacity = new CapacitySchedule(steps);
        }

        return new Link(sim, new LinkOptions
        {
            Name = d.Id,
            Capacity = capacity,
            PropagationDelay = TimeSpan.FromMilliseconds(d.PropagationDelayMs),
            Jitter = new JitterModel(TimeSpan.FromMilliseconds(d.JitterMs)),
            QueueLimitTime = capacity is null ? null : TimeSpan.FromMilliseconds(d.QueueMs),
        }, stream);
    }

    private static void OnDropped(Direction? d, SimPacket p)
    {
        if (d is not null && IsRtp(p))
        {
            d.Probe.OnDropped();
        }
    }

    private static void OnDelivered(Direction? d, SimPacket p, TimeSpan now)
    {
        if (d is not null && IsRtp(p))
        {
            d.RtpDelivered++;
            d.Probe.OnReceived(p.WireSize, now, p.QueueDelay, recordDelay: true);
        }
    }

    /// <summary>
    /// With <paramref name="inSessionCc"/> ("gcc" or "nada") the session owns the controller and paces itself (the
    /// defaults); otherwise the session only feeds <paramref name="controller"/> (the caller's, through the hook) and
    /// SessionVideoSender's pacer outside the session paces and takes the controller's probes.
    /// </summary>
    private static WebRtcSessionOptions Options(int seed, DtlsCertificate certificate, ICongestionController? controller, string? inSessionCc) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Certificate = certificate, Random = new Random(seed + 1000), WallClock = new FixedClock(s_wallClock) },
        CongestionController = inSessionCc is null ? controller : null,
        Pacing = inSessionCc is not null,
        CongestionControl = inSessionCc switch
        {
            "gcc" => SessionCongestionControl.Gcc,
            "nada" => SessionCongestionControl.Nada,
            _ => SessionCongestionControl.None,
        },
    };

    private void Log(SessionRun run)
    {
        output.WriteLine($"connected at {run.ConnectedAt.TotalMilliseconds:F0} ms (peer {run.ReceiverConnectedAt.TotalMilliseconds:F0} ms), {run.Result.Events} events");
        foreach (PhaseSummary p in run.Result.Summary.Phases)
        {
            output.WriteLine($"{p.Link} phase {p.Start}-{p.End} s cap {p.CapacityBps / 1e6} Mbps: conv {p.ConvergenceSeconds:F1} s, util after {p.UtilisationAfterConvergence:P1} (whole phase {p.Utilisation:P1})");
        }

        for (int k = 0; k < run.Directions.Count; k++)
        {
            Direction d = run.Directions[k];
            FlowSummary f = run.Result.Summary.Flows[k];
            output.WriteLine($"{f.Id}: recv {f.AvgReceiveBps / 1e3:F0} kbps, target {f.AvgTargetBps / 1e3:F0} kbps, qdelay p50 {f.QueueDelayP50Ms:F1} p95 {f.QueueDelayP95Ms:F1} (outside drops {f.QueueDelayP95OutsideDropsMs:F1}) ms, loss {f.LossRate:P2}, feedback {f.FeedbackBps / 1e3:F1} kbps ({f.FeedbackOverhead:P1})");
            ReceiveStreamStats inbound = d.ReceivingSession.Sections.Single(x => x.Kind == MediaKind.Video).Inbound.Single();
            output.WriteLine($"  sender: {d.Sender.Frames.Count} frames ({d.Sender.Frames.Count(f => f.Key)} key, {d.Sender.KeyframeRequests} requested), {d.Sender.MediaPacketsSent} media + {d.Sender.RetransmissionsSent} RTX + {d.Sender.PaddingPacketsSent} padding packets ({d.Sender.ProbePacketsSent} in probes), overhead {d.Sender.PacketOverhead} B/packet; "
                + $"receiver: {d.RtpDelivered} RTP delivered, recorded {d.ReceivingSession.FeedbackCounters.PacketsRecorded}, inbound {inbound.PacketsReceived} (RTX {inbound.RetransmittedPacketsReceived}, padding {inbound.RtxPaddingPacketsReceived}, NACKs {inbound.NackCount}, PLIs {inbound.PliCount}), frames {d.Receiver.FramesAccepted} accepted ({d.Receiver.KeyFrames} key), {d.Receiver.FramesOther} other, {inbound.FramesDropped} dropped, SRTP replays {d.ReceiverStats!.SrtpReplays}; "
                + $"TWCC sent {d.ReceiverStats.TransportFeedbackSent}, received {d.SenderStats!.TransportFeedbackReceived}; RTT samples {d.Controller?.RttSamples}; pacing: {d.SendingSession.PacingCounters.PacketsPaced} paced, {d.SendingSession.PacingCounters.ProbeClusters} probe clusters ({d.SendingSession.PacingCounters.ProbePackets} packets), {d.SendingSession.PacingCounters.TargetBitrateEvents} target events");
            for (int i = 0; i < run.Result.Times.Count; i += 10)
            {
                output.WriteLine($"  t {run.Result.Times[i]:F1}: recv {run.Result.Flows[k].ReceiveBps[i] / 1e3:F0} kbps target {run.Result.Flows[k].TargetBps[i] / 1e3:F0} kbps qdelay p50 {run.Result.Flows[k].QueueDelayP50Ms[i]:F0} ms");
            }
        }
    }

    /// <summary>One media direction: the sending session's controller and video driver, the receiving session's application.</summary>
    private delegate long FlowProbeTarget();

    private sealed class Direction(ProbeTaggingController? controller, SessionVideoSender sender, SessionMediaReceiver receiver, FlowSeries series, MetricsCollector.FlowProbe probe)
    {
        /// <summary>Gets the caller's controller (the hook), or null when the session owns its controller.</summary>
        public ProbeTaggingController? Controller { get; } = controller;

        public SessionVideoSender Sender { get; } = sender;

        public SessionMediaReceiver Receiver { get; } = receiver;

        public FlowSeries Series { get; } = series;

        public MetricsCollector.FlowProbe Probe { get; } = probe;

        public long RtpDelivered { get; set; }

        public WebRtcSession SendingSession { get; set; } = null!;

        public WebRtcSession ReceivingSession { get; set; } = null!;

        public RtcTransportStats? SenderStats { get; set; }

        public RtcTransportStats? ReceiverStats { get; set; }
    }

    /// <summary>A wall clock that stands still: the sessions' NTP times (RFC 3550 §4) then depend only on virtual time.</summary>
    private sealed class FixedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    private sealed record SessionRun(ScenarioResult Result, TimeSpan ConnectedAt, TimeSpan ReceiverConnectedAt, IReadOnlyList<Direction> Directions);
}
