using System.Buffers.Binary;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Sending simulcast (RFC 8853) from our session to our session: the offer's "a=rid ... send" and "a=simulcast:send"
/// lines (RFC 8851), an answer to an offered "a=simulcast:recv", and three layers of VP8 frames, each on its own SSRC
/// with the RID header extension (RFC 8852), repaired by its own RTX stream, asked for key frames by its own PLI.
/// </summary>
public class WebRtcSessionSimulcastSendTests
{
    private static readonly int[] LayerBytes = [600, 2500, 6000];

    [Fact]
    public void ThreeLayersOfOurSimulcastArriveAsThreeStreamsWithPerLayerRepairPliAndReports()
    {
        using var net = new Pair(seed: 81, a: NoProbing, b: NoProbing);
        Transceiver aVideo = net.A.Session.AddSimulcastTransceiver(
            [new SendEncoding("q") { MaxBitrateBps = 150_000, ScaleResolutionDownBy = 4 }, new SendEncoding("h") { MaxBitrateBps = 500_000, ScaleResolutionDownBy = 2 }, new SendEncoding("f")],
            MediaDirection.SendOnly);
        Assert.Equal(6, aVideo.SendEncodings.Select(e => e.Ssrc).Concat(aVideo.SendEncodings.Select(e => e.RtxSsrc)).Distinct().Count());
        Assert.Equal(aVideo.Ssrc, aVideo.SendEncodings[0].Ssrc);

        // RFC 8851 §4 / RFC 8853 §5.1: a rid line per encoding (max-br from its maximum), the streams in our order, the
        // RID and repaired-RID extensions offered, and no SSRC lines (the RID names each stream).
        string offerText = net.A.Session.CreateOffer(net.Now);
        Assert.True(SessionDescription.TryParse(offerText, out SessionDescription? offer, out _));
        MediaDescription m = offer!.MediaDescriptions.Single(x => x.Media == "video");
        Assert.Equal(["q send max-br=150000", "h send max-br=500000", "f send"], m.GetRids().Select(r => r.ToString()));
        Assert.Equal("send q;h;f", m.Simulcast!.ToString());
        Assert.Contains(m.GetExtMaps(), e => e.Uri == JsepOptions.RidUri);
        Assert.Contains(m.GetExtMaps(), e => e.Uri == JsepOptions.RepairedRidUri);
        Assert.Empty(m.GetSsrcs());

        Assert.True(net.B.Session.TryAcceptOffer(offerText, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.Contains("a=simulcast:recv q;h;f", answer, StringComparison.Ordinal);
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        NegotiatedSection sent = net.A.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
        Assert.Equal(["q", "h", "f"], sent.SendRids);
        Assert.Equal(["q", "h", "f"], net.B.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video).ReceiveRids);
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        byte ridId = (byte)sent.GetExtensionId(JsepOptions.RidUri)!.Value;
        byte repairedId = (byte)sent.GetExtensionId(JsepOptions.RepairedRidUri)!.Value;
        Dictionary<uint, string> ridOfSsrc = aVideo.SendEncodings.ToDictionary(e => e.Ssrc, e => e.Rid);
        Dictionary<uint, string> ridOfRtx = aVideo.SendEncodings.ToDictionary(e => e.RtxSsrc, e => e.Rid);

        // What A puts on the wire (SRTP leaves the RTP header and its extensions in the clear, RFC 3711 §3.1): every
        // layer packet names its layer by RID, every RTX packet by repaired RID and not by RID.
        var media = new List<(uint Ssrc, string? Rid, string? Repaired)>();
        var rtx = new List<(uint Ssrc, string? Rid, string? Repaired)>();
        net.Sent = (from, data) =>
        {
            if (from != net.A || !IsRtp(data) || !RtpPacket.TryParse(data, out RtpPacket p))
            {
                return;
            }

            string? rid = p.TryGetHeaderExtension(ridId, out ReadOnlySpan<byte> r) ? System.Text.Encoding.ASCII.GetString(r) : null;
            string? repaired = p.TryGetHeaderExtension(repairedId, out ReadOnlySpan<byte> rr) ? System.Text.Encoding.ASCII.GetString(rr) : null;
            (ridOfSsrc.ContainsKey(p.Ssrc) ? media : rtx).Add((p.Ssrc, rid, repaired));
        };

        // One packet of layer "h" lost (its 25th, in frame 9 or so): B NACKs it and A resends it on h's RTX SSRC.
        uint hSsrc = aVideo.SendEncodings[1].Ssrc;
        int hPackets = 0;
        net.Drop = (from, data) => from == net.A && IsRtp(data) && BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)) == hSsrc && ++hPackets == 25;

        string[] rids = ["q", "h", "f"];
        var sentFrames = new List<byte[]>[] { [], [], [] };
        var keyFrames = new List<int>[] { [], [], [] };
        Transceiver bVideo = net.B.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Video);
        for (int i = 0; i < 30; i++)
        {
            if (i == 15)
            {
                // RFC 4585 §6.3.1: B asks for a key frame of layer "h" only; A's application hears of it with the RID.
                Assert.True(net.B.Session.RequestKeyframe(bVideo, "h", net.Now));
                net.RunFor(TimeSpan.FromMilliseconds(20));
            }

            HashSet<string> asked = [.. net.A.Events.OfType<SessionKeyframeRequestedEvent>().Where(e => e.Rid is not null).Select(e => e.Rid!)];
            for (int l = 0; l < 3; l++)
            {
                bool key = i == 0 || (asked.Contains(rids[l]) && keyFrames[l].Count < 2);
                byte[] frame = VideoFrame((i * 3) + l, key, LayerBytes[l]);
                Assert.True(net.A.Session.SendVideoFrame(aVideo, rids[l], frame, (uint)(3000 * i), key, net.Now));
                sentFrames[l].Add(frame);
                if (key)
                {
                    keyFrames[l].Add(i);
                }
            }

            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        // A RID that is not one of the section's layers is refused.
        Assert.False(net.A.Session.SendVideoFrame(aVideo, "x", VideoFrame(0, true, 100), 0, true, net.Now));
        net.Drop = null;
        net.RunFor(TimeSpan.FromSeconds(3));

        // One stream per layer, announced with its RID, on the SSRC of its encoding.
        List<SessionRemoteStreamEvent> streams = net.B.Events.OfType<SessionRemoteStreamEvent>().ToList();
        Assert.Equal(aVideo.SendEncodings.Select(e => (e.Rid, e.Ssrc)), streams.Select(e => (e.Rid!, e.Ssrc)));

        // Every frame of every layer arrived whole and in order, tagged with its RID (the lost packet through RTX).
        for (int l = 0; l < 3; l++)
        {
            List<(ReceivedMedia Media, byte[] Data)> got = net.B.Media.Where(x => x.Media.Rid == rids[l]).ToList();
            Assert.Equal(sentFrames[l].Count, got.Count);
            for (int i = 0; i < got.Count; i++)
            {
                Assert.Equal(sentFrames[l][i], got[i].Data);
                Assert.Equal((uint)(3000 * i), got[i].Media.Timestamp);
                Assert.Equal(aVideo.SendEncodings[l].Ssrc, got[i].Media.Ssrc);
                Assert.Equal(keyFrames[l].Contains(i), got[i].Media.KeyFrame);
            }
        }

        // The PLI named h's SSRC: one request, for "h", and only h made a second key frame.
        SessionKeyframeRequestedEvent pli = Assert.Single(net.A.Events.OfType<SessionKeyframeRequestedEvent>());
        Assert.Equal(("h", KeyframeRequestKind.Pli), (pli.Rid, pli.Request.Kind));
        Assert.Equal([[0], [0, 15], [0]], keyFrames.Select(k => k.ToArray()));

        // The loss was on h alone and repaired by h's RTX stream, which named "h" as repaired RID.
        Assert.Equal(1, net.Dropped);
        IReadOnlyList<ReceiveStreamStats> inbound = net.B.Session.Sections.Single().Inbound;
        Assert.Equal([0L, 1L, 0L], aVideo.SendEncodings.Select(e => inbound.Single(s => s.Ssrc == e.Ssrc).RetransmittedPacketsReceived));

        // (B's receive statistics of h restarted when its RTX stream was learnt, a known gap, so the NACKs are counted at A.)
        Assert.Equal([0L, 1L, 0L], net.A.Session.GetStats(net.Now).All<RtcOutboundRtpStreamStats>().OrderBy(o => Array.IndexOf(rids, o.Rid)).Select(o => Math.Min(o.NackCount, 1)));
        Assert.Equal(0, net.B.Session.MediaCounters.UnroutedRtp);
        Assert.NotEmpty(rtx);
        Assert.All(rtx, p => Assert.Equal((ridOfRtx[p.Ssrc], (string?)null, (string?)"h"), (ridOfRtx[p.Ssrc], p.Rid, p.Repaired)));
        Assert.Equal(3, media.Select(p => p.Ssrc).Distinct().Count());
        Assert.All(media, p => Assert.Equal((ridOfSsrc[p.Ssrc], (string?)null), (p.Rid!, p.Repaired)));

        // RFC 3550 §6.4.1: an SR for every layer (B has remote-outbound stats for each SSRC), and B's report blocks about
        // each reach that layer's stream (A has a round-trip time per layer).
        RtcStatsReport a = net.A.Session.GetStats(net.Now);
        RtcStatsReport b = net.B.Session.GetStats(net.Now);
        Assert.Equal(rids, a.All<RtcOutboundRtpStreamStats>().Where(o => o.Kind == "video").OrderBy(o => Array.IndexOf(rids, o.Rid)).Select(o => o.Rid!));
        foreach (SendEncoding e in aVideo.SendEncodings)
        {
            Assert.Contains(b.All<RtcRemoteOutboundRtpStreamStats>(), s => s.Ssrc == e.Ssrc);
            Assert.Contains(a.All<RtcRemoteInboundRtpStreamStats>(), s => s.Ssrc == e.Ssrc && s.RoundTripTime is > 0);
        }
    }

    [Fact]
    public void AnOfferToReceiveSimulcastIsAnsweredWithTheRidsWeSendAndOnlyThoseLayersFlow()
    {
        using var net = new Pair(seed: 82, a: NoProbing, b: NoProbing);
        Transceiver aVideo = net.A.Session.AddSimulcastTransceiver([new SendEncoding("q"), new SendEncoding("h"), new SendEncoding("f")], MediaDirection.SendOnly);

        // B offers to receive "f", "x" and "q" (RFC 8853 §5.1 "recv"): A has no encoding "x", so it answers "send f;q"
        // with a rid line each, direction reversed (RFC 8851 §5.2), and no SSRC lines.
        net.B.Session.AddTransceiver(MediaKind.Video, MediaDirection.RecvOnly);
        Assert.True(SessionDescription.TryParse(net.B.Session.CreateOffer(net.Now), out SessionDescription? offer, out _));
        MediaDescription m = offer!.MediaDescriptions.Single(x => x.Media == "video");
        foreach (string rid in (string[])["f", "x", "q"])
        {
            m.Lines.Add(new Rid(rid, RidDirection.Receive).ToLine());
        }

        m.Lines.Add(new Simulcast([], [[new SimulcastStream("f")], [new SimulcastStream("x")], [new SimulcastStream("q")]]).ToLine());
        Assert.True(net.A.Session.TryAcceptOffer(offer.ToString(), net.Now, out string? answerText, out JsepError? error), error?.ToString());
        Assert.True(SessionDescription.TryParse(answerText, out SessionDescription? answer, out _));
        MediaDescription video = answer!.MediaDescriptions.Single(x => x.Media == "video");
        Assert.Equal(["f send", "q send"], video.GetRids().Select(r => r.ToString()));
        Assert.Equal("send f;q", video.Simulcast!.ToString());
        Assert.Empty(video.GetSsrcs());
        NegotiatedSection n = net.A.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
        Assert.Equal(["f", "q"], n.SendRids);
        Assert.Equal(aVideo.SendEncodings[2].Ssrc, n.LocalSsrc);
        Assert.True(net.B.Session.TryApplyAnswer(answerText, net.Now, out error), error?.ToString());

        // (B's own description, as created, has no simulcast lines, so B receives the two streams by MID, not by RID.)
        Assert.Empty(net.B.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video).ReceiveRids);
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        for (int i = 0; i < 10; i++)
        {
            Assert.True(net.A.Session.SendVideoFrame(aVideo, "f", VideoFrame(i, i == 0, 3000), (uint)(3000 * i), i == 0, net.Now));
            Assert.True(net.A.Session.SendVideoFrame(aVideo, "q", VideoFrame(100 + i, i == 0, 500), (uint)(3000 * i), i == 0, net.Now));
            Assert.False(net.A.Session.SendVideoFrame(aVideo, "h", VideoFrame(200 + i, i == 0, 1000), (uint)(3000 * i), i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.RunFor(TimeSpan.FromMilliseconds(200));
        Assert.Equal([aVideo.SendEncodings[2].Ssrc, aVideo.SendEncodings[0].Ssrc], net.B.Events.OfType<SessionRemoteStreamEvent>().Select(e => e.Ssrc));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => VideoFrame(i, i == 0, 3000)), net.B.Media.Where(x => x.Media.Ssrc == aVideo.SendEncodings[2].Ssrc).Select(x => x.Data));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => VideoFrame(100 + i, i == 0, 500)), net.B.Media.Where(x => x.Media.Ssrc == aVideo.SendEncodings[0].Ssrc).Select(x => x.Data));
        Assert.Equal(20, net.B.Media.Count);
    }

    [Fact]
    public void WithoutSimulcastInTheAnswerOnlyTheFirstEncodingIsSentAsTheSectionsOneStream()
    {
        using var net = new Pair(seed: 83, a: NoProbing, b: NoProbing);
        Transceiver aVideo = net.A.Session.AddSimulcastTransceiver([new SendEncoding("q"), new SendEncoding("f")], MediaDirection.SendOnly);
        string offer = net.A.Session.CreateOffer(net.Now);

        // A peer that does not know simulcast (here: does not see its lines) answers without it.
        offer = string.Join("\r\n", offer.Split("\r\n").Where(l => !l.StartsWith("a=simulcast", StringComparison.Ordinal) && !l.StartsWith("a=rid", StringComparison.Ordinal)));
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.DoesNotContain("a=simulcast", answer, StringComparison.Ordinal);
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.Empty(net.A.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video).SendRids);
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        for (int i = 0; i < 5; i++)
        {
            Assert.True(net.A.Session.SendVideoFrame(aVideo, "q", VideoFrame(i, i == 0, 1500), (uint)(3000 * i), i == 0, net.Now));
            Assert.False(net.A.Session.SendVideoFrame(aVideo, "f", VideoFrame(i, i == 0, 1500), (uint)(3000 * i), i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.RunFor(TimeSpan.FromMilliseconds(200));
        SessionRemoteStreamEvent stream = Assert.Single(net.B.Events.OfType<SessionRemoteStreamEvent>());
        Assert.Equal((aVideo.SendEncodings[0].Ssrc, (string?)null), (stream.Ssrc, stream.Rid));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => VideoFrame(i, i == 0, 1500)), net.B.Media.Select(x => x.Data));
    }

    [Fact]
    public void BadSendEncodingsAreRefused()
    {
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(1) });
        Assert.Throws<ArgumentException>(() => new SendEncoding("a b"));
        Assert.Throws<ArgumentException>(() => new SendEncoding(new string('a', 17)));
        Assert.Throws<ArgumentException>(() => session.AddSimulcastTransceiver([]));
        Assert.Throws<ArgumentException>(() => session.AddSimulcastTransceiver([new SendEncoding("a"), new SendEncoding("a")]));
        Assert.Empty(session.Jsep.Transceivers);
    }

    private static bool IsRtp(byte[] data) => data.Length >= 12 && data[0] >> 6 == 2 && data[1] is < 192 or > 223;
}
