using RtcStack.Congestion;
using RtcStack.Congestion.Gcc;
using RtcStack.Congestion.Nada;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Sdp;
using RtcStack.Stun;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Congestion control inside <see cref="WebRtcSession"/> (issue 14): the session's own controller and pacer driven by
/// its <see cref="SessionTimerReason.Pacer"/> timeouts, probe clusters sent as RTX padding, the peer's REMB as a cap,
/// ALR from what the application hands over, and the target reported to the application. Two sessions in virtual time
/// (<see cref="Pair"/>); the bottleneck is modelled in the test on A's datagrams (a FIFO served at a fixed rate, with a
/// drop-tail limit), so send and arrival times are exact.
/// </summary>
public class WebRtcSessionPacingTests(ITestOutputHelper output)
{
    private const int IpUdpOverhead = 28;

    [Fact]
    public void ABurstLeavesSpreadAtThePacingRate()
    {
        // A fixed controller: 300 kbps target, 750 kbps pacing (GCC's 2.5 ×), so the spacing is known in advance.
        var controller = new FixedController(300_000, 750_000);
        using var net = new Pair(61, a: s => Options(s, controller: controller));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        byte videoPt = (byte)a.Sections[1].SendCodec!.PayloadType;
        var sent = new List<(TimeSpan At, int Length)>();
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out _, out _) && pt == videoPt)
            {
                sent.Add((net.Now, d.Length));
            }
        };

        // A 30 kB key frame handed over at once: 26 packets. The first may leave now; the rest wait in the pacer.
        TimeSpan t0 = net.Now;
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 30_000), 0, keyFrame: true, t0));
        int queued = a.PacerQueuedPackets;
        Assert.True(queued >= 24, $"{queued} packets queued");
        Assert.Equal(SessionTimerReason.Pacer, a.NextTimeout()!.Value.Reason);
        net.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(0, a.PacerQueuedPackets);
        Assert.Equal(queued + 1, sent.Count);
        Assert.Equal(sent.Count, a.PacingCounters.PacketsPaced);
        Assert.Equal(t0, sent[0].At);

        // Each packet leaves when the previous one's bytes (RTP + SRTP tag) have drained at 750 kbps: within 2 % (the
        // pacer charges the size the session expects before writing the header, rounded up to the 100 ns tick).
        for (int i = 1; i < sent.Count; i++)
        {
            double gap = (sent[i].At - sent[i - 1].At).TotalSeconds;
            double expected = sent[i - 1].Length * 8 / 750_000.0;
            Assert.True(Math.Abs(gap - expected) <= expected * 0.02, $"packet {i}: {gap * 1e3:F3} ms after the previous, expected {expected * 1e3:F3} ms");
        }

        double span = (sent[^1].At - sent[0].At).TotalSeconds;
        double bytes = sent.Take(sent.Count - 1).Sum(x => x.Length);
        output.WriteLine($"{sent.Count} packets over {span * 1e3:F1} ms: {bytes * 8 / span / 1e3:F1} kbps (pacing 750 kbps)");
        Assert.InRange(bytes * 8 / span, 750_000 * 0.98, 750_000 * 1.02);

        // What the controller heard: every packet with the instant it left, not the instant it was handed over.
        Assert.Equal(sent.Select(x => x.At), controller.Sent.Where(p => !p.IsPadding).Take(sent.Count).Select(p => p.SendTime));
    }

    [Fact]
    public void AudioSkipsTheQueueButCountsAgainstThePacingRate()
    {
        var controller = new FixedController(300_000, 750_000);
        using var net = new Pair(62, a: s => Options(s, controller: controller));
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        byte audioPt = (byte)a.Sections[0].SendCodec!.PayloadType;
        byte videoPt = (byte)a.Sections[1].SendCodec!.PayloadType;
        var wire = new List<(TimeSpan At, int Length, byte Pt)>();
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out _, out _))
            {
                wire.Add((net.Now, d.Length, pt));
            }
        };

        // A burst of video fills the pacer for about 330 ms; audio every 20 ms meanwhile leaves the moment it is sent.
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 30_000), 0, keyFrame: true, net.Now));
        var handedAt = new List<TimeSpan>();
        for (int i = 0; i < 10; i++)
        {
            handedAt.Add(net.Now);
            Assert.True(a.SendAudio(aAudio, new byte[80], (uint)(960 * i), net.Now));
            Assert.True(a.PacerQueuedPackets > 0);
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(handedAt, wire.Where(w => w.Pt == audioPt).Select(w => w.At));
        Assert.Equal(10, a.PacingCounters.PacketsBypassed);

        // The audio bytes were counted: the video took longer than its own bytes at 750 kbps would, by about the audio's.
        (TimeSpan At, int Length, byte Pt)[] video = wire.Where(w => w.Pt == videoPt).ToArray();
        double videoOnly = video.Take(video.Length - 1).Sum(w => w.Length) * 8 / 750_000.0;
        double audioTime = wire.Where(w => w.Pt == audioPt).Sum(w => w.Length) * 8 / 750_000.0;
        double span = (video[^1].At - video[0].At).TotalSeconds;
        output.WriteLine($"video span {span * 1e3:F2} ms; its own bytes take {videoOnly * 1e3:F2} ms, the audio's {audioTime * 1e3:F2} ms more");
        Assert.InRange(span, videoOnly + (audioTime * 0.5), videoOnly + (audioTime * 1.5));
    }

    [Fact]
    public void ARetransmissionWaitsInThePacerAheadOfQueuedVideoAndLeavesAtThePacingRate()
    {
        // The third video packet of a 30 kB key frame is lost; B's NACK reaches A while most of the frame still waits
        // in the pacer. The repair must leave through the pacer (at a pacing instant, its bytes spaced like every other
        // packet's), ahead of the video still queued, not at the instant the NACK arrived.
        var controller = new FixedController(300_000, 750_000);
        using var net = new Pair(65, a: s => Options(s, controller: controller));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        byte videoPt = (byte)a.Sections[1].SendCodec!.PayloadType;
        byte rtxPt = (byte)a.Sections[1].SendCodec!.RtxPayloadType!.Value;
        var wire = new List<(TimeSpan At, int Length, byte Pt, int? Twcc)>();
        int videoSeen = 0;
        net.Drop = (p, d) => p == net.A && TryReadRtp(d, out byte pt, out _, out _) && pt == videoPt && ++videoSeen == 3;
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out _, out int? twcc) && (pt == videoPt || pt == rtxPt))
            {
                wire.Add((net.Now, d.Length, pt, twcc));
            }
        };

        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 30_000), 0, keyFrame: true, net.Now));
        net.RunFor(TimeSpan.FromSeconds(1));

        int rtx = wire.FindIndex(w => w.Pt == rtxPt);
        Assert.True(rtx > 0, "no retransmission was sent");
        Assert.Single(wire, w => w.Pt == rtxPt);
        Assert.Equal(1, a.PacingCounters.RetransmissionsQueued);
        Assert.Equal(1, a.PacingCounters.RetransmissionsPaced);
        int videoAfter = wire.Skip(rtx + 1).Count(w => w.Pt == videoPt);
        output.WriteLine($"repair left {(wire[rtx].At - wire[0].At).TotalMilliseconds:F2} ms after the first packet, {rtx} packets in, {videoAfter} queued video packets after it");
        Assert.True(videoAfter >= 5, $"only {videoAfter} video packets left after the repair: it did not go ahead of the queue");

        // Spaced like the others: the repair leaves when the previous packet's bytes have drained at 750 kbps, and so
        // does the packet after it (within 2 %, as in ABurstLeavesSpreadAtThePacingRate).
        for (int i = rtx; i <= rtx + 1; i++)
        {
            double gap = (wire[i].At - wire[i - 1].At).TotalSeconds;
            double expected = wire[i - 1].Length * 8 / 750_000.0;
            Assert.True(Math.Abs(gap - expected) <= expected * 0.02, $"packet {i}: {gap * 1e3:F3} ms after the previous, expected {expected * 1e3:F3} ms");
        }

        // The controller heard of the repair with the instant it left, under the transport-wide number it carried.
        Assert.NotNull(wire[rtx].Twcc);
        SentPacket heard = Assert.Single(controller.Sent, p => (ushort)p.TransportSequenceNumber == wire[rtx].Twcc);
        Assert.Equal(wire[rtx].At, heard.SendTime);
    }

    [Fact]
    public void TheMediaTargetLeavesOutTheLastSecondsShareOfRetransmissions()
    {
        // Unpaced (retransmissions leave the instant they are taken, so the wire shows exactly what the streams count),
        // with the session's GCC. Every tenth video packet from A is lost for 3 s; B's NACKs bring repairs over RTX.
        using var net = new Pair(66, a: s => Options(s, pacing: false));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        byte videoPt = (byte)a.Sections[1].SendCodec!.PayloadType;
        byte rtxPt = (byte)a.Sections[1].SendCodec!.RtxPayloadType!.Value;
        var wire = new List<(TimeSpan At, int Length, bool Rtx)>();
        int video = 0;
        bool lossy = true;
        net.Drop = (p, d) => lossy && p == net.A && TryReadRtp(d, out byte pt, out _, out _) && pt == videoPt && ++video % 10 == 0;
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out _, out _) && (pt == videoPt || pt == rtxPt) && (d[0] & 0x20) == 0)
            {
                wire.Add((net.Now, d.Length, pt == rtxPt));
            }
        };

        for (int i = 0; i < 90; i++)
        {
            Assert.True(a.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 3000), (uint)(3000 * i), i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        // The streams' window is the current 100 ms bucket and the nine before it.
        TimeSpan windowStart = TimeSpan.FromTicks((net.Now.Ticks / TimeSpan.TicksPerMillisecond / 100 * 100 * TimeSpan.TicksPerMillisecond) - (900 * TimeSpan.TicksPerMillisecond));
        double rtxBytes = wire.Where(w => w.At >= windowStart && w.Rtx).Sum(w => w.Length);
        double allBytes = wire.Where(w => w.At >= windowStart).Sum(w => w.Length);
        double share = a.RetransmissionShare;
        output.WriteLine($"share {share:P2}, from the wire {rtxBytes / allBytes:P2}; target {a.TargetBitrateBps}, media target {a.MediaTargetBitrateBps}");
        Assert.True(rtxBytes > 0, "no repairs in the last second");

        // Within 1 point of the wire's share (the wire lengths carry the SRTP tag the streams do not count).
        Assert.InRange(share, (rtxBytes / allBytes) - 0.01, (rtxBytes / allBytes) + 0.01);
        Assert.Equal((long)(a.TargetBitrateBps!.Value * (1 - share)), a.MediaTargetBitrateBps);
        Assert.True(a.MediaTargetBitrateBps < a.TargetBitrateBps);

        // Once the losses stop and a second has passed without repairs, the media target is the whole target again.
        lossy = false;
        for (int i = 90; i < 150; i++)
        {
            Assert.True(a.SendVideoFrame(aVideo, VideoFrame(i, key: false, size: 3000), (uint)(3000 * i), false, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        Assert.Equal(0, a.RetransmissionShare);
        Assert.Equal(a.TargetBitrateBps, a.MediaTargetBitrateBps);
    }

    [Fact]
    public void RepairsNeverGoFasterThanTheTarget()
    {
        // A 50 kbps target (fixed controller, 400 kbps pacing so media never waits long) and 216 kbps of video of which
        // every other packet is lost: the NACKs ask for about as much again as the media, four times the target. Over
        // any one-second window of the streams' budget, the repairs sent stay within the target's bytes.
        var controller = new FixedController(50_000, 400_000);
        using var net = new Pair(68, a: s => Options(s, controller: controller));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        byte videoPt = (byte)a.Sections[1].SendCodec!.PayloadType;
        byte rtxPt = (byte)a.Sections[1].SendCodec!.RtxPayloadType!.Value;
        var repairs = new List<(TimeSpan At, int Length)>();
        int video = 0;
        net.Drop = (p, d) => p == net.A && TryReadRtp(d, out byte pt, out _, out _) && pt == videoPt && ++video % 2 == 0;
        net.Sent = (p, d) =>
        {
            if (p == net.A && (d[0] & 0x20) == 0 && TryReadRtp(d, out byte pt, out _, out _) && pt == rtxPt)
            {
                repairs.Add((net.Now, d.Length));
            }
        };

        for (int i = 0; i < 150; i++)
        {
            Assert.True(a.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 900), (uint)(3000 * i), i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        RtcOutboundRtpStreamStats stats = a.GetStats(net.Now).All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "video");
        output.WriteLine($"{repairs.Count} repairs sent ({repairs.Sum(r => r.Length)} B), {stats.RetransmissionsDropped} refused; {video} video packets");
        Assert.True(stats.RetransmissionsDropped > 20, $"{stats.RetransmissionsDropped} repairs refused: the cap never bound");
        Assert.True(repairs.Count > 10, $"{repairs.Count} repairs sent");

        // Every window of ten 100 ms buckets: at most 50,000 / 8 = 6,250 B of RTP, plus each packet's SRTP tag on the wire.
        for (long bucket = repairs[0].At.Ticks / TimeSpan.TicksPerMillisecond / 100; bucket <= net.Now.Ticks / TimeSpan.TicksPerMillisecond / 100; bucket++)
        {
            TimeSpan from = TimeSpan.FromMilliseconds((bucket - 9) * 100), to = TimeSpan.FromMilliseconds((bucket + 1) * 100);
            (TimeSpan At, int Length)[] inWindow = repairs.Where(r => r.At >= from && r.At < to).ToArray();
            int bytes = inWindow.Sum(r => r.Length);
            Assert.True(bytes <= 6_250 + (16 * inWindow.Length), $"{bytes} B of repairs in the second before {to.TotalSeconds:F1} s");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GccTargetConvergesToABottleneckWithBoundedQueueDelay(bool rfc8888)
    {
        // A → B through a 1 Mbps FIFO (IP/UDP counted) with 10 ms propagation and a 250 ms drop-tail limit; B → A 10 ms.
        // A's application follows the target events: 20 ms audio packets and a 30 fps video frame sized to the target
        // less the audio and the per-packet overhead. The feedback is transport-cc, or RFC 8888 when both sides ask.
        const double Capacity = 1_000_000;
        using var net = new Pair(63, a: s => Options(s, ccfb: rfc8888), b: rfc8888 ? s => Options(s, ccfb: true) : null);
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        Assert.Equal(rfc8888, a.Rfc8888FeedbackNegotiated);
        Assert.IsType<GccController>(a.CongestionController);
        TimeSpan busyUntil = TimeSpan.Zero;
        var queueDelays = new List<(TimeSpan At, double Ms)>();
        long dropped = 0;
        net.Drop = (p, d) =>
        {
            if (p != net.A || busyUntil - net.Now <= TimeSpan.FromMilliseconds(250))
            {
                return false;
            }

            dropped++;
            return true;
        };
        net.Delay = (p, d) =>
        {
            if (p != net.A)
            {
                return TimeSpan.FromMilliseconds(10);
            }

            TimeSpan start = busyUntil > net.Now ? busyUntil : net.Now;
            busyUntil = start + TimeSpan.FromSeconds((d.Length + IpUdpOverhead) * 8 / Capacity);
            queueDelays.Add((net.Now, (start - net.Now).TotalMilliseconds));
            return busyUntil - net.Now + TimeSpan.FromMilliseconds(10);
        };

        TimeSpan begin = net.Now, nextFrame = net.Now, nextAudio = net.Now;
        var targets = new List<(TimeSpan At, long Bps)>();
        int frame = 0, audio = 0;
        while (net.Now - begin < TimeSpan.FromSeconds(30))
        {
            long target = net.A.Events.OfType<SessionTargetBitrateEvent>().Last().TargetBitrateBps;
            if (net.Now >= nextAudio)
            {
                a.SendAudio(aAudio, new byte[80], (uint)(960 * audio++), net.Now);
                nextAudio += TimeSpan.FromMilliseconds(20);
            }

            if (net.Now >= nextFrame)
            {
                double videoBps = Math.Max((target - 60_000) * 0.93, 30_000);
                a.SendVideoFrame(aVideo, VideoFrame(frame, key: frame == 0, size: (int)(videoBps / 8 / 30)), (uint)(3000 * frame), frame == 0, net.Now);
                frame++;
                nextFrame += TimeSpan.FromSeconds(1.0 / 30);
            }

            targets.Add((net.Now - begin, a.TargetBitrateBps!.Value));
            net.RunFor(TimeSpan.FromMilliseconds(10));
        }

        // The last 10 s: the target's mean within 70-110 % of the capacity, every sample within 50-120 %; the queue
        // delay's 95th percentile under 100 ms.
        TimeSpan from = TimeSpan.FromSeconds(20);
        double[] late = targets.Where(t => t.At >= from).Select(t => t.Bps / Capacity).ToArray();
        double[] delays = queueDelays.Where(q => q.At - begin >= from).Select(q => q.Ms).Order().ToArray();
        double p95 = delays[(int)(delays.Length * 0.95)];
        for (int sec = 0; sec < 30; sec += 2)
        {
            output.WriteLine($"t={sec,2} s target {targets.First(t => t.At >= TimeSpan.FromSeconds(sec)).Bps / 1e3:F0} kbps");
        }

        output.WriteLine($"feedback: {(rfc8888 ? "RFC 8888" : "transport-cc")}, {a.FeedbackCounters.CcfbReceived} RFC 8888 and {a.FeedbackCounters.TransportFeedbackReceived} transport-cc packets received");
        Assert.True(rfc8888 ? a.FeedbackCounters.CcfbReceived > 100 && a.FeedbackCounters.TransportFeedbackReceived == 0 : a.FeedbackCounters.CcfbReceived == 0);
        output.WriteLine($"last 10 s: target mean {late.Average():P1} of capacity (min {late.Min():P1}, max {late.Max():P1}); queue delay p95 {p95:F1} ms, max {delays[^1]:F1} ms; {dropped} dropped; " +
            $"{a.PacingCounters.TargetBitrateEvents} target events, {a.PacingCounters.ProbeClusters} probe clusters, {a.PacingCounters.PacketsPaced} paced, {a.PacingCounters.PacketsBypassed} audio");
        Assert.InRange(late.Average(), 0.70, 1.10);
        Assert.InRange(late.Min(), 0.50, 1.20);
        Assert.InRange(late.Max(), 0.50, 1.20);
        Assert.True(p95 < 100, $"queue delay p95 {p95:F1} ms");
        Assert.True(a.PacingCounters.PacketsPaced >= frame, $"{a.PacingCounters.PacketsPaced} packets paced for {frame} frames");
        Assert.Equal(0, a.PacingCounters.PacketsDropped + a.PacingCounters.FramesRefused);

        // The application heard every step of 5 % or more: the last event is within 5 % of the target now.
        long last = net.A.Events.OfType<SessionTargetBitrateEvent>().Last().TargetBitrateBps;
        Assert.InRange((double)a.TargetBitrateBps!.Value, last * 0.95, last * 1.05);
    }

    [Fact]
    public void ProbeClustersGoOutAsRtxPaddingAtTheProbeRateAndTheirResultRaisesTheEstimate()
    {
        (long withProbes, SessionPacingCounters counters, TapController tap, List<(TimeSpan At, int Length, byte Pt)> wire, byte rtxPt) = RunProbing(64, initialProbing: true);
        (long withoutProbes, SessionPacingCounters quiet, _, _, _) = RunProbing(64, initialProbing: false);
        output.WriteLine($"target after 1 s: {withProbes / 1e3:F0} kbps with the initial probes, {withoutProbes / 1e3:F0} kbps without");

        // GCC asks for two clusters, 3 × and 6 × the 300 kbps start (specs/gcc.md), once media was sent.
        Assert.True(counters.ProbeClusters >= 2, $"{counters.ProbeClusters} clusters");
        Assert.Equal(counters.ProbeClusters, tap.Probes.Count);
        Assert.Equal(new[] { 900_000L, 1_800_000L }, tap.Probes.Take(2).Select(p => p.TargetRateBps));
        Assert.Equal(0, quiet.ProbeClusters);
        Assert.Equal(0, quiet.ProbePaddingPackets);

        // The padding is on the RTX payload type, every packet of a cluster reached the controller with its id, and each
        // cluster went out at its rate (bytes before the last departure over the time between the first and the last).
        Assert.True(counters.ProbePaddingPackets > 0);
        Assert.Equal(counters.ProbePaddingPackets, wire.Count(w => w.Pt == rtxPt));
        foreach (ProbeClusterConfig probe in tap.Probes)
        {
            SentPacket[] packets = tap.Sent.Where(p => p.ProbeClusterId == probe.Id).ToArray();
            Assert.True(packets.Length >= probe.TargetProbeCount, $"cluster {probe.Id}: {packets.Length} packets");
            Assert.True(packets.Sum(p => p.Size) >= probe.MinBytes * 0.95, $"cluster {probe.Id}: {packets.Sum(p => p.Size)} B of {probe.MinBytes}");
            TimeSpan first = packets[0].SendTime, last = packets[^1].SendTime;
            double rate = packets.Where(p => p.SendTime < last).Sum(p => p.Size) * 8 / (last - first).TotalSeconds;
            output.WriteLine($"cluster {probe.Id}: {packets.Length} packets ({packets.Count(p => p.IsPadding)} padding), {rate / 1e3:F0} kbps for {probe.TargetRateBps / 1e3:F0}");
            Assert.InRange(rate, probe.TargetRateBps * 0.85, probe.TargetRateBps * 1.15);
        }

        Assert.Equal(counters.ProbePackets, tap.Sent.Count(p => p.ProbeClusterId != SentPacket.NotAProbe));

        // The feedback about the clusters gave the controller a probe result: above what 300 kbps of media could earn.
        Assert.True(withProbes >= 800_000, $"{withProbes} bps with probes");
        Assert.True(withoutProbes < 600_000, $"{withoutProbes} bps without");
    }

    private static (long Target, SessionPacingCounters Counters, TapController Tap, List<(TimeSpan At, int Length, byte Pt)> Wire, byte RtxPt) RunProbing(int seed, bool initialProbing)
    {
        var tap = new TapController(new GccController(new GccOptions { InitialProbing = initialProbing, AlrProbing = false }));
        using var net = new Pair(seed, a: s => Options(s, controller: tap));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        byte rtxPt = (byte)a.Sections[1].SendCodec!.RtxPayloadType!.Value;
        var wire = new List<(TimeSpan At, int Length, byte Pt)>();
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out _, out _))
            {
                wire.Add((net.Now, d.Length, pt));
            }
        };

        // 300 kbps of video: a 1250-byte frame every 33 ms.
        TimeSpan begin = net.Now;
        for (int i = 0; net.Now - begin < TimeSpan.FromSeconds(1); i++)
        {
            Assert.True(a.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 1250), (uint)(3000 * i), i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        return (a.TargetBitrateBps!.Value, a.PacingCounters, tap, wire, rtxPt);
    }

    [Fact]
    public void RembLowerThanTheEstimateCapsTheTargetAndThePacingRate()
    {
        using var net = new Pair(65, a: s => Options(s));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        int i = 0;
        void SendFor(TimeSpan duration)
        {
            TimeSpan end = net.Now + duration;
            while (net.Now < end)
            {
                a.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 4000), (uint)(3000 * i), i == 0, net.Now);
                i++;
                net.RunFor(TimeSpan.FromMilliseconds(33));
            }
        }

        void SendRemb(ulong bitrate, uint ssrc)
        {
            // draft-alvestrand-rmcat-remb-03 §2.2 in a compound led by an RR (RFC 3550 §6.1), protected by B's SRTCP.
            byte[] rtcp = new byte[256];
            var compound = new RtcpCompoundWriter(rtcp);
            Assert.True(compound.TryAddReceiverReport(0x0B0B0B0B, []));
            Assert.True(compound.TryAddRemb(0x0B0B0B0B, bitrate, [ssrc]));
            Assert.Equal(TransportSendStatus.Sent, net.B.Session.Transport.SendRtcp(rtcp.AsSpan(0, compound.Length), net.Now));
        }

        SendFor(TimeSpan.FromSeconds(3));
        uint videoSsrc = a.Sections[1].Outbound!.Value.Ssrc;
        long estimate = a.TargetBitrateBps!.Value;
        Assert.True(estimate >= 600_000, $"estimate {estimate} bps before the REMB");
        Assert.Null(a.RemoteEstimateBps);

        // A REMB about another source changes nothing.
        SendRemb(200_000, videoSsrc ^ 0x5A5A5A5A);
        SendFor(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, a.PacingCounters.RembReceived);
        Assert.Null(a.RemoteEstimateBps);

        // 400 kbps (an exact mantissa), about our video SSRC: the target is capped at it, the controller's own estimate is not.
        SendRemb(400_000, videoSsrc);
        SendFor(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, a.PacingCounters.RembReceived);
        Assert.Equal(400_000L, a.RemoteEstimateBps);
        Assert.Equal(400_000L, a.TargetBitrateBps);
        Assert.True(a.CongestionController!.TargetBitrateBps > 400_000, $"controller {a.CongestionController.TargetBitrateBps}");
        SessionTargetBitrateEvent capped = net.A.Events.OfType<SessionTargetBitrateEvent>().Last();
        Assert.Equal(400_000, capped.TargetBitrateBps);
        Assert.Equal(400_000L, capped.RemoteEstimateBps);
        Assert.True(capped.ControllerTargetBitrateBps > 400_000);

        // The pacer follows the capped target: GCC's 2.5 × of it.
        Assert.InRange((double)capped.PacingRateBps, 2.5 * 400_000 * 0.99, 2.5 * 400_000 * 1.01);
        Assert.Equal(400_000, a.GetStats(net.Now).Get<RtcIceCandidatePairStats>()!.AvailableOutgoingBitrate);

        // A REMB above the estimate lifts the cap: the target is the controller's again.
        SendRemb(50_000_000, videoSsrc);
        SendFor(TimeSpan.FromMilliseconds(200));
        Assert.Equal(a.CongestionController.TargetBitrateBps, a.TargetBitrateBps);
    }

    [Fact]
    public void AlrFollowsWhatTheApplicationSends()
    {
        var controller = new FixedController(1_000_000, 2_500_000);
        using var net = new Pair(66, a: s => Options(s, controller: controller));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        int i = 0;
        void SendFor(TimeSpan duration, int frameSize)
        {
            TimeSpan end = net.Now + duration;
            while (net.Now < end)
            {
                Assert.True(a.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: frameSize), (uint)(3000 * i), i == 0, net.Now));
                i++;
                net.RunFor(TimeSpan.FromMilliseconds(33));
            }
        }

        // 100 kbps against a 1 Mbps target: application limited. Then 1.1 Mbps: not.
        SendFor(TimeSpan.FromSeconds(2), 400);
        Assert.True(a.IsApplicationLimited);
        SendFor(TimeSpan.FromSeconds(2), 4500);
        Assert.False(a.IsApplicationLimited);
        SendFor(TimeSpan.FromSeconds(2), 400);
        Assert.True(a.IsApplicationLimited);
    }

    [Fact]
    public void NadaIsSelectableAndPacesToo()
    {
        using var net = new Pair(67, a: s => Options(s, kind: SessionCongestionControl.Nada));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        Assert.IsType<NadaController>(a.CongestionController);
        // About 120 kbps of video, below NADA's 150 kbps start, so no queue builds and the reference rate ramps up.
        for (int i = 0; i < 60; i++)
        {
            Assert.True(a.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 500), (uint)(3000 * i), i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        Assert.Equal(60, a.PacingCounters.PacketsPaced);
        SessionTargetBitrateEvent first = net.A.Events.OfType<SessionTargetBitrateEvent>().First();
        Assert.Equal(150_000, first.TargetBitrateBps); // RFC 8698's default start (NadaParameters.StartRate)
        Assert.True(a.TargetBitrateBps > 150_000, $"{a.TargetBitrateBps} bps after 2 s");
    }

    [Fact]
    public void AFullPacerRefusesTheNextFrameWholeAndTakesFramesAgainOnceItDrains()
    {
        var controller = new FixedController(100_000, 250_000);
        using var net = new Pair(70, a: s => Options(s, controller: controller, queue: 30));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;

        // 26 packets each: the second frame is taken (25 wait, under 30) and queued whole, the third is refused.
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 30_000), 0, keyFrame: true, net.Now));
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(1, key: false, size: 30_000), 3000, keyFrame: false, net.Now));
        int queued = a.PacerQueuedPackets;
        Assert.True(queued > 30, $"{queued} queued");
        Assert.False(a.SendVideoFrame(aVideo, VideoFrame(2, key: false, size: 30_000), 6000, keyFrame: false, net.Now));
        Assert.Equal(queued, a.PacerQueuedPackets);
        Assert.Equal(1, a.PacingCounters.FramesRefused);

        // 250 kbps drains the 60 kB in about 2 s (the pacer speeds up so nothing waits longer than 2 s).
        net.RunFor(TimeSpan.FromSeconds(2.5));
        Assert.Equal(0, a.PacerQueuedPackets);
        Assert.Equal(queued + 1, a.PacingCounters.PacketsPaced); // the first packet left at once, the rest were queued
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(3, key: false, size: 30_000), 9000, keyFrame: false, net.Now));
    }

    [Fact]
    public void WithoutPacingTheControllerIsOnlyFed()
    {
        var tap = new TapController(new GccController());
        using var net = new Pair(68, a: s => Options(s, controller: tap, pacing: false));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session;
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 30_000), 0, keyFrame: true, net.Now));
        Assert.Equal(0, a.PacerQueuedPackets);
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(0, a.PacingCounters.PacketsPaced + a.PacingCounters.ProbeClusters);
        Assert.Empty(net.A.Events.OfType<SessionTargetBitrateEvent>());
        Assert.True(tap.Sent.Count >= 26);
        Assert.Single(tap.Sent.Select(p => p.SendTime).Take(26).Distinct());
    }

    /// <summary>
    /// The paced steady path allocates nothing per packet: audio every 5 ms (bypassing the queue) and a 3000-byte video
    /// frame every 40 ms through the pacer, GCC running on both sides with transport feedback both ways, the two sessions
    /// wired back to back and measured in 1 s chunks (AllocationProbe: the least any chunk allocated). Target events,
    /// probe clusters and ICE consent checks allocate when they happen; some chunks have none.
    /// </summary>
    [Fact]
    public void ThePacedSteadyPathAllocatesNothingPerPacket()
    {
        using var net = new Pair(69, a: s => Options(s), b: s => Options(s));
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Connect(net);
        WebRtcSession a = net.A.Session, b = net.B.Session;
        byte[] bufferA = new byte[1 << 16], bufferB = new byte[1 << 16], media = new byte[1 << 16];
        byte[] payload = new byte[160];
        byte[][] frames = [.. Enumerable.Range(0, 8).Select(i => VideoFrame(i + 1, key: false, size: 3000))];
        TimeSpan now = net.Now;
        Assert.True(a.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 3000), 0, keyFrame: true, now));

        void Drain(WebRtcSession from, WebRtcSession to, TransportAddress fromAddress, TransportAddress toAddress, byte[] buffer)
        {
            while (true)
            {
                while (from.TryPollMedia(media, out _, out bool fits) && fits)
                {
                }

                SessionOutput o = from.PollOutput(buffer);
                if (o.Kind == SessionOutputKind.Transmit)
                {
                    to.HandleDatagram(toAddress, fromAddress, buffer.AsSpan(0, o.Transmit.Length), now);
                }
                else if (o.Kind is not (SessionOutputKind.Media or SessionOutputKind.Event))
                {
                    return;
                }
            }
        }

        void Round(int i)
        {
            now += TimeSpan.FromMilliseconds(5);
            if (a.PollTimeout() is TimeSpan ta && ta <= now)
            {
                a.HandleTimeout(now);
            }

            if (b.PollTimeout() is TimeSpan tb && tb <= now)
            {
                b.HandleTimeout(now);
            }

            payload[0] = (byte)i;
            a.SendAudio(aAudio, payload, (uint)(240 * i), now);
            if (i % 8 == 0)
            {
                a.SendVideoFrame(aVideo, frames[(i / 8) % frames.Length], (uint)(3600 * ((i / 8) + 1)), keyFrame: false, now);
            }

            for (int k = 0; k < 2; k++)
            {
                Drain(a, b, net.A.Address, net.B.Address, bufferA);
                Drain(b, a, net.B.Address, net.A.Address, bufferB);
            }
        }

        for (int i = 0; i < 800; i++)
        {
            Round(i);
        }

        long paced = a.PacingCounters.PacketsPaced, bypassed = a.PacingCounters.PacketsBypassed;
        long allocated = AllocationProbe.LeastPerChunk(800, 4800, 20, Round);
        output.WriteLine($"least per 1 s chunk: {allocated} B; paced {a.PacingCounters.PacketsPaced - paced}, audio {a.PacingCounters.PacketsBypassed - bypassed}; target {a.TargetBitrateBps} bps");
        Assert.Equal(0, allocated);
        Assert.True(a.PacingCounters.PacketsPaced - paced >= 1400, $"{a.PacingCounters.PacketsPaced - paced} video packets paced while measured");
        Assert.Equal(4000, a.PacingCounters.PacketsBypassed - bypassed);
        Assert.IsType<GccController>(a.CongestionController);
    }

    private static void Connect(Pair net) =>
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

    private static WebRtcSessionOptions Options(int seed, ICongestionController? controller = null, SessionCongestionControl kind = SessionCongestionControl.Gcc, bool pacing = true, int queue = 2048, bool ccfb = false) => new()
    {
        Rfc8888Feedback = ccfb,
        PacerQueueCapacity = queue,
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        CongestionController = controller,
        CongestionControl = kind,
        Pacing = pacing,
    };

    private static readonly byte TransportCcId = (byte)JsepOptions.DefaultHeaderExtensions.First(e => e.Uri == ExtMap.TransportWideCcUri).PreferredId;

    /// <summary>Reads an SRTP packet's clear RTP header (RFC 3711 §3.1): payload type, SSRC, transport-wide sequence number.</summary>
    private static bool TryReadRtp(byte[] datagram, out byte payloadType, out uint ssrc, out int? transportSequence)
    {
        payloadType = 0;
        ssrc = 0;
        transportSequence = null;
        if (datagram.Length > 0 && (datagram[0] & 0x20) != 0)
        {
            // A padding packet's count byte is encrypted: only its header is read, from a copy without the P bit.
            datagram = (byte[])datagram.Clone();
            datagram[0] &= 0xDF;
        }

        if (datagram.Length < 12 || datagram[0] is < 0x80 or > 0xBF || datagram[1] is >= 192 and <= 223 || !RtpPacket.TryParse(datagram, out RtpPacket p))
        {
            return false;
        }

        payloadType = p.PayloadType;
        ssrc = p.Ssrc;
        if (p.HasExtension && p.TryGetHeaderExtension(TransportCcId, out ReadOnlySpan<byte> value) && TransportSequenceNumberExtension.TryRead(value, out ushort seq))
        {
            transportSequence = seq;
        }

        return true;
    }

    /// <summary>A controller with fixed rates that records what the session reports as sent.</summary>
    private sealed class FixedController(long target, long pacing) : ICongestionController
    {
        public List<SentPacket> Sent { get; } = [];

        public string Name => "fixed";

        public long TargetBitrateBps => target;

        public long PacingRateBps => pacing;

        public long PaddingRateBps => 0;

        public void OnPacketSent(in SentPacket packet) => Sent.Add(packet);

        public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now)
        {
        }

        public void OnRoundTripTime(TimeSpan rtt, TimeSpan now)
        {
        }

        public void OnSendQueue(long queuedBytes, TimeSpan now)
        {
        }

        public void HandleTimeout(TimeSpan now)
        {
        }

        public TimeSpan PollTimeout() => TimeSpan.MaxValue;

        public bool TryPollProbe(out ProbeClusterConfig probe)
        {
            probe = default;
            return false;
        }
    }

    /// <summary>Passes everything to a real controller and records the packets and probe clusters on the way.</summary>
    private sealed class TapController(ICongestionController inner) : ICongestionController
    {
        public List<SentPacket> Sent { get; } = [];

        public List<ProbeClusterConfig> Probes { get; } = [];

        public string Name => inner.Name;

        public long TargetBitrateBps => inner.TargetBitrateBps;

        public long PacingRateBps => inner.PacingRateBps;

        public long PaddingRateBps => inner.PaddingRateBps;

        public void OnPacketSent(in SentPacket packet)
        {
            Sent.Add(packet);
            inner.OnPacketSent(packet);
        }

        public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now) => inner.OnFeedback(feedback, now);

        public void OnRoundTripTime(TimeSpan rtt, TimeSpan now) => inner.OnRoundTripTime(rtt, now);

        public void OnSendQueue(long queuedBytes, TimeSpan now) => inner.OnSendQueue(queuedBytes, now);

        public void HandleTimeout(TimeSpan now) => inner.HandleTimeout(now);

        public TimeSpan PollTimeout() => inner.PollTimeout();

        public bool TryPollProbe(out ProbeClusterConfig probe)
        {
            if (!inner.TryPollProbe(out probe))
            {
                return false;
            }

            Probes.Add(probe);
            return true;
        }
    }
}
