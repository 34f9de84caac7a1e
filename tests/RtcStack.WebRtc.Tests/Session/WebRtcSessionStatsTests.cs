using System.Text.Json;
using RtcStack.WebRtc.Jsep;
using Xunit;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// <see cref="WebRtcSession.GetStats"/> (webrtc-stats §8) on two sessions carrying audio and VP8 both ways in virtual time:
/// what one side says it sent is what the other says it received, and the entries link up as in a browser's report.
/// </summary>
public class WebRtcSessionStatsTests
{
    [Fact]
    public void EachSideReportsWhatTheOtherSentAndTheEntriesLinkUp()
    {
        using var net = new WebRtcSessionTests.Pair(seed: 31, a: WebRtcSessionTests.NoProbing, b: WebRtcSessionTests.NoProbing);
        (Transceiver aAudio, Transceiver aVideo, Transceiver bAudio, Transceiver bVideo) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        // Every 5th video datagram from A (the only ones over 500 bytes) is lost for a while, so B has NACKs and repairs
        // to count; audio, which has no NACK, is left alone.
        int seen = 0;
        net.Drop = (from, data) => from == net.A && data.Length > 500 && data[0] is >= 0x80 and <= 0xBF && data[1] is < 200 or > 206 && ++seen % 5 == 0;
        for (int i = 0; i < 60; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 1, 2, 3], (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, [0x78, (byte)i, 4, 5], (uint)(960 * i), net.Now));
            if (i % 4 == 0)
            {
                byte[] frame = WebRtcSessionTests.VideoFrame(i / 4, key: i == 0, size: 3500);
                Assert.True(net.A.Session.SendVideoFrame(aVideo, frame, (uint)(3000 * i), keyFrame: i == 0, net.Now));
                Assert.True(net.B.Session.SendVideoFrame(bVideo, frame, (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            if (i == 40)
            {
                net.Drop = null;
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromSeconds(3)); // repairs done, and periodic SR/RR exchanged (1 s interval, randomised)
        RtcStatsReport a = net.A.Session.GetStats(net.Now);
        RtcStatsReport b = net.B.Session.GetStats(net.Now);

        foreach (RtcStatsReport r in new[] { a, b })
        {
            RtcTransportStats t = r.Get<RtcTransportStats>()!;
            Assert.Equal("connected", t.DtlsState);
            Assert.NotNull(t.SrtpCipher);
            Assert.Equal("CP01", t.SelectedCandidatePairId);
            Assert.NotNull(r.Get<RtcIceCandidatePairStats>());
            Assert.Equal(2, r.All<RtcOutboundRtpStreamStats>().Count);
            Assert.Equal(2, r.All<RtcInboundRtpStreamStats>().Count);
            Assert.True(t.SenderReportsReceived > 0, "no SR received");
            AssertLinksResolve(r);
        }

        // A's outbound streams against B's inbound ones, matched by SSRC.
        foreach (RtcOutboundRtpStreamStats o in a.All<RtcOutboundRtpStreamStats>())
        {
            RtcInboundRtpStreamStats i = Assert.Single(b.All<RtcInboundRtpStreamStats>(), x => x.Ssrc == o.Ssrc);
            Assert.Equal(o.Kind, i.Kind);
            Assert.Equal(o.Mid, i.Mid);
            if (o.Kind == "audio")
            {
                Assert.Equal(0, i.PacketsLost);
                Assert.Equal(o.PacketsSent, i.PacketsReceived);
                Assert.Equal(o.BytesSent, i.BytesReceived);
            }
            else
            {
                // Retransmissions count in packets sent and received on both sides, as webrtc-stats says; a dropped
                // datagram (original or retransmission) is the difference. packetsLost is RFC 3550's on the stream's
                // own SSRC, so each original that had to be repaired stays counted there (RtcStack's choice, see
                // ReceiveStreamStats).
                Assert.Equal(o.PacketsSent - net.Dropped, i.PacketsReceived);
                Assert.Equal(o.RetransmittedPacketsSent - i.RetransmittedPacketsReceived, net.Dropped - i.PacketsLost);
                Assert.InRange(i.PacketsLost, 1, net.Dropped);
                Assert.True(i.BytesReceived < o.BytesSent);
            }

            string mime = ((RtcCodecStats)b.Stats.Single(s => s.Id == i.CodecId)).MimeType;
            Assert.Equal(o.Kind == "audio" ? "audio/opus" : "video/VP8", mime, ignoreCase: true);
        }

        RtcOutboundRtpStreamStats aVideoOut = a.All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "video");
        RtcInboundRtpStreamStats bVideoIn = b.All<RtcInboundRtpStreamStats>().Single(i => i.Kind == "video");
        Assert.Equal(60, a.All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "audio").PacketsSent);
        Assert.True(aVideoOut.RetransmittedPacketsSent > 0, "nothing was retransmitted");
        Assert.Equal(15, bVideoIn.FramesReceived);
        Assert.Equal(1, bVideoIn.KeyFramesReceived);
        Assert.Equal(0, bVideoIn.FramesDropped);
        Assert.True(bVideoIn.NackCount > 0);
        Assert.Equal(bVideoIn.NackCount, aVideoOut.NackCount); // every NACK B sent arrived
        Assert.NotNull(aVideoOut.RtxSsrc);
        Assert.Null(b.All<RtcInboundRtpStreamStats>().Single(i => i.Kind == "audio").FramesReceived);
        Assert.Equal(bVideoIn.NackCount, b.Get<RtcTransportStats>()!.NacksSent);
        Assert.Null(((RtcCodecStats)b.Stats.Single(s => s.Id == bVideoIn.CodecId)).Channels);

        // The JSON is an object of entries by id, like a browser's report turned into an object.
        using JsonDocument json = JsonDocument.Parse(b.ToJson());
        Assert.Equal(2, json.RootElement.EnumerateObject().Count(e => e.Value.GetProperty("type").GetString() == "inbound-rtp"));
        Assert.Equal(15, json.RootElement.GetProperty(bVideoIn.Id).GetProperty("framesReceived").GetInt64());
    }

    private static void AssertLinksResolve(RtcStatsReport r)
    {
        var ids = r.Stats.Select(s => s.Id).ToHashSet();
        Assert.Equal(r.Stats.Count, ids.Count); // ids are unique
        foreach (RtcStats s in r.Stats)
        {
            string?[] links = s switch
            {
                RtcOutboundRtpStreamStats o => [o.TransportId, o.CodecId, o.RemoteId],
                RtcInboundRtpStreamStats i => [i.TransportId, i.CodecId, i.RemoteId],
                RtcRemoteInboundRtpStreamStats ri => [ri.TransportId, ri.CodecId, ri.LocalId],
                RtcRemoteOutboundRtpStreamStats ro => [ro.TransportId, ro.LocalId],
                RtcIceCandidatePairStats p => [p.TransportId],
                RtcCodecStats c => [c.TransportId],
                RtcTransportStats t => [t.SelectedCandidatePairId],
                _ => [],
            };
            foreach (string? link in links)
            {
                Assert.True(link is null || ids.Contains(link), $"{s.Id} links to {link}, not in the report");
            }
        }
    }
}
