using RtcStack.Rtp.Rtcp;
using Xunit;

namespace RtcStack.Rtp.Tests;

public class RtpReceiverStatisticsTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void ProbationNeedsMinSequentialPackets()
    {
        // RFC 3550 A.1: with MIN_SEQUENTIAL = 2 the first packet is not yet valid; the second is,
        // and counting starts there.
        var stats = new RtpReceiverStatistics(1, 48000);
        Assert.False(stats.ReceivePacket(100, 0, Ms(0)));
        Assert.False(stats.IsValid);
        Assert.True(stats.ReceivePacket(101, 960, Ms(20)));
        Assert.True(stats.IsValid);
        Assert.Equal(1, stats.PacketsReceived);
        Assert.Equal(101, stats.BaseSequenceNumber);
        Assert.Equal(2, stats.PacketsSeen);
    }

    [Fact]
    public void ProbationRestartsOnAGap()
    {
        var stats = new RtpReceiverStatistics(1, 48000, minSequential: 3);
        Assert.False(stats.ReceivePacket(10, 0, Ms(0)));
        Assert.False(stats.ReceivePacket(11, 0, Ms(0)));
        Assert.False(stats.ReceivePacket(20, 0, Ms(0))); // out of sequence: probation restarts
        Assert.False(stats.ReceivePacket(21, 0, Ms(0)));
        Assert.True(stats.ReceivePacket(22, 0, Ms(0)));
        Assert.Equal(22, stats.BaseSequenceNumber);
    }

    [Fact]
    public void CountsLossDuplicatesReorderingAndGaps()
    {
        var stats = new RtpReceiverStatistics(1, 48000, minSequential: 1);
        ushort[] order = [1, 2, 3, 5, 4, 4, 9, 10, 10, 8];
        foreach (ushort seq in order)
        {
            Assert.True(stats.ReceivePacket(seq, seq * 960u, Ms(seq * 20)));
        }

        Assert.Equal(10, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(10, stats.PacketsExpected);
        Assert.Equal(10, stats.PacketsReceived); // duplicates count as received (RFC 3550 A.3)
        Assert.Equal(0, stats.CumulativeLost); // 6 and 7 lost, 2 duplicates
        Assert.Equal(2, stats.Duplicates);
        Assert.Equal(2, stats.OutOfOrder); // 4 after 5, 8 after 10
        Assert.Equal(3, stats.MaxSequenceGap); // 9 after 5: 6, 7, 8 skipped
    }

    [Fact]
    public void ExtendedSequenceNumberCountsCycles()
    {
        var stats = new RtpReceiverStatistics(1, 8000, minSequential: 1);
        stats.ReceivePacket(65534, 0, Ms(0));
        stats.ReceivePacket(65535, 160, Ms(20));
        stats.ReceivePacket(1, 480, Ms(60));
        stats.ReceivePacket(0, 320, Ms(61)); // late packet from across the wrap
        Assert.Equal(65536 + 1, stats.ExtendedHighestSequenceNumber);
        Assert.Equal(4, stats.PacketsExpected);
        Assert.Equal(0, stats.CumulativeLost);
        Assert.Equal(1, stats.OutOfOrder);
        Assert.Equal(0, stats.Duplicates);
        RtcpReportBlock block = stats.CreateReportBlock(Ms(100));
        Assert.Equal(0x0001_0001u, block.ExtendedHighestSequenceNumber);
    }

    [Fact]
    public void SecondCopyOfALatePacketFromBeforeTheBaseIsADuplicate()
    {
        var stats = new RtpReceiverStatistics(1, 8000, minSequential: 1);
        stats.ReceivePacket(10, 1600, Ms(0));
        stats.ReceivePacket(11, 1760, Ms(20));
        stats.ReceivePacket(9, 1440, Ms(25));  // sent before the first packet counted
        stats.ReceivePacket(9, 1440, Ms(26));  // and again
        Assert.Equal(1, stats.OutOfOrder);
        Assert.Equal(1, stats.Duplicates);
        Assert.Equal(10, stats.BaseSequenceNumber);
        Assert.Equal(4, stats.PacketsReceived);
        Assert.Equal(-2, stats.CumulativeLost); // RFC 3550 A.3: expected 2 (10..11), received 4
    }

    [Fact]
    public void JitterKeepsItsPrecisionWithLargeArrivalTimes()
    {
        // Arrival times counted from the Unix epoch (about 2026): arrival × clock rate then needs
        // more than a double's 53 bits, but the A.8 difference D only needs the arrival difference.
        var stats = new RtpReceiverStatistics(1, 48000, minSequential: 1);
        TimeSpan start = TimeSpan.FromDays(20454) + TimeSpan.FromTicks(1_234_567);
        stats.ReceivePacket(1, 0, start);
        stats.ReceivePacket(2, 960, start + Ms(21)); // 1008 units after the first: D = 48
        Assert.Equal(3, stats.Jitter, 9);
    }

    [Fact]
    public void LargeJumpNeedsTwoSequentialPacketsToResync()
    {
        var stats = new RtpReceiverStatistics(1, 8000, minSequential: 1);
        stats.ReceivePacket(100, 0, Ms(0));
        stats.ReceivePacket(101, 0, Ms(0));
        Assert.False(stats.ReceivePacket(40000, 0, Ms(0))); // beyond MAX_DROPOUT: suspicious
        Assert.True(stats.ReceivePacket(40001, 0, Ms(0))); // sequential: the source restarted
        Assert.Equal(1, stats.Resyncs);
        Assert.Equal(40001, stats.BaseSequenceNumber);
        Assert.Equal(1, stats.PacketsReceived);
    }

    [Fact]
    public void JitterFollowsAppendixA8()
    {
        // Timestamps 20 ms apart at 48 kHz; arrivals at 0, 20 and 45 ms.
        // D1 = 0 → J = 0; D2 = 25 ms − 20 ms = 240 units → J = 240 / 16 = 15.
        var stats = new RtpReceiverStatistics(1, 48000, minSequential: 1);
        stats.ReceivePacket(1, 1000, Ms(0));
        stats.ReceivePacket(2, 1960, Ms(20));
        Assert.Equal(0, stats.Jitter);
        stats.ReceivePacket(3, 2920, Ms(45));
        Assert.Equal(15, stats.Jitter, 9);
        Assert.Equal(15, stats.MaxJitter, 9);
        Assert.Equal(7.5, stats.MeanJitter, 9);
        Assert.Equal(TimeSpan.FromTicks(3125), stats.JitterTime); // 15 / 48000 s
        Assert.Equal(15u, stats.CreateReportBlock(Ms(50)).Jitter);
        InboundRtpStreamStats snapshot = stats.GetStats();
        Assert.Equal(15.0 / 48000, snapshot.Jitter, 12);
        Assert.Equal(3, snapshot.PacketsReceived);
        Assert.Equal(0, snapshot.PacketsLost);
    }

    [Fact]
    public void JitterHandlesTimestampWrap()
    {
        var stats = new RtpReceiverStatistics(1, 8000, minSequential: 1);
        stats.ReceivePacket(1, uint.MaxValue - 79, Ms(0));
        stats.ReceivePacket(2, 80, Ms(20)); // 160 units later across the wrap, on time
        Assert.Equal(0, stats.Jitter, 9);
    }

    [Fact]
    public void FractionLostIsPerInterval()
    {
        // RFC 3550 A.3: fraction = lost_interval × 256 / expected_interval.
        var stats = new RtpReceiverStatistics(7, 8000, minSequential: 1);
        for (ushort seq = 1; seq <= 8; seq++)
        {
            if (seq is not (3 or 4))
            {
                stats.ReceivePacket(seq, 0, Ms(0));
            }
        }

        RtcpReportBlock first = stats.CreateReportBlock(Ms(0));
        Assert.Equal(7u, first.Ssrc);
        Assert.Equal(64, first.FractionLost); // 2 of 8
        Assert.Equal(2, first.CumulativeLost);
        Assert.Equal(0u, first.LastSenderReport);
        Assert.Equal(0u, first.DelaySinceLastSenderReport);

        for (ushort seq = 9; seq <= 12; seq++)
        {
            stats.ReceivePacket(seq, 0, Ms(0));
        }

        RtcpReportBlock second = stats.CreateReportBlock(Ms(0));
        Assert.Equal(0, second.FractionLost);
        Assert.Equal(2, second.CumulativeLost);
    }

    [Fact]
    public void LsrAndDlsrFromTheLastSenderReport()
    {
        var stats = new RtpReceiverStatistics(7, 8000, minSequential: 1);
        stats.ReceivePacket(1, 0, Ms(0));
        stats.OnSenderReport(new NtpTimestamp(0x0000B705, 0x20000000), TimeSpan.FromSeconds(10));
        RtcpReportBlock block = stats.CreateReportBlock(TimeSpan.FromSeconds(15.25));
        Assert.Equal(0xB7052000u, block.LastSenderReport);
        Assert.Equal(0x00054000u, block.DelaySinceLastSenderReport); // 5.25 s
    }

    [Fact]
    public void CumulativeLossIsClampedToTwentyFourBits()
    {
        var stats = new RtpReceiverStatistics(7, 8000, minSequential: 1, maxDropout: 60000);
        stats.ReceivePacket(0, 0, Ms(0));
        for (int i = 0; i < 200; i++)
        {
            stats.ReceivePacket((ushort)((i + 1) * 50000), 0, Ms(0));
        }

        Assert.True(stats.CumulativeLost > RtcpReportBlock.MaxCumulativeLost);
        Assert.Equal(RtcpReportBlock.MaxCumulativeLost, stats.CreateReportBlock(Ms(0)).CumulativeLost);
    }

    [Fact]
    public void LastReportTrackerForXrDlrr()
    {
        var tracker = new LastReportTracker();
        Assert.False(tracker.HasReport);
        Assert.Equal(0u, tracker.Last);
        tracker.OnReportReceived(new NtpTimestamp(0x00010002, 0x80000000), TimeSpan.FromSeconds(1));
        Assert.Equal(0x00028000u, tracker.Last);
        Assert.Equal(0x00008000u, tracker.DelaySinceLast(TimeSpan.FromSeconds(1.5)));
    }
}
