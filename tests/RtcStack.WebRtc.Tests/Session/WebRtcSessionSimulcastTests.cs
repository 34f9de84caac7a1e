using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Tests.Jsep;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// Receiving simulcast (RFC 8853, RFC 8851 rids, RFC 8852 RID header extensions): browser-shaped offers answered with
/// "a=simulcast:recv", and three layers sent by a peer session told apart by RID into three receive streams.
/// </summary>
public class WebRtcSessionSimulcastTests
{
    public const string ChromiumSimulcast = "chromium-156-offer-simulcast.sdp";
    public const string FirefoxSimulcast = "firefox-153esr-offer-simulcast.sdp";

    [Theory]
    [InlineData(ChromiumSimulcast, new[] { "f", "h", "q" })]
    [InlineData(FirefoxSimulcast, new[] { "a", "b", "c" })]
    public void ABrowsersSimulcastOfferIsAnsweredWithSimulcastRecvAndTheRidLines(string fixture, string[] rids)
    {
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(5) });
        string offer = JsepTestKit.Fixture(fixture).ToString();
        Assert.True(session.TryAnswer(offer, MediaDirection.RecvOnly, TimeSpan.FromSeconds(1), out string? answerText, out JsepError? error), error?.ToString());
        Assert.True(SessionDescription.TryParse(answerText, out SessionDescription? answer, out _));
        MediaDescription video = answer!.MediaDescriptions.Single(m => m.Media == "video");

        // RFC 8853 §5.3: the answer receives the offered streams, in the offer's order; RFC 8851 §5.2: each with its rid
        // line, direction reversed.
        Simulcast simulcast = Assert.IsType<Simulcast>(video.Simulcast);
        Assert.Empty(simulcast.Send);
        Assert.Equal(rids, simulcast.Receive.Select(a => a.Single().Rid));
        Assert.Equal(rids, video.GetRids().Select(r => r.Id));
        Assert.All(video.GetRids(), r => Assert.Equal(RidDirection.Receive, r.Direction));
        Assert.Equal("a=simulcast:recv " + string.Join(';', rids), video.Lines.Single(l => l.ToString().StartsWith("a=simulcast", StringComparison.Ordinal)).ToString());

        // RFC 8853 §5.4 / RFC 8852 §4: the RID and repaired-RID header extensions are accepted with the offer's ids.
        Assert.Contains(video.GetExtMaps(), e => e is { Id: 10, Uri: JsepOptions.RidUri });
        Assert.Contains(video.GetExtMaps(), e => e is { Id: 11, Uri: JsepOptions.RepairedRidUri });
        NegotiatedSection negotiated = session.Jsep.NegotiatedSections.Single(n => n.Kind == MediaKind.Video);
        Assert.Equal(rids, negotiated.ReceiveRids);

        // The audio section, without simulcast, has none.
        MediaDescription audio = answer.MediaDescriptions.Single(m => m.Media == "audio");
        Assert.Null(audio.Simulcast);
        Assert.Empty(audio.GetRids());
    }

    [Fact]
    public void RidsArePrunedByPayloadTypeAndUndeclaredOnesAreLeftOut()
    {
        // RFC 8851 §5.2: pt= keeps only payload types of the answer (120 is ulpfec, which we do not answer), a rid left
        // with none is dropped, other restrictions stay; RFC 8853 §5.2: "x" has no rid line, so it is not a stream.
        string offer = JsepTestKit.Fixture(ChromiumSimulcast).ToString()
            .Replace("a=rid:f send", "a=rid:f send pt=96,120;max-width=1280;max-height=720", StringComparison.Ordinal)
            .Replace("a=rid:q send", "a=rid:q send pt=120", StringComparison.Ordinal)
            .Replace("a=simulcast:send f;h;q", "a=simulcast:send f;h,x;q", StringComparison.Ordinal);
        using var session = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(6) });
        Assert.True(session.TryAnswer(offer, MediaDirection.RecvOnly, TimeSpan.FromSeconds(1), out string? answerText, out JsepError? error), error?.ToString());
        Assert.True(SessionDescription.TryParse(answerText, out SessionDescription? answer, out _));
        MediaDescription video = answer!.MediaDescriptions.Single(m => m.Media == "video");
        Assert.DoesNotContain(" 120", video.MediaLine.ToString(), StringComparison.Ordinal);
        Assert.Equal(["f recv pt=96;max-width=1280;max-height=720", "h recv"], video.GetRids().Select(r => r.ToString()));
        Assert.Equal("recv f;h", video.Simulcast!.ToString());
        Assert.Equal(["f", "h"], session.Jsep.NegotiatedSections.Single(n => n.Kind == MediaKind.Video).ReceiveRids);
    }

    [Fact]
    public void WithoutTheRidExtensionOrWhenNotReceivingNoSimulcastIsAnswered()
    {
        // RFC 8853 §5.4: without the RID header extension the layers could not be told apart.
        string noRid = JsepTestKit.Fixture(ChromiumSimulcast).ToString()
            .Replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", string.Empty, StringComparison.Ordinal);
        using var a = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(7) });
        Assert.True(a.TryAnswer(noRid, MediaDirection.RecvOnly, TimeSpan.FromSeconds(1), out string? answer, out JsepError? error), error?.ToString());
        Assert.DoesNotContain("a=simulcast", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("a=rid", answer, StringComparison.Ordinal);

        // A send-only answer receives nothing, so it takes no simulcast streams.
        using var b = new WebRtcSession(new WebRtcSessionOptions { Random = new Random(8) });
        Assert.True(b.TryAnswer(JsepTestKit.Fixture(ChromiumSimulcast).ToString(), MediaDirection.SendOnly, TimeSpan.FromSeconds(1), out answer, out error), error?.ToString());
        Assert.DoesNotContain("a=simulcast", answer, StringComparison.Ordinal);
        Assert.Empty(b.Jsep.NegotiatedSections.Single(n => n.Kind == MediaKind.Video).ReceiveRids);
    }

    /// <summary>
    /// A sends three VP8 layers on three unsignalled SSRCs (its session's SRTP, its negotiated MID and RID extension ids;
    /// the packets are written here, since our session does not send simulcast itself). The RID extension rides only on
    /// each layer's first packets, as browsers do; B binds each SSRC from it and keeps the binding for the rest. A lost
    /// packet of layer "h" is repaired from an unsignalled RTX SSRC named by the repaired-RID extension.
    /// </summary>
    [Fact]
    public void ThreeLayersSentWithRidExtensionsAreReceivedAsThreeStreamsByRid()
    {
        using var net = new Pair(seed: 71, a: NoProbing, b: NoProbing);
        Transceiver aVideo = net.A.Session.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly);
        Assert.True(SessionDescription.TryParse(net.A.Session.CreateOffer(net.Now), out SessionDescription? offer, out _));
        MediaDescription m = offer!.MediaDescriptions.Single(x => x.Media == "video");
        foreach (string rid in (string[])["f", "h", "q"])
        {
            m.Lines.Add(new Rid(rid, RidDirection.Send).ToLine());
        }

        m.Lines.Add(new Simulcast([[new SimulcastStream("f")], [new SimulcastStream("h")], [new SimulcastStream("q")]], []).ToLine());
        Assert.True(net.B.Session.TryAnswer(offer.ToString(), MediaDirection.RecvOnly, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.Contains("a=simulcast:recv f;h;q", answer, StringComparison.Ordinal);
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.True(net.RunUntil(() => net.A.Session.CanSendMedia && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        NegotiatedSection n = net.A.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
        NegotiatedCodec vp8 = n.SendCodecs.First(c => c.Name == "VP8");
        byte midId = (byte)n.GetExtensionId(ExtMap.MidUri)!.Value;
        byte ridId = (byte)n.GetExtensionId(JsepOptions.RidUri)!.Value;
        byte repairedId = (byte)n.GetExtensionId(JsepOptions.RepairedRidUri)!.Value;
        (string Rid, uint Ssrc)[] layers = [("f", 0x1000F), ("h", 0x1000A), ("q", 0x10004)];
        byte[] packet = new byte[1500];

        void Send(uint ssrc, byte pt, ushort seq, uint ts, ReadOnlySpan<byte> payload, string? rid, string? repairedRid)
        {
            var w = new RtpPacketWriter(packet);
            Assert.True(w.TryWriteHeader(new RtpHeader(pt, seq, ts, ssrc, Marker: true)));
            RtpHeaderExtensionWriter ext = w.BeginHeaderExtension(RtpHeaderExtensionMode.OneByteOnly);
            Assert.True(ext.TryAddText(midId, n.Mid.AsSpan()));
            if (rid is not null)
            {
                Assert.True(ext.TryAddText(ridId, rid.AsSpan()));
            }

            if (repairedRid is not null)
            {
                Assert.True(ext.TryAddText(repairedId, repairedRid.AsSpan()));
            }

            Assert.True(w.TryEndHeaderExtension(ext.Finish()));
            Assert.True(w.TryWritePayload(payload));
            Assert.Equal(RtcStack.WebRtc.Transport.TransportSendStatus.Sent, net.A.Session.Transport.SendRtp(packet.AsSpan(0, w.Length), net.Now));
        }

        static byte[] Vp8(int frame, int layer, bool key)
        {
            byte[] f = VideoFrame((frame * 3) + layer, key, 200 + (layer * 100));
            return [0x10, .. f]; // RFC 7741 §4.2: S=1, partition 0, no extensions
        }

        byte[] heldBack = [];
        for (int frame = 0; frame < 20; frame++)
        {
            for (int l = 0; l < 3; l++)
            {
                (string rid, uint ssrc) = layers[l];
                ushort seq = (ushort)(100 + frame);
                byte[] payload = Vp8(frame, l, key: frame == 0);
                if (rid == "h" && frame == 10)
                {
                    heldBack = payload; // lost on the way; repaired below
                    continue;
                }

                // The RID rides on the first three packets only (browsers stop once the receiver reports the SSRC).
                Send(ssrc, (byte)vp8.PayloadType, seq, (uint)(3000 * frame), payload, frame < 3 ? rid : null, null);
            }

            if (frame == 11)
            {
                // RFC 4588 §4: OSN then the original payload, on an RTX SSRC no description named, tied to "h" by
                // repaired RID (sent soon, as a NACK would have it: B's frame buffer gives up on a gap after a while).
                byte[] rtx = [0, 110, .. heldBack];
                Send(0x2000A, (byte)vp8.RtxPayloadType!.Value, 7, 3000 * 10, rtx, null, "h");
            }

            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.RunFor(TimeSpan.FromMilliseconds(200));

        // One stream per layer, announced with its RID.
        List<SessionRemoteStreamEvent> streams = net.B.Events.OfType<SessionRemoteStreamEvent>().ToList();
        Assert.Equal(layers.Select(x => (x.Rid, x.Ssrc)), streams.Select(e => (e.Rid!, e.Ssrc)));
        Assert.Equal(3, net.B.Session.Sections.Single().Inbound.Count);

        // Every frame of every layer arrived (the held-back one through RTX), each tagged with its layer's RID and SSRC.
        foreach ((string rid, uint ssrc) in layers)
        {
            List<(ReceivedMedia Media, byte[] Data)> layer = net.B.Media.Where(x => x.Media.Rid == rid).ToList();
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (uint)(3000 * i)), layer.Select(x => x.Media.Timestamp).Order());
            Assert.All(layer, x => Assert.Equal(ssrc, x.Media.Ssrc));
            Assert.True(layer[0].Media.KeyFrame);
            int l = Array.FindIndex(layers, x => x.Rid == rid);
            Assert.Equal(Vp8(10, l, key: false)[1..], layer.Single(x => x.Media.Timestamp == 30000).Data);
        }

        Assert.Equal(0, net.B.Session.MediaCounters.UnroutedRtp);
        Assert.Equal(1, net.B.Session.Sections.Single().Inbound.Sum(x => x.RetransmittedPacketsReceived));

        // A key frame request for one layer goes to that layer's SSRC only (RFC 4585 §6.3.1 PLI, as negotiated).
        Transceiver bVideo = net.B.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Video);
        Assert.False(net.B.Session.RequestKeyframe(bVideo, "x", net.Now));
        Assert.True(net.B.Session.RequestKeyframe(bVideo, "h", net.Now));
        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.Equal([("f", 0L), ("h", 1L), ("q", 0L)], layers.Select(x => (x.Rid, net.B.Session.Sections.Single().Inbound.Single(i => i.Ssrc == x.Ssrc).PliCount)));
    }
}
