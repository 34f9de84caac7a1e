using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Rtp.Rtcp;
using RtcStack.TestSupport;
using Xunit;
using static RtcStack.Rtp.Tests.RtcpTestHelpers;

namespace RtcStack.Rtp.Tests;

public class RtcpReportTests
{
    // SR (RFC 3550 §6.4.1) with one report block, fields chosen to exercise every bit position.
    private const string SenderReportHex =
        "81C8000C" + "11223344" +
        "E8A5F2C1" + "80000000" + "00BB8000" + "0000012C" + "00004E20" +
        "55667788" + "19" + "FFFFFE" + "0001FFFF" + "00000123" + "F2C18000" + "00018000";

    [Fact]
    public void ParsesSenderReport()
    {
        byte[] data = Hex(SenderReportHex);
        Assert.True(RtcpCompoundReader.TryParse(data, out RtcpCompoundReader compound));
        Assert.Equal(1, compound.PacketCount);
        Assert.True(compound.IsFullCompound);
        RtcpPacket packet = Single(data);
        Assert.Equal(RtcpPacketType.SenderReport, packet.PacketType);
        Assert.True(RtcpSenderReport.TryParse(packet, out RtcpSenderReport sr));
        Assert.Equal(0x11223344u, sr.Ssrc);
        Assert.Equal(0xE8A5F2C1u, sr.SenderInfo.NtpTimestamp.Seconds);
        Assert.Equal(0x80000000u, sr.SenderInfo.NtpTimestamp.Fraction);
        Assert.Equal(0x00BB8000u, sr.SenderInfo.RtpTimestamp);
        Assert.Equal(300u, sr.SenderInfo.PacketCount);
        Assert.Equal(20000u, sr.SenderInfo.OctetCount);
        Assert.Equal(1, sr.ReportCount);
        RtcpReportBlock block = sr.GetReportBlock(0);
        Assert.Equal(0x55667788u, block.Ssrc);
        Assert.Equal(0x19, block.FractionLost);
        Assert.Equal(-2, block.CumulativeLost);
        Assert.Equal(0x0001FFFFu, block.ExtendedHighestSequenceNumber);
        Assert.Equal(0x123u, block.Jitter);
        Assert.Equal(0xF2C18000u, block.LastSenderReport);
        Assert.Equal(0x18000u, block.DelaySinceLastSenderReport);
        Assert.True(sr.ProfileExtension.IsEmpty);

        byte[] written = new byte[100];
        Assert.True(RtcpSenderReport.TryWrite(written, sr.Ssrc, sr.SenderInfo, [block], out int n));
        Assert.Equal(data, written[..n]);
    }

    [Fact]
    public void RoundTripTimeFromReportBlock()
    {
        // RFC 3550 §6.4.1 example: A = 0xb710:8000 (46864.5 s), LSR = 0xb705:2000 (46853.125 s),
        // DLSR = 0x0005:4000 (5.25 s) → RTT = 6.125 s.
        Assert.True(RoundTripTime.TryCompute(0xB7108000, 0xB7052000, 0x00054000, out TimeSpan rtt));
        Assert.Equal(TimeSpan.FromSeconds(6.125), rtt);
        Assert.False(RoundTripTime.TryCompute(0xB7108000, 0, 0, out _));
    }

    [Fact]
    public void EmptyReceiverReportAndCompoundWithSdes()
    {
        byte[] buffer = new byte[200];
        var writer = new RtcpCompoundWriter(buffer);
        Assert.True(writer.TryAddReceiverReport(0xAABBCCDD, []));
        Assert.True(writer.TryAddCname(0xAABBCCDD, "9wR9xkI1JNX3+WYf"u8));
        Assert.Equal("80C90001AABBCCDD" + "81CA0006AABBCCDD" + "0110" + Convert.ToHexString("9wR9xkI1JNX3+WYf"u8) + "0000", Convert.ToHexString(writer.Written));
        Assert.True(RtcpCompoundReader.TryParse(writer.Written, out RtcpCompoundReader compound));
        Assert.True(compound.IsFullCompound);
        int i = 0;
        foreach (RtcpPacket packet in compound)
        {
            if (i++ == 0)
            {
                Assert.True(RtcpReceiverReport.TryParse(packet, out RtcpReceiverReport rr));
                Assert.Equal(0, rr.ReportCount);
            }
            else
            {
                Assert.True(RtcpSourceDescription.TryParse(packet, out RtcpSourceDescription sdes));
                Assert.True(sdes.TryGetCname(0xAABBCCDD, out ReadOnlySpan<byte> cname));
                Assert.Equal("9wR9xkI1JNX3+WYf", System.Text.Encoding.ASCII.GetString(cname));
            }
        }
    }

    [Fact]
    public void ReducedSizeIsNotAFullCompound()
    {
        byte[] buffer = new byte[64];
        Assert.True(RtcpPictureLossIndication.TryWrite(buffer, 1, 2, out int n));
        Assert.True(RtcpCompoundReader.TryParse(buffer.AsSpan(0, n), out RtcpCompoundReader compound));
        Assert.False(compound.IsFullCompound);
    }

    [Fact]
    public void PaddingOnlyAllowedOnLastPacketOfFullCompound()
    {
        // RR with P set (4 padding bytes) followed by an empty RR.
        byte[] padded = Hex("A1C90002 00000001 00000004" + "81C90001 00000002");
        Assert.True(RtcpCompoundReader.TryParse(padded, out RtcpCompoundReader compound));
        Assert.False(compound.IsFullCompound);
        byte[] lastPadded = Hex("81C90001 00000002" + "A1C90002 00000001 00000004");
        Assert.True(RtcpCompoundReader.TryParse(lastPadded, out compound));
        Assert.True(compound.IsFullCompound);
    }

    [Theory]
    [InlineData("")]
    [InlineData("81C9")] // truncated header
    [InlineData("81C90002 00000001")] // length says 12 bytes, 8 present
    [InlineData("81C9FFFF 00000001")] // length overruns
    [InlineData("41C90001 00000001")] // version 1
    [InlineData("A1C90001 00000000")] // padding count 0
    [InlineData("A1C90001 00000009")] // padding beyond the packet body
    [InlineData("81C90001 00000001 00")] // trailing garbage after the last packet
    public void RejectsBrokenCompoundFraming(string hex)
    {
        Assert.False(RtcpCompoundReader.TryParse(Hex(hex), out _));
    }

    [Theory]
    [InlineData("81C90001 00000001")] // RR with RC=1 but no block
    [InlineData("82C80006 00000001 00000000 00000000 00000000 00000000 00000000")] // SR with RC=2, no blocks
    [InlineData("80C80001 00000001")] // SR without sender info
    public void RejectsReportsShorterThanTheirCount(string hex)
    {
        RtcpPacket packet = Single(Hex(hex));
        Assert.False(RtcpSenderReport.TryParse(packet, out _));
        Assert.False(RtcpReceiverReport.TryParse(packet, out _));
    }

    private static Arbitrary<RtcpReportBlock> ReportBlocks() =>
        (from ssrc in FullRangeArbitraries.Map.GeneratorFor<uint>()
         from fraction in FullRangeArbitraries.Map.GeneratorFor<byte>()
         from lost in Gen.Choose(RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost)
         from seq in FullRangeArbitraries.Map.GeneratorFor<uint>()
         from jitter in FullRangeArbitraries.Map.GeneratorFor<uint>()
         from lsr in FullRangeArbitraries.Map.GeneratorFor<uint>()
         from dlsr in FullRangeArbitraries.Map.GeneratorFor<uint>()
         select new RtcpReportBlock(ssrc, fraction, lost, seq, jitter, lsr, dlsr)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property SenderAndReceiverReportsRoundTrip() =>
        Prop.ForAll(
            ReportBlocks().Generator.ArrayOf().Select(a => a.Length > 31 ? a[..31] : a).ToArbitrary(),
            FullRangeArbitraries.Map.ArbFor<(uint, ulong, uint, uint, uint)>(),
            (blocks, f) =>
            {
                (uint ssrc, ulong ntp, uint rtp, uint packets, uint octets) = f;
                var info = new RtcpSenderInfo(new NtpTimestamp(ntp), rtp, packets, octets);
                byte[] buffer = new byte[RtcpSenderReport.GetLength(blocks.Length)];
                Assert.True(RtcpSenderReport.TryWrite(buffer, ssrc, info, blocks, out int n));
                Assert.True(RtcpSenderReport.TryParse(Single(buffer.AsSpan(0, n)), out RtcpSenderReport sr));
                Assert.Equal(ssrc, sr.Ssrc);
                Assert.Equal(info, sr.SenderInfo);
                Assert.Equal(blocks.Length, sr.ReportCount);
                for (int i = 0; i < blocks.Length; i++)
                {
                    Assert.Equal(blocks[i], sr.GetReportBlock(i));
                }

                byte[] rrBuffer = new byte[RtcpReceiverReport.GetLength(blocks.Length)];
                Assert.True(RtcpReceiverReport.TryWrite(rrBuffer, ssrc, blocks, out n));
                Assert.True(RtcpReceiverReport.TryParse(Single(rrBuffer.AsSpan(0, n)), out RtcpReceiverReport rr));
                for (int i = 0; i < blocks.Length; i++)
                {
                    Assert.Equal(blocks[i], rr.GetReportBlock(i));
                }
            });
}
