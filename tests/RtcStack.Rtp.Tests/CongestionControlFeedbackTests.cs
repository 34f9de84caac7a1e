using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Rtp.Rtcp;
using RtcStack.TestSupport;
using Xunit;
using static RtcStack.Rtp.Tests.RtcpTestHelpers;

namespace RtcStack.Rtp.Tests;

public class CongestionControlFeedbackTests
{
    [Fact]
    public void WritesAndReadsTheRfc8888Layout()
    {
        // Stream A: seq 100 received 0.5 s before RTS with ECT(0), 101 lost, 102 received with CE 1/1024 s before.
        // Stream B: seq 7 received, ATO unavailable. Odd report counts are padded to 32 bits.
        CcfbPacketMetric[] a = [new(true, CcfbEcn.Ect0, 512), CcfbPacketMetric.Lost, new(true, CcfbEcn.Ce, 1)];
        CcfbPacketMetric[] b = [new(true, CcfbEcn.NotEct, CcfbPacketMetric.AtoUnavailable)];
        byte[] buffer = new byte[128];
        var writer = new CongestionControlFeedbackWriter(buffer, 0x01020304);
        Assert.True(writer.TryAddReportBlock(0xAAAAAAAA, 100, a));
        Assert.True(writer.TryAddReportBlock(0xBBBBBBBB, 7, b));
        Assert.True(writer.TryFinish(0x12345678, out int n));
        Assert.Equal(
            "8BCD0009" + "01020304" +
            "AAAAAAAA" + "0064" + "0003" + "C200" + "0000" + "E001" + "0000" +
            "BBBBBBBB" + "0007" + "0001" + "9FFF" + "0000" +
            "12345678",
            Convert.ToHexString(buffer, 0, n));

        Assert.True(CongestionControlFeedback.TryParse(Single(buffer.AsSpan(0, n)), out CongestionControlFeedback fb));
        Assert.Equal(0x01020304u, fb.SenderSsrc);
        Assert.Equal(0x12345678u, fb.ReportTimestamp);
        Assert.Equal(2, fb.BlockCount);
        var packets = new List<CcfbPacketReport>();
        foreach (CcfbPacketReport p in fb.EnumeratePackets())
        {
            packets.Add(p);
        }

        Assert.Equal(4, packets.Count);
        Assert.Equal(new CcfbPacketReport(0xAAAAAAAA, 100, a[0]), packets[0]);
        Assert.False(packets[1].Metric.Received);
        Assert.Equal(101, packets[1].SequenceNumber);
        Assert.True(packets[0].Metric.TryGetArrivalOffset(out TimeSpan offset));
        Assert.Equal(TimeSpan.FromMilliseconds(500), offset);
        Assert.False(packets[3].Metric.TryGetArrivalOffset(out _));
    }

    [Fact]
    public void ArrivalTimeOffsetRules()
    {
        // RFC 8888 §3.1: arrival after RTS → 0x1FFF; beyond 0x1FFD/1024 s → 0x1FFE; else 1/1024 s units.
        TimeSpan rts = TimeSpan.FromSeconds(100);
        Assert.Equal(CcfbPacketMetric.AtoUnavailable, CcfbPacketMetric.FromArrival(rts + TimeSpan.FromTicks(1), rts).ArrivalTimeOffset);
        Assert.Equal(CcfbPacketMetric.AtoOverRange, CcfbPacketMetric.FromArrival(rts - TimeSpan.FromSeconds(9), rts).ArrivalTimeOffset);
        Assert.Equal(0x1FFD, CcfbPacketMetric.FromArrival(rts - TimeSpan.FromTicks(79_970_704), rts).ArrivalTimeOffset);
        Assert.Equal(0, CcfbPacketMetric.FromArrival(rts, rts).ArrivalTimeOffset);
        Assert.Equal(1024, CcfbPacketMetric.FromArrival(rts - TimeSpan.FromSeconds(1), rts, CcfbEcn.Ect1).ArrivalTimeOffset);
    }

    [Fact]
    public void EmptyReportHasOnlySenderAndTimestamp()
    {
        byte[] buffer = new byte[16];
        var writer = new CongestionControlFeedbackWriter(buffer, 9);
        Assert.True(writer.TryFinish(1, out int n));
        Assert.Equal(12, n);
        Assert.True(CongestionControlFeedback.TryParse(Single(buffer.AsSpan(0, n)), out CongestionControlFeedback fb));
        Assert.Equal(0, fb.BlockCount);
    }

    [Theory]
    [InlineData("8BCD0001 00000001")] // no report timestamp
    [InlineData("8BCD0003 00000001 AAAAAAAA 12345678")] // block header cut short
    [InlineData("8BCD0004 00000001 AAAAAAAA 00000003 12345678")] // 3 reports announced, none present
    [InlineData("8BCD0006 00000001 AAAAAAAA 00000001 80000000 00000000 12345678")] // leftover word
    public void RejectsMalformedReports(string hex)
    {
        Assert.False(CongestionControlFeedback.TryParse(Single(Hex(hex)), out _));
    }

    private static Arbitrary<CcfbPacketMetric> Metrics() =>
        Gen.OneOf(
                Gen.Constant(CcfbPacketMetric.Lost),
                from ecn in Gen.Choose(0, 3)
                from ato in Gen.Choose(0, 0x1FFF)
                select new CcfbPacketMetric(true, (CcfbEcn)ecn, (ushort)ato))
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property RoundTripsRandomReports() =>
        Prop.ForAll(
            Gen.Zip(FullRangeArbitraries.Map.GeneratorFor<(uint, ushort)>(), Metrics().Generator.ArrayOf()).ArrayOf().ToArbitrary(),
            FullRangeArbitraries.Map.ArbFor<(uint, uint)>(),
            (streams, header) =>
            {
                byte[] buffer = new byte[16 + (streams.Length * 8) + 2 * streams.Sum(s => s.Item2.Length + 1)];
                var writer = new CongestionControlFeedbackWriter(buffer, header.Item1);
                foreach (((uint ssrc, ushort begin), CcfbPacketMetric[] metrics) in streams)
                {
                    Assert.True(writer.TryAddReportBlock(ssrc, begin, metrics));
                }

                Assert.True(writer.TryFinish(header.Item2, out int n));
                Assert.True(CongestionControlFeedback.TryParse(Single(buffer.AsSpan(0, n)), out CongestionControlFeedback fb));
                Assert.Equal(header.Item1, fb.SenderSsrc);
                Assert.Equal(header.Item2, fb.ReportTimestamp);
                Assert.Equal(streams.Length, fb.BlockCount);
                int s = 0;
                foreach (CcfbReportBlock block in fb)
                {
                    ((uint ssrc, ushort begin), CcfbPacketMetric[] metrics) = streams[s++];
                    Assert.Equal(ssrc, block.Ssrc);
                    Assert.Equal(begin, block.BeginSequence);
                    Assert.Equal(metrics.Length, block.ReportCount);
                    for (int i = 0; i < metrics.Length; i++)
                    {
                        Assert.Equal(metrics[i], block.GetMetric(i));
                    }
                }

                // Byte-exact: rewriting what was parsed gives the same bytes.
                byte[] again = new byte[buffer.Length];
                var rewriter = new CongestionControlFeedbackWriter(again, fb.SenderSsrc);
                foreach (CcfbReportBlock block in fb)
                {
                    var metrics = new CcfbPacketMetric[block.ReportCount];
                    for (int i = 0; i < metrics.Length; i++)
                    {
                        metrics[i] = block.GetMetric(i);
                    }

                    Assert.True(rewriter.TryAddReportBlock(block.Ssrc, block.BeginSequence, metrics));
                }

                Assert.True(rewriter.TryFinish(fb.ReportTimestamp, out int n2));
                Assert.Equal(buffer.AsSpan(0, n).ToArray(), again.AsSpan(0, n2).ToArray());
            });
}
