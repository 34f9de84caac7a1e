using RtcStack.Congestion;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Stun;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// <see cref="WebRtcSession"/>'s transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01)
/// and RTCP XR receiver RTT (RFC 3611 §4.4-4.5), two sessions in virtual time: the transport-wide sequence numbers on
/// the wire (read from the SRTP packets' clear headers, RFC 3711 §3.1), the feedback matched to what was sent, the
/// arrival times against the virtual network's delays, the RTT against its round trip.
/// </summary>
public class WebRtcSessionCongestionTests
{
    private static readonly byte TransportCcId = (byte)JsepOptions.DefaultHeaderExtensions.First(e => e.Uri == ExtMap.TransportWideCcUri).PreferredId;

    [Fact]
    public void EverySentPacketCarriesTheNextTransportSequenceNumberAcrossAudioVideoAndRtx()
    {
        using var net = new Pair(21, a: s => Options(s));
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.TransportWideCcNegotiated);
        Assert.True(net.B.Session.TransportWideCcNegotiated);
        byte audioPt = (byte)net.A.Session.Sections[0].SendCodec!.PayloadType;
        byte videoPt = (byte)net.A.Session.Sections[1].SendCodec!.PayloadType;
        byte rtxPt = (byte)net.A.Session.Sections[1].SendCodec!.RtxPayloadType!.Value;

        var sent = new List<(byte Pt, uint Ssrc, int? Sequence)>();
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out uint ssrc, out int? seq))
            {
                sent.Add((pt, ssrc, seq));
            }
        };

        // Every 9th video packet is lost, so NACK brings RTX retransmissions into the same sequence.
        int video = 0;
        net.Drop = (p, d) => p == net.A && TryReadRtp(d, out byte pt, out _, out _) && pt == videoPt && ++video % 9 == 0;
        for (int i = 0; i < 40; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 1, 2], (uint)(960 * i), net.Now));
            if (i % 2 == 0)
            {
                Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i / 2, key: i == 0, size: 3000), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.Drop = null;
        net.RunFor(TimeSpan.FromMilliseconds(500));

        Assert.Contains(sent, x => x.Pt == audioPt);
        Assert.Contains(sent, x => x.Pt == videoPt);
        Assert.True(sent.Count(x => x.Pt == rtxPt) >= 2, $"{sent.Count(x => x.Pt == rtxPt)} RTX packets");
        Assert.Equal(3, sent.Select(x => x.Ssrc).Distinct().Count());

        // One counter for the transport: 1, 2, 3, ... in the order the packets left, whatever their stream.
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(i + 1, sent[i].Sequence);
        }

        Assert.Equal(sent.Count, net.A.Session.FeedbackCounters.PacketsStamped);
    }

    [Fact]
    public void FeedbackCoversEveryPacketWithTheNetworksArrivalTimesAndTheSenderMatchesItToWhatItSent()
    {
        var controller = new RecordingController();
        using var net = new Pair(22, a: s => Options(s, controller: controller));
        (Transceiver aAudio, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        // A queue that builds up: A's RTP takes 5 ms plus a tenth of the time since the start (order kept, as a queue
        // keeps it), so arrival deltas are 1.1 × the send deltas. Every 13th packet is lost.
        TimeSpan start = net.Now;
        TimeSpan DelayAt(TimeSpan t) => TimeSpan.FromMilliseconds(5) + TimeSpan.FromTicks((t - start).Ticks / 10);
        var sent = new Dictionary<long, (TimeSpan At, int Length)>();
        var lost = new HashSet<long>();
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out _, out _, out int? seq) && seq is int n)
            {
                sent.Add(n, (net.Now, d.Length));
            }
        };
        net.Delay = (p, d) => p == net.A && TryReadRtp(d, out _, out _, out _) ? DelayAt(net.Now) : TimeSpan.FromMilliseconds(5);
        net.Drop = (p, d) => p == net.A && TryReadRtp(d, out _, out _, out int? seq) && seq is int n && n % 13 == 0 && lost.Add(n);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 3, 4], (uint)(960 * i), net.Now));
            if (i % 2 == 0)
            {
                Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i / 2, key: i == 0, size: 2500), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        // A few more without loss, so every lost one has a later arrival to be reported before.
        net.Drop = null;
        for (int i = 100; i < 105; i++)
        {
            net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 3, 4], (uint)(960 * i), net.Now);
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(1500));
        Assert.True(lost.Count >= 10, $"{lost.Count} lost");

        // Every packet A sent is reported exactly once, with A's own send time and size, lost as lost, and arrived at the
        // instant the virtual network delivered it (to the format's 250 µs, rounded down).
        List<SessionTransportFeedbackEvent> feedback = net.A.Events.OfType<SessionTransportFeedbackEvent>().ToList();
        List<PacketResult> results = feedback.SelectMany(e => e.Results).ToList();
        Assert.Equal(sent.Keys.Order(), results.Select(r => r.Sent.TransportSequenceNumber).Order());
        foreach (PacketResult r in results)
        {
            (TimeSpan at, int length) = sent[r.Sent.TransportSequenceNumber];
            Assert.Equal(at, r.Sent.SendTime);
            Assert.Equal(length, r.Sent.Size);
            Assert.Equal(!lost.Contains(r.Sent.TransportSequenceNumber), r.Received);
            if (r.Received)
            {
                TimeSpan arrival = at + DelayAt(at);
                Assert.Equal(TimeSpan.FromTicks(arrival.Ticks / 2500 * 2500), r.ArrivalTime);
            }
        }

        SessionFeedbackCounters a = net.A.Session.FeedbackCounters, b = net.B.Session.FeedbackCounters;
        Assert.Equal(sent.Count - lost.Count, b.PacketsRecorded);
        Assert.Equal(b.TransportFeedbackSent, a.TransportFeedbackReceived);
        Assert.Equal(feedback.Count, a.TransportFeedbackReceived);
        Assert.Equal(results.Count, a.PacketsReported);
        Assert.Equal(lost.Count, a.PacketsReportedLost);
        Assert.Equal(0, a.UnknownPacketsReported);
        Assert.Equal(Enumerable.Range(0, feedback.Count).Select(i => (byte)i), feedback.Select(e => e.FeedbackPacketCount));
        Assert.Equal(b.TransportFeedbackSent, net.B.Session.GetStats(net.Now).Get<RtcTransportStats>()!.TransportFeedbackSent);
        Assert.Equal(300_000, net.A.Session.GetStats(net.Now).Get<RtcIceCandidatePairStats>()!.AvailableOutgoingBitrate);

        // The controller saw the same: every packet sent, every result, and RTTs from the report blocks.
        Assert.Equal(sent.Keys.Order(), controller.Sent.Select(p => p.TransportSequenceNumber));
        Assert.Equal(results.Select(r => (r.Sent.TransportSequenceNumber, r.Received, r.ArrivalTime)), controller.Feedback.Select(f => (f.TransportSequenceNumber, f.Received, f.ArrivalTime)));
        Assert.NotEmpty(controller.RoundTripTimes);
    }

    [Fact]
    public void PaddingGoesOnTheRtxSsrcWithTheNextTransportSequenceNumberAndIsReportedLikeMedia()
    {
        var controller = new RecordingController();
        using var net = new Pair(28, a: s => Options(s, controller: controller));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        byte videoPt = (byte)net.A.Session.Sections[1].SendCodec!.PayloadType;
        byte rtxPt = (byte)net.A.Session.Sections[1].SendCodec!.RtxPayloadType!.Value;

        // Nothing was sent in the section yet: no payload type or timestamp to pad with.
        Assert.False(net.A.Session.SendPadding(aVideo, 200, net.Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.A.Session.SendPadding(aVideo, 256, net.Now));

        var sent = new List<(byte Pt, uint Ssrc, ushort Sequence, int? TransportSequence, int Length)>();
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out byte pt, out uint ssrc, out int? seq))
            {
                sent.Add((pt, ssrc, (ushort)((d[2] << 8) | d[3]), seq, d.Length));
            }
        };
        Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(0, key: true, size: 2000), 0, keyFrame: true, net.Now));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(net.A.Session.SendPadding(aVideo, 200 + i, net.Now));
        }

        net.RunFor(TimeSpan.FromMilliseconds(500));

        // On the wire: the frame's packets, then five padding packets on the RTX SSRC with consecutive RTX sequence
        // numbers, and one transport-wide counter across them all.
        List<(byte Pt, uint Ssrc, ushort Sequence, int? TransportSequence, int Length)> padding = sent.Where(x => x.Pt == rtxPt).ToList();
        Assert.Equal(5, padding.Count);
        Assert.Equal(sent.Count - 5, sent.Count(x => x.Pt == videoPt));
        Assert.Single(padding.Select(x => x.Ssrc).Distinct());
        Assert.NotEqual(sent[0].Ssrc, padding[0].Ssrc);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (ushort)(padding[0].Sequence + i)), padding.Select(x => x.Sequence));
        Assert.Equal(Enumerable.Range(1, sent.Count).Select(i => (int?)i), sent.Select(x => x.TransportSequence));

        // Padding grows the packet by exactly its length, and the controller heard of every packet with its size on the wire.
        Assert.Equal(Enumerable.Range(0, 5).Select(i => padding[0].Length + i), padding.Select(x => x.Length));
        Assert.Equal(sent.Select(x => x.Length), controller.Sent.Select(x => x.Size));

        // B counts the padding on the RTX stream, reports it in its feedback, and surfaces only the frame.
        ReceiveStreamStats inbound = net.B.Session.Sections[1].Inbound.Single();
        Assert.Equal(5, inbound.RtxPaddingPacketsReceived);
        Assert.Equal(0, inbound.RetransmittedPacketsReceived);
        Assert.Equal(sent.Count, net.B.Session.FeedbackCounters.PacketsRecorded);
        Assert.Equal(sent.Count, net.A.Session.FeedbackCounters.PacketsReported);
        Assert.Equal(0, net.A.Session.FeedbackCounters.PacketsReportedLost);
        Assert.Equal(VideoFrame(0, key: true, size: 2000), Assert.Single(net.B.Media, m => m.Media.IsVideo).Data);
        Assert.Equal(5, net.A.Session.Sections[1].Outbound!.Value.PaddingPacketsSent);
    }

    [Fact]
    public void FeedbackGoesOutEvery50To100MsWhilePacketsArriveAndStopsWithThem()
    {
        using var net = new Pair(23, a: s => Options(s));
        (Transceiver aAudio, _, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        TimeSpan lastArrival = default;
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtp(d, out _, out _, out _))
            {
                lastArrival = net.Now + TimeSpan.FromMilliseconds(5);
            }
        };
        for (int i = 0; i < 150; i++)
        {
            net.A.Session.SendAudio(aAudio, [0x78, (byte)i], (uint)(960 * i), net.Now);
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromSeconds(2));
        var reasons = new List<SessionTimerReason>();
        for (int i = 0; i < 20; i++)
        {
            reasons.Add(net.B.Session.NextTimeout()!.Value.Reason);
            net.RunFor(TimeSpan.FromMilliseconds(50));
        }

        // The delay is constant, so the gaps A sees are the gaps B sent them at.
        List<TimeSpan> at = net.A.Events.OfType<SessionTransportFeedbackEvent>().Select(e => e.At).ToList();
        Assert.True(at.Count >= 30, $"{at.Count} feedback packets in 3 s");
        for (int i = 1; i < at.Count; i++)
        {
            TimeSpan gap = at[i] - at[i - 1];
            Assert.True(gap >= TimeSpan.FromMilliseconds(50) && gap <= TimeSpan.FromMilliseconds(100), $"feedback {i} came {gap.TotalMilliseconds} ms after the previous one");
        }

        // Nothing is pending once packets stop: the last feedback follows the last arrival, and the timer is not asked for.
        Assert.True(at[^1] - TimeSpan.FromMilliseconds(5) - lastArrival <= TimeSpan.FromMilliseconds(100));
        Assert.DoesNotContain(SessionTimerReason.TransportFeedback, reasons);
    }

    [Theory]
    [InlineData("no extension")]
    [InlineData("no transport-cc feedback")]
    [InlineData("feedback turned off")]
    public void NoSequenceNumbersOrNoFeedbackWhenTransportCcIsNotNegotiatedOrTurnedOff(string variant)
    {
        using var net = new Pair(24, a: s => Options(s), b: s => variant switch
        {
            "no extension" => Options(s, extensions: JsepOptions.DefaultHeaderExtensions.Where(e => e.Uri != ExtMap.TransportWideCcUri).ToList()),
            "no transport-cc feedback" => Options(s, withoutTransportCc: true),
            _ => Options(s, sendFeedback: false),
        });
        (Transceiver aAudio, Transceiver aVideo, Transceiver bAudio, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        var stamped = new List<int?>();
        net.Sent = (p, d) =>
        {
            if (TryReadRtp(d, out _, out _, out int? seq))
            {
                stamped.Add(seq);
            }
        };
        for (int i = 0; i < 50; i++)
        {
            net.A.Session.SendAudio(aAudio, [0x78, (byte)i], (uint)(960 * i), net.Now);
            net.B.Session.SendAudio(bAudio, [0x78, (byte)i], (uint)(960 * i), net.Now);
            net.A.Session.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 1500), (uint)(3000 * i), i == 0, net.Now);
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(500));
        SessionFeedbackCounters a = net.A.Session.FeedbackCounters, b = net.B.Session.FeedbackCounters;
        Assert.True(stamped.Count > 150);
        Assert.Equal(0, b.TransportFeedbackSent + a.TransportFeedbackReceived + b.PacketsRecorded);
        Assert.Empty(net.A.Events.OfType<SessionTransportFeedbackEvent>());
        if (variant == "feedback turned off")
        {
            // Negotiated: both stamp what they send; B keeps its feedback to itself, A still reports on B's packets.
            Assert.True(net.A.Session.TransportWideCcNegotiated && net.B.Session.TransportWideCcNegotiated);
            Assert.All(stamped, s => Assert.NotNull(s));
            Assert.True(a.TransportFeedbackSent > 0 && a.TransportFeedbackSent == b.TransportFeedbackReceived);
            Assert.Equal(50, a.PacketsRecorded);
        }
        else
        {
            Assert.False(net.A.Session.TransportWideCcNegotiated || net.B.Session.TransportWideCcNegotiated);
            Assert.All(stamped, s => Assert.Null(s));
            Assert.Equal(0, a.PacketsStamped + b.PacketsStamped + a.PacketsRecorded + a.TransportFeedbackSent + b.TransportFeedbackReceived);
        }
    }

    [Fact]
    public void XrRoundTripTimeOfASideThatOnlyReceivesIsTheVirtualRoundTrip()
    {
        using var net = new Pair(25, a: s => Options(s));
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendOnly);
        Transceiver aVideo = net.A.Session.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly);
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.Contains("a=rtcp-xr:rcvr-rtt=all", offer);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out var error), error?.ToString());
        Assert.Contains("a=rtcp-xr:rcvr-rtt=all", answer);
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.RtcpXrNegotiated && net.B.Session.RtcpXrNegotiated);
        for (int i = 0; i < 250; i++)
        {
            net.A.Session.SendAudio(aAudio, [0x78, (byte)i], (uint)(960 * i), net.Now);
            if (i % 3 == 0)
            {
                net.A.Session.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 1500), (uint)(3000 * i), i == 0, net.Now);
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        // B sends nothing, so no report block can give it an RTT; XR does: 5 ms each way, to the 1/65536 s of the
        // compact NTP fields (LRR, DLRR and the arrival are each truncated to it).
        Assert.All(net.B.Session.Sections, s => Assert.Null(s.Outbound));
        TimeSpan resolution = TimeSpan.FromTicks(2 * TimeSpan.TicksPerSecond / 65536);
        foreach (SessionFeedbackCounters c in new[] { net.B.Session.FeedbackCounters, net.A.Session.FeedbackCounters })
        {
            Assert.True(c.XrRoundTripTimeMeasurements >= 2, $"{c.XrRoundTripTimeMeasurements} XR RTTs");
            Assert.True((c.XrRoundTripTime!.Value - TimeSpan.FromMilliseconds(10)).Duration() <= resolution, $"XR RTT {c.XrRoundTripTime.Value.TotalMilliseconds} ms");
        }

        // The stats report shows it where browsers do: remote-outbound-rtp's roundTripTime.
        RtcRemoteOutboundRtpStreamStats remote = net.B.Session.GetStats(net.Now).Get<RtcRemoteOutboundRtpStreamStats>()!;
        Assert.Equal(net.B.Session.FeedbackCounters.XrRoundTripTime!.Value.TotalSeconds, remote.RoundTripTime);
        Assert.Equal(net.B.Session.FeedbackCounters.XrRoundTripTimeMeasurements, remote.RoundTripTimeMeasurements);
    }

    [Fact]
    public void NoXrWhenThePeerDoesNotAskForIt()
    {
        using var net = new Pair(26, b: s => Options(s, xr: false));
        (Transceiver aAudio, _, Transceiver bAudio, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("rcvr-rtt", net.A.Session.Jsep.CurrentRemoteDescription!.ToString());
        for (int i = 0; i < 150; i++)
        {
            net.A.Session.SendAudio(aAudio, [0x78, (byte)i], (uint)(960 * i), net.Now);
            net.B.Session.SendAudio(bAudio, [0x78, (byte)i], (uint)(960 * i), net.Now);
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        Assert.False(net.A.Session.RtcpXrNegotiated || net.B.Session.RtcpXrNegotiated);
        Assert.Equal(0, net.A.Session.FeedbackCounters.ExtendedReportsReceived + net.B.Session.FeedbackCounters.ExtendedReportsReceived);
        Assert.True(net.A.Session.Sections[0].RemoteInbound!.Value.ReportsReceived > 0, "no report blocks either");
    }

    /// <summary>
    /// The steady path with transport-wide congestion control, both ways at once: stamping and the sent-packet history on
    /// A, recording arrivals and writing feedback on B, parsing it and matching it on A (with a controller attached), with
    /// audio every 5 ms. The two sessions are wired back to back (every datagram delivered the moment it is polled, from
    /// the poller's own buffer), and the rounds are measured in chunks of 1 s (AllocationProbe), so the rarer ICE consent
    /// checks stay out of some. Audio only; the video path's own rounds are in WebRtcSessionVideoAllocationTests (a
    /// 1000-byte VP8 frame every 40 ms added to these rounds also measured 0 B). This test found 40 B per received packet of any kind, with or without
    /// transport-cc (a boxed enumerator in the RTX payload type check), now gone.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheFeedbackPathAllocatesNothingPerPacket(bool rfc8888)
    {
        var controller = new CountingController();
        using var net = new Pair(27, a: s => Options(s, events: false, controller: controller, ccfb: rfc8888), b: rfc8888 ? s => Options(s, events: false, ccfb: true) : null);
        (Transceiver aAudio, _, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        WebRtcSession a = net.A.Session, b = net.B.Session;
        byte[] bufferA = new byte[1 << 16], bufferB = new byte[1 << 16];
        byte[] payload = new byte[160];
        TimeSpan now = net.Now;

        void Drain(WebRtcSession from, WebRtcSession to, TransportAddress fromAddress, TransportAddress toAddress, byte[] buffer)
        {
            while (true)
            {
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

            for (int k = 0; k < 2; k++)
            {
                Drain(a, b, net.A.Address, net.B.Address, bufferA);
                Drain(b, a, net.B.Address, net.A.Address, bufferB);
            }
        }

        for (int i = 0; i < 600; i++)
        {
            Round(i);
        }

        long before = a.FeedbackCounters.PacketsReported;
        long allocated = AllocationProbe.LeastPerChunk(600, 4600, 20, Round);
        Assert.Equal(0, allocated);

        // The rounds did carry feedback both ways: B recorded and reported, A matched (all but the last 100 ms or so).
        Assert.True(a.FeedbackCounters.PacketsReported - before > 3900, $"{a.FeedbackCounters.PacketsReported - before} results");
        Assert.Equal(0, a.FeedbackCounters.PacketsReportedLost);
        Assert.True(controller.Results > 4000);
        Assert.Equal(rfc8888, a.Rfc8888FeedbackNegotiated);
        Assert.True(rfc8888 ? a.FeedbackCounters.CcfbReceived > 0 && a.FeedbackCounters.TransportFeedbackReceived == 0 : a.FeedbackCounters.CcfbReceived == 0);
    }

    private static WebRtcSessionOptions Options(
        int seed,
        bool events = true,
        IReadOnlyList<HeaderExtensionCapability>? extensions = null,
        bool withoutTransportCc = false,
        bool sendFeedback = true,
        bool xr = true,
        ICongestionController? controller = null,
        bool ccfb = false)
    {
        static IReadOnlyList<CodecCapability> Strip(IReadOnlyList<CodecCapability> codecs) =>
            codecs.Select(c => c with { Feedback = c.Feedback.Where(f => f != "transport-cc").ToList() }).ToList();

        return new WebRtcSessionOptions
        {
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            TransportFeedbackEvents = events,
            HeaderExtensions = extensions ?? JsepOptions.DefaultHeaderExtensions,
            AudioCodecs = withoutTransportCc ? Strip(JsepOptions.DefaultAudioCodecs) : JsepOptions.DefaultAudioCodecs,
            VideoCodecs = withoutTransportCc ? Strip(JsepOptions.DefaultVideoCodecs) : JsepOptions.DefaultVideoCodecs,
            SendTransportFeedback = sendFeedback,
            RtcpXrReceiverRtt = xr,
            CongestionController = controller,
            Rfc8888Feedback = ccfb,
        };
    }

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

    /// <summary>A congestion controller that only records what the session tells it.</summary>
    private class RecordingController : ICongestionController
    {
        public List<SentPacket> Sent { get; } = [];

        public List<PacketFeedback> Feedback { get; } = [];

        public List<TimeSpan> RoundTripTimes { get; } = [];

        public string Name => "recording";

        public long TargetBitrateBps => 300_000;

        // 2.5 × the target, as GCC paces: above what these tests send, so the session's pacer holds nothing back.
        public long PacingRateBps => 750_000;

        public long PaddingRateBps => 0;

        public virtual void OnPacketSent(in SentPacket packet) => Sent.Add(packet);

        public virtual void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now) => Feedback.AddRange(feedback);

        public virtual void OnRoundTripTime(TimeSpan rtt, TimeSpan now) => RoundTripTimes.Add(rtt);

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

    /// <summary>Counts instead of recording, so it allocates nothing itself.</summary>
    private sealed class CountingController : RecordingController
    {
        public long Results { get; private set; }

        public override void OnPacketSent(in SentPacket packet)
        {
        }

        public override void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now) => Results += feedback.Length;

        public override void OnRoundTripTime(TimeSpan rtt, TimeSpan now)
        {
        }
    }
}
