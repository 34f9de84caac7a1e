using RtcStack.Congestion.Feedback;
using RtcStack.Rtp.Rtcp;
using Xunit;

namespace RtcStack.Congestion.Tests;

/// <summary>RFC 8888 feedback: receiver writes real CCFB bytes, sender turns them into per-packet results.</summary>
public class CcfbFeedbackTests
{
    [Fact]
    public void ReportRoundTripsArrivalsLossesAndTransportSequenceNumbers()
    {
        var builder = new CcfbFeedbackBuilder(0x5678, TimeSpan.FromMilliseconds(50));
        // RTP sequence numbers wrap inside the report; 0 is lost.
        builder.OnPacket(0x1111, 65534, TimeSpan.FromTicks(10_000_000)); // 1.000 s
        builder.OnPacket(0x1111, 65535, TimeSpan.FromTicks(10_100_000)); // 1.010 s
        builder.OnPacket(0x1111, 1, TimeSpan.FromTicks(10_305_000), CcfbEcn.Ce); // 1.0305 s
        Assert.Equal(TimeSpan.FromMilliseconds(1050), builder.PollTimeout());
        var buf = new byte[1500];
        Assert.False(builder.TryBuild(TimeSpan.FromMilliseconds(1049), buf, out _));
        Assert.True(builder.TryBuild(TimeSpan.FromMilliseconds(1050), buf, out int len));
        // Header 4 + sender SSRC 4 + block (SSRC 4, begin/count 4, 4 metrics × 2) + RTS 4.
        Assert.Equal(28, len);

        Assert.True(RtcpPacket.TryParse(buf.AsSpan(0, len), out RtcpPacket p));
        Assert.True(CongestionControlFeedback.TryParse(p, out CongestionControlFeedback ccfb));
        // RTS = ceil(1.05 · 65536) = ceil(68812.8) = 68813 (compact NTP, 16.16).
        Assert.Equal(68813u, ccfb.ReportTimestamp);
        var reports = new List<CcfbPacketReport>();
        foreach (CcfbPacketReport r in ccfb.EnumeratePackets())
        {
            reports.Add(r);
        }
        Assert.Equal([65534, 65535, 0, 1], reports.Select(r => (int)r.SequenceNumber));
        Assert.False(reports[2].Metric.Received);
        // RTS as time = 68813/65536 s = 10 500 030.5 → 10 500 031 ticks. ATO = floor((RTS − arrival) · 1024):
        // (10 500 031 − 10 000 000) · 1024 / 10^7 = 51.20 → 51; (… − 10 100 000) → 40.96 → 40; (… − 10 305 000) → 19.97 → 19.
        Assert.Equal([(ushort)51, (ushort)40, (ushort)0, (ushort)19], reports.Select(r => r.Metric.ArrivalTimeOffset));
        Assert.Equal(CcfbEcn.Ce, reports[3].Metric.Ecn);

        var adapter = new CcfbFeedbackAdapter();
        adapter.OnPacketSent(0x1111, 65534, 100);
        adapter.OnPacketSent(0x1111, 65535, 101);
        adapter.OnPacketSent(0x2222, 7, 102); // another stream, sent in between
        adapter.OnPacketSent(0x1111, 0, 103);
        adapter.OnPacketSent(0x1111, 1, 104);
        Assert.True(adapter.TryConvert(buf.AsSpan(0, len), out ReadOnlySpan<PacketFeedback> fb));
        // Arrival = RTS − ATO: 10 500 031 − 51·10^7/1024 (498 046) = 10 001 985; − 390 625 = 10 109 406; − 185 546 = 10 314 485.
        Assert.Equal(
            [
                PacketFeedback.Arrived(100, TimeSpan.FromTicks(10_001_985)),
                PacketFeedback.Arrived(101, TimeSpan.FromTicks(10_109_406)),
                PacketFeedback.Lost(103),
                new PacketFeedback(104, TimeSpan.FromTicks(10_314_485), true, true),
            ],
            fb.ToArray());
    }

    [Fact]
    public void APacketArrivingAtTheReportInstantIsReportedWithOffsetZero()
    {
        // 1.002 s · 65536 = 65667.072: rounded to the nearest unit, the report time (65667 / 65536 s = 1.0019989 s) would
        // fall before the second packet's arrival, and its offset would be "unavailable" (RFC 8888 §3.1: 0x1FFF when the
        // arrival is after the report timestamp), a received packet the sender can do nothing with.
        var builder = new CcfbFeedbackBuilder(0x5678, TimeSpan.FromMilliseconds(50));
        builder.OnPacket(0x1111, 10, TimeSpan.FromMilliseconds(952));
        builder.OnPacket(0x1111, 11, TimeSpan.FromMilliseconds(1002));
        var buf = new byte[1500];
        Assert.True(builder.TryBuild(TimeSpan.FromMilliseconds(1002), buf, out int len));
        Assert.True(RtcpPacket.TryParse(buf.AsSpan(0, len), out RtcpPacket p));
        Assert.True(CongestionControlFeedback.TryParse(p, out CongestionControlFeedback ccfb));
        Assert.Equal(65668u, ccfb.ReportTimestamp);
        var reports = new List<CcfbPacketReport>();
        foreach (CcfbPacketReport r in ccfb.EnumeratePackets())
        {
            reports.Add(r);
        }

        Assert.Equal([10, 11], reports.Select(r => (int)r.SequenceNumber));
        Assert.All(reports, r => Assert.True(r.Metric.TryGetArrivalOffset(out _)));
        Assert.Equal(0, reports[1].Metric.ArrivalTimeOffset);

        var adapter = new CcfbFeedbackAdapter();
        adapter.OnPacketSent(0x1111, 10, 1);
        adapter.OnPacketSent(0x1111, 11, 2);
        Assert.True(adapter.TryConvert(buf.AsSpan(0, len), out ReadOnlySpan<PacketFeedback> fb));
        Assert.Equal(2, fb.Length);
        Assert.All(fb.ToArray(), f => Assert.True(f.Received));
    }

    [Fact]
    public void ReportsOnlyNewPacketsAndUnwrapsTheReportTimestamp()
    {
        var builder = new CcfbFeedbackBuilder(1, TimeSpan.FromMilliseconds(100));
        var adapter = new CcfbFeedbackAdapter();
        var buf = new byte[1500];
        // Start just before compact NTP wraps (65536 s).
        TimeSpan t0 = TimeSpan.FromSeconds(65535.9);
        for (int i = 0; i < 4; i++)
        {
            adapter.OnPacketSent(9, (ushort)i, i);
            builder.OnPacket(9, (ushort)i, t0 + TimeSpan.FromMilliseconds(10 * i));
        }
        Assert.True(builder.TryBuild(t0 + TimeSpan.FromMilliseconds(100), buf, out int len));
        Assert.True(adapter.TryConvert(buf.AsSpan(0, len), out ReadOnlySpan<PacketFeedback> first));
        Assert.Equal(4, first.Length);
        TimeSpan firstArrival = first[0].ArrivalTime;
        for (int i = 4; i < 6; i++)
        {
            adapter.OnPacketSent(9, (ushort)i, i);
            builder.OnPacket(9, (ushort)i, t0 + TimeSpan.FromMilliseconds(10 * i + 100));
        }
        Assert.True(builder.TryBuild(t0 + TimeSpan.FromMilliseconds(200), buf, out len));
        Assert.True(adapter.TryConvert(buf.AsSpan(0, len), out ReadOnlySpan<PacketFeedback> second));
        Assert.Equal([4L, 5L], second.ToArray().Select(f => f.TransportSequenceNumber));
        // The report timestamp wrapped between the reports; arrival times stay continuous (140 ms after packet 0).
        Assert.InRange((second[0].ArrivalTime - firstArrival).TotalMilliseconds, 139, 141);
        Assert.False(builder.TryBuild(t0 + TimeSpan.FromMilliseconds(300), buf, out _));
    }

    [Fact]
    public void RejectsOtherRtcpAndUnknownStreams()
    {
        var adapter = new CcfbFeedbackAdapter();
        Assert.False(adapter.TryConvert([0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1], out ReadOnlySpan<PacketFeedback> none));
        Assert.True(none.IsEmpty);
        var builder = new CcfbFeedbackBuilder(1, TimeSpan.FromMilliseconds(10));
        builder.OnPacket(42, 1, TimeSpan.FromSeconds(1));
        var buf = new byte[100];
        Assert.True(builder.TryBuild(TimeSpan.FromSeconds(2), buf, out int len));
        Assert.True(adapter.TryConvert(buf.AsSpan(0, len), out ReadOnlySpan<PacketFeedback> fb));
        Assert.True(fb.IsEmpty); // never sent by this sender
    }
}
