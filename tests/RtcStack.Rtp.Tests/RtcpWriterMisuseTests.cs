using RtcStack.Rtp.Rtcp;
using Xunit;

namespace RtcStack.Rtp.Tests;

/// <summary>Writers refuse what the RFCs forbid a sender to produce (exceptions: API misuse, not input).</summary>
public class RtcpWriterMisuseTests
{
    [Fact]
    public void ReportCountIsAtMostThirtyOne()
    {
        // RFC 3550 §6.4.1: RC is 5 bits.
        var blocks = new RtcpReportBlock[32];
        byte[] buffer = new byte[2048];
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpReceiverReport.TryWrite(buffer, 1, blocks, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpSenderReport.TryWrite(buffer, 1, default, blocks, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpGoodbye.TryWrite(buffer, new uint[32], [], out _));
    }

    [Fact]
    public void CumulativeLostMustFitTwentyFourSignedBits()
    {
        byte[] buffer = new byte[24];
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtcpReportBlock(1, 0, RtcpReportBlock.MaxCumulativeLost + 1, 0, 0, 0, 0).Write(buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtcpReportBlock(1, 0, RtcpReportBlock.MinCumulativeLost - 1, 0, 0, 0, 0).Write(buffer));
    }

    [Fact]
    public void AppDataIsAMultipleOfThirtyTwoBitsAndTheNameFourBytes()
    {
        // RFC 3550 §6.7.
        byte[] buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => RtcpApplicationDefined.TryWrite(buffer, 0, 1, "ABCD"u8, [1, 2, 3], out _));
        Assert.Throws<ArgumentException>(() => RtcpApplicationDefined.TryWrite(buffer, 0, 1, "ABC"u8, [], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpApplicationDefined.TryWrite(buffer, 32, 1, "ABCD"u8, [], out _));
    }

    [Fact]
    public void XrBlockContentsAreAMultipleOfThirtyTwoBits()
    {
        byte[] buffer = new byte[64];
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new RtcpExtendedReportWriter(buffer, 1);
            writer.TryAddBlock(RtcpXrBlockType.StatisticsSummary, 0, [1, 2]);
        });
    }

    [Fact]
    public void RembFieldsInRange()
    {
        byte[] buffer = new byte[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpRemb.TryWrite(buffer, 1, 64, 0, [], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtcpRemb.TryWrite(buffer, 1, 0, 1 << 18, [], out _));
    }

    [Fact]
    public void Rfc8888ReportBlockIsAtMost16384Packets()
    {
        // RFC 8888 §3.1: a report block MUST NOT report on more than 16384 packets.
        byte[] buffer = new byte[40_000];
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var writer = new CongestionControlFeedbackWriter(buffer, 1);
            writer.TryAddReportBlock(2, 0, new CcfbPacketMetric[16385]);
        });
        var ok = new CongestionControlFeedbackWriter(buffer, 1);
        Assert.True(ok.TryAddReportBlock(2, 0, new CcfbPacketMetric[16384]));
    }

    [Fact]
    public void WritersReturnFalseWhenTheBufferIsTooSmall()
    {
        byte[] small = new byte[11];
        Assert.False(RtcpPictureLossIndication.TryWrite(small, 1, 2, out _));
        Assert.False(RtcpReceiverReport.TryWrite(small[..7], 1, [], out _));
        Assert.False(RtcpGenericNack.TryWrite(small, 1, 2, [1], out _));
        Assert.False(RtcpRemb.TryWrite(small, 1, 1000UL, [], out _));
        Assert.False(RtcpGoodbye.TryWrite(small[..7], [1, 2], [], out _));
        Assert.False(RtcpSourceDescriptionWriter.TryWriteCname(small, 1, "cname"u8, out _));
        var compound = new RtcpCompoundWriter(small);
        Assert.False(compound.TryAddPictureLossIndication(1, 2));
        Assert.Equal(0, compound.Length);
    }
}
