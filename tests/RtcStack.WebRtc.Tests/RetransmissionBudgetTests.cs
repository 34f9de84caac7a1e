using Xunit;

namespace RtcStack.WebRtc.Tests;

public sealed class RetransmissionBudgetTests
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void NothingIsRetransmittedBeforeMediaWasSent()
    {
        var budget = new RetransmissionBudget();
        Assert.False(budget.TryTake(100, Ms(0)));
        Assert.Equal(1, budget.Dropped);
        Assert.Equal(100, budget.DroppedBytes);
    }

    [Fact]
    public void RetransmissionsStayWithinTheFractionOfTheLastSecondsMedia()
    {
        var budget = new RetransmissionBudget(0.5);
        for (int t = 0; t < 1000; t += 20)
        {
            budget.OnMediaSent(100, Ms(t)); // 50 packets, 5,000 bytes in the second
        }

        Assert.True(budget.TryTake(2_000, Ms(990)));
        Assert.True(budget.TryTake(500, Ms(990)));
        Assert.False(budget.TryTake(1, Ms(990)));   // 2,500 = half of 5,000: full
        Assert.Equal(1, budget.Dropped);

        // A packet that could not be sent after all gives its bytes back.
        budget.Return(500, Ms(990));
        Assert.True(budget.TryTake(400, Ms(995)));
    }

    [Fact]
    public void TheWindowSlides()
    {
        var budget = new RetransmissionBudget();
        budget.OnMediaSent(1_000, Ms(0));
        Assert.True(budget.TryTake(1_000, Ms(50)));
        Assert.False(budget.TryTake(1, Ms(900)));

        // 1.1 s later the media and the retransmission of the first bucket have left the window together.
        Assert.False(budget.TryTake(1, Ms(1_100)));
        budget.OnMediaSent(300, Ms(1_100));
        Assert.True(budget.TryTake(300, Ms(1_150)));
        Assert.False(budget.TryTake(1, Ms(1_150)));

        // A jump of many seconds clears everything, and a time slightly in the past counts in the current bucket.
        budget.OnMediaSent(10, Ms(60_000));
        Assert.True(budget.TryTake(10, Ms(59_990)));
        Assert.False(budget.TryTake(1, Ms(60_000)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(11.0)]
    public void FractionOutsideItsRangeIsApiMisuse(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetransmissionBudget(fraction));

    [Fact]
    public void HeavyLossRetransmitsNoMoreThanTheBudgetAndCountsTheRest()
    {
        // Half of A's RTP to B is lost, retransmissions included, for 3 s: B keeps asking, A may resend at most a
        // fifth of what it sends.
        PeerSessionOptions ao = PeerSessionTests.Options(31);
        ao.RetransmissionBudgetFraction = 0.2;
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = PeerSessionTests.Connect(ao, PeerSessionTests.Options(32));
        int rtp = 0;
        net.Drop = (from, to, data) => from == a.Address && data.Length >= 12 && (data[0] & 0xC0) == 0x80 && data[1] is < 192 or > 223 && ++rtp % 2 == 0;
        net.Delay = TimeSpan.FromMilliseconds(10);
        net.RunFor(TimeSpan.FromSeconds(3), PeerSessionTests.Talk(a.Session));

        RtcOutboundRtpStreamStats oa = a.Session.GetStats(net.Now).Get<RtcOutboundRtpStreamStats>()!;
        Assert.True(oa.NackCount > 50, $"{oa.NackCount} NACKs");
        Assert.True(oa.RetransmissionsDropped > 0, "nothing was refused");
        Assert.True(oa.RetransmittedPacketsSent > 0, "nothing was resent");

        // Every packet of Talk has the same size, so the byte budget is a packet budget: over the whole call no more
        // than a fifth of the packets sent were resent (each one-second window holds a fifth of its own).
        Assert.True(oa.RetransmittedPacketsSent <= 0.2 * oa.PacketsSent, $"{oa.RetransmittedPacketsSent} packets resent against {oa.PacketsSent} sent");
        Assert.True(oa.RetransmittedPacketsSent >= 0.15 * oa.PacketsSent, $"only {oa.RetransmittedPacketsSent} packets resent against {oa.PacketsSent} sent: the budget was not used");
    }

    [Fact]
    public void ASharedBudgetBoundsWhatSessionsRetransmitTogether()
    {
        var shared = new RetransmissionBudget(0.05);
        PeerSessionOptions ao = PeerSessionTests.Options(33);
        ao.SharedRetransmissionBudget = shared;
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = PeerSessionTests.Connect(ao, PeerSessionTests.Options(34));
        int rtp = 0;
        net.Drop = (from, to, data) => from == a.Address && data.Length >= 12 && (data[0] & 0xC0) == 0x80 && data[1] is < 192 or > 223 && ++rtp % 4 == 0;
        net.Delay = TimeSpan.FromMilliseconds(10);
        net.RunFor(TimeSpan.FromSeconds(3), PeerSessionTests.Talk(a.Session));

        RtcOutboundRtpStreamStats oa = a.Session.GetStats(net.Now).Get<RtcOutboundRtpStreamStats>()!;
        Assert.True(shared.Dropped > 0);
        Assert.Equal(shared.Dropped, oa.RetransmissionsDropped);
        Assert.True(oa.RetransmittedPacketsSent <= 0.05 * oa.PacketsSent, $"{oa.RetransmittedPacketsSent} packets resent against {oa.PacketsSent} sent");
    }
    [Fact]
    public void ALostPacketIsAskedForAndRefusedAtMostTenTimes()
    {
        // A host at full load refuses every retransmission. Five packets are lost: the receiver asks for each at most
        // RemoteStream.NackMaxTries times, so no more than 50 requests can be refused, however long the call goes on.
        var shared = new RetransmissionBudget(1) { Fraction = 0 };
        PeerSessionOptions ao = PeerSessionTests.Options(35);
        ao.SharedRetransmissionBudget = shared;
        (VirtualNetwork net, VirtualNetwork.Node a, VirtualNetwork.Node b) = PeerSessionTests.Connect(ao, PeerSessionTests.Options(36));
        int rtp = 0;
        net.Drop = (from, to, data) => from == a.Address && data.Length >= 12 && (data[0] & 0xC0) == 0x80 && data[1] is < 192 or > 223 && ++rtp % 20 == 0 && rtp <= 100;
        net.Delay = TimeSpan.FromMilliseconds(10);
        net.RunFor(TimeSpan.FromSeconds(5), PeerSessionTests.Talk(a.Session));

        RtcOutboundRtpStreamStats oa = a.Session.GetStats(net.Now).Get<RtcOutboundRtpStreamStats>()!;
        Assert.Equal(0, oa.RetransmittedPacketsSent);
        Assert.InRange(oa.RetransmissionsDropped, 5, 5 * RemoteStream.NackMaxTries);
    }
}
