using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// A send stream keeps packets for retransmission only when the peer can ask for them: NACK (RFC 4585 §4.2) or RTX
/// (RFC 4588) negotiated. Browsers negotiate neither for Opus, and the history (512 slots, about 98 KB) was most of
/// an audio session's memory on a loaded server.
/// </summary>
public class WebRtcSessionSendHistoryTests
{
    private static WebRtcSessionOptions Options(int seed, bool nack) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        AudioCodecs =
        [
            new CodecCapability("opus", 48000, 2)
            {
                Parameters = [new Sdp.FormatParameter("minptime", "10"), new Sdp.FormatParameter("useinbandfec", "1")],
                Feedback = nack ? ["transport-cc", "nack"] : ["transport-cc"],
                PreferredPayloadType = 111,
            },
        ],
    };

    // Bytes this thread allocates while two audio sessions negotiate (offer, answer, and both apply: each creates
    // its send stream), and the pair, connected, with audio sent each way and every 10th packet from A lost.
    private static (long NegotiationBytes, RtcOutboundRtpStreamStats ASent) Run(bool nack)
    {
        using var net = new Pair(57, a: s => Options(s, nack), b: s => Options(s, nack));
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver bAudio = net.B.Session.AddTransceiver(MediaKind.Audio);
        long before = GC.GetAllocatedBytesForCurrentThread();
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out JsepError? error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        long negotiation = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(nack, offer.Contains("a=rtcp-fb:111 nack", StringComparison.Ordinal));
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        int rtp = 0;
        net.Drop = (from, data) => from == net.A && data[0] is >= 0x80 and <= 0xBF && data[1] is < 192 or > 223 && ++rtp % 10 == 0;
        for (int i = 0; i < 100; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 1, 2, 3], (uint)(960 * i), net.Now));
            Assert.True(net.B.Session.SendAudio(bAudio, [0x78, (byte)i, 1, 2, 3], (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.Drop = null;
        net.RunFor(TimeSpan.FromSeconds(1));
        return (negotiation, net.A.Session.GetStats(net.Now).All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "audio"));
    }

    [Fact]
    public void AnAudioSendStreamKeepsAHistoryOnlyWhenNackIsNegotiated_AndThenResendsFromIt()
    {
        (long plainBytes, RtcOutboundRtpStreamStats plain) = Run(nack: false);
        (long nackBytes, RtcOutboundRtpStreamStats withNack) = Run(nack: true);

        // Two send streams (one per side) each allocate their ring (512 slots × 160 B) and slot arrays only with NACK.
        long history = 2L * 512 * PacketHistory.InitialBytesPerSlot;
        Assert.True(nackBytes - plainBytes >= history, $"negotiation allocated {plainBytes} B without NACK and {nackBytes} B with it");

        // Without NACK nobody asks; with it, B asks for A's lost packets and A resends them from the history.
        Assert.Equal(0, plain.NackCount);
        Assert.Equal(0, plain.RetransmittedPacketsSent);
        Assert.True(withNack.NackCount > 0, $"{withNack.NackCount} NACKs");
        Assert.True(withNack.RetransmittedPacketsSent >= 5, $"{withNack.RetransmittedPacketsSent} resent of about 10 lost");
    }
}
