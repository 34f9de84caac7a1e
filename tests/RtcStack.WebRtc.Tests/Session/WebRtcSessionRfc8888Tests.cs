using RtcStack.Congestion;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// RFC 8888 congestion control feedback inside <see cref="WebRtcSession"/> (issue 14: "TWCC, and RFC 8888 when
/// negotiated in SDP, feeds it"), two sessions in virtual time: the SDP (§6, <c>a=rtcp-fb:* ack ccfb</c>), the reports on
/// the wire instead of transport-cc, the reports matched to what was sent by SSRC and sequence number, the arrival times
/// against the virtual network's delays, and the fallback to transport-cc when only one side asks.
/// </summary>
public class WebRtcSessionRfc8888Tests(ITestOutputHelper output)
{
    [Fact]
    public void BothSidesAsking_Rfc8888IsNegotiated_AndReplacesTransportCcBothWays()
    {
        using var net = new Pair(81, a: s => Options(s, ccfb: true), b: s => Options(s, ccfb: true));
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        Transceiver aVideo = net.A.Session.AddTransceiver(MediaKind.Video);
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out var error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());

        // §6: the wildcard payload type, once in each audio and video section of the offer, echoed by the answer.
        foreach (string sdp in new[] { offer, answer })
        {
            SessionDescription d = SessionDescription.Parse(sdp);
            Assert.Equal(2, d.MediaDescriptions.Count);
            Assert.All(d.MediaDescriptions, m => Assert.Single(m.GetAttributeValues("rtcp-fb"), v => v == "* ack ccfb"));
        }

        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.True(net.A.Session.Rfc8888FeedbackNegotiated);
        Assert.True(net.B.Session.Rfc8888FeedbackNegotiated);

        // A sends audio and video through a 7 ms path that loses every 9th video packet; we note when each RTP packet left
        // A and whether it arrived.
        byte videoPt = (byte)net.A.Session.Sections[1].SendCodec!.PayloadType;
        int video = 0;
        var sentAt = new Dictionary<(uint Ssrc, ushort Seq), TimeSpan>();
        var dropped = new HashSet<(uint Ssrc, ushort Seq)>();
        net.Delay = (p, d) => TimeSpan.FromMilliseconds(7);
        net.Sent = (p, d) =>
        {
            if (p == net.A && TryReadRtpHeader(d, out byte pt, out uint ssrc, out ushort seq))
            {
                sentAt[(ssrc, seq)] = net.Now;
            }
        };
        net.Drop = (p, d) =>
        {
            if (p == net.A && TryReadRtpHeader(d, out byte pt, out uint ssrc, out ushort seq) && pt == videoPt && ++video % 9 == 0)
            {
                dropped.Add((ssrc, seq));
                return true;
            }

            return false;
        };

        for (int i = 0; i < 100; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 1, 2], (uint)(960 * i), net.Now));
            if (i % 2 == 0)
            {
                Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i / 2, key: i == 0, size: 3000), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            }

            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        net.RunFor(TimeSpan.FromMilliseconds(300));
        SessionFeedbackCounters fa = net.A.Session.FeedbackCounters, fb = net.B.Session.FeedbackCounters;
        output.WriteLine($"B sent {fb.CcfbSent} RFC 8888 reports, {fb.TransportFeedbackSent} transport-cc; A took {fa.CcfbReceived}, reported {fa.PacketsReported} packets ({fa.PacketsReportedLost} lost), unknown {fa.UnknownPacketsReported}, ignored {fa.FeedbackIgnored}; dropped {dropped.Count}");

        // RFC 8888 replaces transport-cc: B reports with FMT 11 only, A takes the reports and matches every entry.
        Assert.Equal(0, fb.TransportFeedbackSent);
        Assert.Equal(0, fa.TransportFeedbackReceived);
        Assert.True(fb.CcfbSent >= 30, $"B sent {fb.CcfbSent} reports in 2.3 s at 50 ms");
        Assert.Equal(fb.CcfbSent, fa.CcfbReceived);
        Assert.Equal(0, fa.UnknownPacketsReported);
        Assert.True(dropped.Count >= 10, $"{dropped.Count} dropped");
        Assert.Equal(dropped.Count, fa.PacketsReportedLost);

        // Every packet A sent was reported exactly once (all of them arrived or were dropped; RTX resends included).
        output.WriteLine($"A sent {sentAt.Count} distinct RTP packets ({sentAt.Keys.Select(k => k.Ssrc).Distinct().Count()} SSRCs); stamped {fa.PacketsStamped}");
        Assert.Equal(sentAt.Count, fa.PacketsReported);

        // The arrival times A learned follow the path: each received packet arrived 7 ms after it left, so arrival minus
        // send time is the same for all, to the report's 1/1024 s resolution (RFC 8888 §3.1 arrival time offset).
        PacketResult[] results = [.. net.A.Events.OfType<SessionTransportFeedbackEvent>().SelectMany(e => e.Results)];
        Assert.Equal(fa.PacketsReported, results.Length);
        double[] offsets = [.. results.Where(r => r.Received).Select(r => (r.ArrivalTime - r.Sent.SendTime).TotalMilliseconds)];
        Assert.Equal(sentAt.Count - dropped.Count, offsets.Length);
        output.WriteLine($"arrival - send: {offsets.Min():F3} .. {offsets.Max():F3} ms");
        Assert.True(offsets.Max() - offsets.Min() <= 2.0, $"arrival minus send spans {offsets.Min():F3} .. {offsets.Max():F3} ms");
        Assert.Equal(dropped.Count, results.Count(r => !r.Received));

        // The controller heard of it: GCC has an acknowledged rate and a target.
        Assert.NotNull(net.A.Session.TargetBitrateBps);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void OnlyOneSideAsking_TransportCcStaysTheFeedback(bool offererAsks, bool answererAsks)
    {
        using var net = new Pair(82, a: s => Options(s, ccfb: offererAsks), b: s => Options(s, ccfb: answererAsks));
        Transceiver aAudio = net.A.Session.AddTransceiver(MediaKind.Audio);
        string offer = net.A.Session.CreateOffer(net.Now);
        Assert.True(net.B.Session.TryAcceptOffer(offer, net.Now, out string? answer, out var error), error?.ToString());
        Assert.True(net.A.Session.TryApplyAnswer(answer, net.Now, out error), error?.ToString());
        Assert.Equal(offererAsks, offer.Contains("a=rtcp-fb:* ack ccfb\r\n", StringComparison.Ordinal));
        Assert.DoesNotContain("ccfb", answer, StringComparison.Ordinal);
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));
        Assert.False(net.A.Session.Rfc8888FeedbackNegotiated);
        Assert.False(net.B.Session.Rfc8888FeedbackNegotiated);
        for (int i = 0; i < 50; i++)
        {
            Assert.True(net.A.Session.SendAudio(aAudio, [0x78, (byte)i, 1, 2], (uint)(960 * i), net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(20));
        }

        Assert.True(net.B.Session.FeedbackCounters.TransportFeedbackSent > 0);
        Assert.Equal(0, net.B.Session.FeedbackCounters.CcfbSent);
        Assert.True(net.A.Session.FeedbackCounters.PacketsReported >= 45);
    }

    internal static WebRtcSessionOptions Options(int seed, bool ccfb) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        Rfc8888Feedback = ccfb,
        TransportFeedbackEvents = true,
    };

    /// <summary>Reads an SRTP packet's clear RTP header (RFC 3711 §3.1): payload type, SSRC and sequence number.</summary>
    private static bool TryReadRtpHeader(byte[] datagram, out byte payloadType, out uint ssrc, out ushort sequence)
    {
        payloadType = 0;
        ssrc = 0;
        sequence = 0;
        if (datagram.Length < 12 || datagram[0] is < 0x80 or > 0xBF || datagram[1] is >= 192 and <= 223)
        {
            return false;
        }

        payloadType = (byte)(datagram[1] & 0x7F);
        sequence = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(2));
        ssrc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(datagram.AsSpan(8));
        return true;
    }
}
