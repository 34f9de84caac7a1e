using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using static RtcStack.WebRtc.Tests.Session.WebRtcSessionTests;

namespace RtcStack.WebRtc.Tests.Session;

/// <summary>
/// A host's shared <see cref="RetransmissionBudget"/> on session core v2 (<see cref="WebRtcSessionOptions.SharedRetransmissionBudget"/>,
/// what <c>rtcstack serve</c> and the load test pass in): retransmissions it refuses are not sent and are counted on
/// both the stream and the budget.
/// </summary>
public class WebRtcSessionRetransmissionBudgetTests
{
    private static WebRtcSessionOptions Options(int seed, RetransmissionBudget? shared = null) => new()
    {
        Random = new Random(seed),
        Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
        SharedRetransmissionBudget = shared,

        // No probe padding: the drop filter counts every RTP datagram from A (WebRtcSessionTests.NoProbing).
        Gcc = new RtcStack.Congestion.Gcc.GccOptions { InitialProbing = false, AlrProbing = false },
    };

    private static RtcOutboundRtpStreamStats RunWithLoss(RetransmissionBudget? shared, int seed)
    {
        using var net = new Pair(seed, a: s => Options(s, shared));
        (_, Transceiver aVideo, _, _) = net.NegotiateAudioAndVideo();
        Assert.True(net.RunUntil(() => net.A.Session.State == PeerConnectionState.Connected && net.B.Session.State == PeerConnectionState.Connected, TimeSpan.FromSeconds(10)));

        // Every 10th RTP datagram from A is lost for the first 200 (retransmissions included).
        int rtp = 0;
        net.Drop = (from, data) => from == net.A && data[0] is >= 0x80 and <= 0xBF && data[1] is < 192 or > 223 && ++rtp % 10 == 0 && rtp <= 200;
        for (int i = 0; i < 90; i++)
        {
            Assert.True(net.A.Session.SendVideoFrame(aVideo, VideoFrame(i, key: i == 0, size: 3000), (uint)(3000 * i), keyFrame: i == 0, net.Now));
            net.RunFor(TimeSpan.FromMilliseconds(33));
        }

        net.RunFor(TimeSpan.FromSeconds(1));
        return net.A.Session.GetStats(net.Now).All<RtcOutboundRtpStreamStats>().Single(o => o.Kind == "video");
    }

    [Fact]
    public void ASharedBudgetThatRefusesEverythingStopsEveryRetransmissionAndCountsIt()
    {
        // The control: without a shared budget the same losses are repaired.
        RtcOutboundRtpStreamStats free = RunWithLoss(null, 81);
        Assert.True(free.RetransmittedPacketsSent >= 10, $"{free.RetransmittedPacketsSent} resent without a shared budget");
        Assert.Equal(0, free.RetransmissionsDropped);

        // A host at full load: the shared budget's fraction is 0.
        var shared = new RetransmissionBudget(1) { Fraction = 0 };
        RtcOutboundRtpStreamStats refused = RunWithLoss(shared, 81);
        Assert.Equal(0, refused.RetransmittedPacketsSent);
        Assert.True(refused.RetransmissionsDropped >= 10, $"{refused.RetransmissionsDropped} refused");
        Assert.Equal(shared.Dropped, refused.RetransmissionsDropped);
    }
}
