using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RtcStack.Rtp.Rtcp;
using Xunit;
using static RtcStack.Rtp.Tests.RtcpTestHelpers;

namespace RtcStack.Rtp.Tests;

public class RtcpPacketTypesTests
{
    [Property(MaxTest = 200)]
    public void SdesRoundTrip(uint[] ssrcs, byte[][] texts)
    {
        ssrcs = (ssrcs ?? [])[..Math.Min(31, ssrcs?.Length ?? 0)];
        texts ??= [];

        // Room for the worst case: every chunk an SSRC, three 255-byte items and a terminator word.
        byte[] buffer = new byte[4 + (ssrcs.Length * (4 + (3 * (2 + 255)) + 4))];
        var writer = new RtcpSourceDescriptionWriter(buffer);
        for (int c = 0; c < ssrcs.Length; c++)
        {
            Assert.True(writer.TryBeginChunk(ssrcs[c]));
            for (int k = 0; k < texts.Length && k < 3; k++)
            {
                byte[] text = texts[(c + k) % texts.Length] ?? [];
                Assert.True(writer.TryAddItem((RtcpSdesItemType)(1 + k), text.Length > 255 ? text[..255] : text));
            }
        }

        Assert.True(writer.TryFinish(out int n));
        Assert.Equal(0, n % 4);
        Assert.True(RtcpSourceDescription.TryParse(Single(buffer.AsSpan(0, n)), out RtcpSourceDescription sdes));
        Assert.Equal(ssrcs.Length, sdes.ChunkCount);
        int chunkIndex = 0;
        foreach (RtcpSdesChunk chunk in sdes)
        {
            Assert.Equal(ssrcs[chunkIndex], chunk.Ssrc);
            int itemIndex = 0;
            foreach (RtcpSdesItem item in chunk)
            {
                byte[] text = texts[(chunkIndex + itemIndex) % texts.Length] ?? [];
                Assert.Equal((RtcpSdesItemType)(1 + itemIndex), item.Type);
                Assert.Equal(text.Length > 255 ? text[..255] : text, item.Text.ToArray());
                itemIndex++;
            }

            Assert.Equal(Math.Min(3, texts.Length), itemIndex);
            chunkIndex++;
        }

        Assert.Equal(ssrcs.Length, chunkIndex);
    }

    [Theory]
    [InlineData("81CA0001 00000001")] // chunk without the null terminator
    [InlineData("81CA0002 00000001 0105 6162")] // item length beyond the chunk
    [InlineData("81CA0002 00000001 01026162")] // item list not terminated by a null octet
    [InlineData("82CA0002 00000001 00000000")] // SC=2, one chunk present
    [InlineData("81CA0002 00000001 00000001")] // padding after the null octet is not zero
    public void RejectsMalformedSdes(string hex)
    {
        Assert.False(RtcpSourceDescription.TryParse(Single(Hex(hex)), out _));
    }

    [Property(MaxTest = 200)]
    public void ByeRoundTrip(uint[] ssrcs, byte[] reason)
    {
        ssrcs = (ssrcs ?? [])[..Math.Min(31, ssrcs?.Length ?? 0)];
        reason = (reason ?? [])[..Math.Min(255, reason?.Length ?? 0)];
        byte[] buffer = new byte[512];
        Assert.True(RtcpGoodbye.TryWrite(buffer, ssrcs, reason, out int n));
        Assert.True(RtcpGoodbye.TryParse(Single(buffer.AsSpan(0, n)), out RtcpGoodbye bye));
        Assert.Equal(ssrcs.Length, bye.SourceCount);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            Assert.Equal(ssrcs[i], bye.GetSsrc(i));
        }

        Assert.Equal(reason, bye.Reason.ToArray());
    }

    [Theory]
    [InlineData("82CB0001 00000001")] // SC=2, one SSRC
    [InlineData("81CB0002 00000001 09616263")] // reason length 9, 3 bytes present
    public void RejectsMalformedBye(string hex)
    {
        Assert.False(RtcpGoodbye.TryParse(Single(Hex(hex)), out _));
    }

    [Property(MaxTest = 200)]
    public void AppRoundTrip(byte subtype, uint ssrc, uint name, byte[] data)
    {
        subtype &= 31;
        data = (data ?? [])[..((data?.Length ?? 0) & ~3)];
        byte[] nameBytes = BitConverter.GetBytes(name);
        byte[] buffer = new byte[12 + data.Length];
        Assert.True(RtcpApplicationDefined.TryWrite(buffer, subtype, ssrc, nameBytes, data, out int n));
        Assert.True(RtcpApplicationDefined.TryParse(Single(buffer.AsSpan(0, n)), out RtcpApplicationDefined app));
        Assert.Equal(subtype, app.Subtype);
        Assert.Equal(ssrc, app.Ssrc);
        Assert.Equal(nameBytes, app.Name.ToArray());
        Assert.Equal(data, app.ApplicationData.ToArray());
    }

    [Property(MaxTest = 200)]
    public void ExtendedReportRoundTrip(uint ssrc, ulong ntp, (uint, uint, uint)[] dlrr)
    {
        dlrr ??= [];
        RtcpDlrrSubBlock[] subBlocks = Array.ConvertAll(dlrr, d => new RtcpDlrrSubBlock(d.Item1, d.Item2, d.Item3));
        byte[] buffer = new byte[8 + 12 + 4 + (subBlocks.Length * 12)];
        var writer = new RtcpExtendedReportWriter(buffer, ssrc);
        Assert.True(writer.TryAddReceiverReferenceTime(new NtpTimestamp(ntp)));
        Assert.True(writer.TryAddDlrr(subBlocks));
        Assert.True(writer.TryFinish(out int n));
        Assert.Equal(buffer.Length, n);
        Assert.True(RtcpExtendedReport.TryParse(Single(buffer), out RtcpExtendedReport xr));
        Assert.Equal(ssrc, xr.Ssrc);
        int blocks = 0;
        foreach (RtcpXrBlock block in xr)
        {
            if (blocks++ == 0)
            {
                Assert.True(block.TryGetReceiverReferenceTime(out NtpTimestamp rrtr));
                Assert.Equal(ntp, rrtr.Value);
            }
            else
            {
                Assert.Equal(RtcpXrBlockType.Dlrr, block.BlockType);
                Assert.Equal(subBlocks.Length, block.DlrrCount);
                for (int i = 0; i < subBlocks.Length; i++)
                {
                    Assert.Equal(subBlocks[i], block.GetDlrr(i));
                }
            }
        }

        Assert.Equal(2, blocks);
    }

    [Theory]
    [InlineData("80CF0002 00000001 04000002")] // block length 2 words, none present
    [InlineData("A0CF0002 00000001 0400 0002")] // block header cut by the RTCP padding
    public void RejectsMalformedXr(string hex)
    {
        Assert.False(RtcpExtendedReport.TryParse(Single(Hex(hex)), out _));
    }

    [Fact]
    public void NackFromSequenceNumbersAndBack()
    {
        ushort[] lost = [65530, 65531, 65535, 0, 9, 10, 100];
        byte[] buffer = new byte[64];
        Assert.True(RtcpGenericNack.TryWrite(buffer, 1, 2, lost, out int n));

        // 65530 covers up to 65530+16 = 10 (mod 2^16): 65531, 65535, 0, 9, 10. Then 100 alone.
        Assert.Equal("81CD0004" + "00000001" + "00000002" + "FFFA" + "C031" + "0064" + "0000",
            Convert.ToHexString(buffer, 0, n));
        Assert.True(RtcpGenericNack.TryParse(Single(buffer.AsSpan(0, n)), out RtcpGenericNack nack));
        var got = new List<ushort>();
        foreach (ushort seq in nack)
        {
            got.Add(seq);
        }

        Assert.Equal(lost, got);
    }

    [Property(MaxTest = 300)]
    public void NackRoundTrip(uint sender, uint media, (ushort, ushort)[] pairs)
    {
        pairs = (pairs ?? [])[..Math.Min(100, pairs?.Length ?? 0)];
        if (pairs.Length == 0)
        {
            return;
        }

        RtcpNackPair[] expected = Array.ConvertAll(pairs, p => new RtcpNackPair(p.Item1, p.Item2));
        byte[] buffer = new byte[12 + (4 * expected.Length)];
        Assert.True(RtcpGenericNack.TryWrite(buffer, sender, media, expected, out int n));
        Assert.True(RtcpGenericNack.TryParse(Single(buffer.AsSpan(0, n)), out RtcpGenericNack nack));
        Assert.Equal(sender, nack.SenderSsrc);
        Assert.Equal(media, nack.MediaSsrc);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], nack.GetPair(i));
        }
    }

    [Property(MaxTest = 200)]
    public void PliAndFirRoundTrip(uint sender, uint media, (uint, byte)[] entries)
    {
        byte[] buffer = new byte[12 + (8 * (entries?.Length ?? 0))];
        Assert.True(RtcpPictureLossIndication.TryWrite(buffer, sender, media, out int n));
        Assert.Equal(12, n);
        Assert.True(RtcpPictureLossIndication.TryParse(Single(buffer.AsSpan(0, n)), out RtcpPictureLossIndication pli));
        Assert.Equal(sender, pli.SenderSsrc);
        Assert.Equal(media, pli.MediaSsrc);

        if (entries is null || entries.Length == 0)
        {
            return;
        }

        RtcpFirEntry[] fir = Array.ConvertAll(entries, e => new RtcpFirEntry(e.Item1, e.Item2));
        Assert.True(RtcpFullIntraRequest.TryWrite(buffer, sender, fir, out n));
        Assert.True(RtcpFullIntraRequest.TryParse(Single(buffer.AsSpan(0, n)), out RtcpFullIntraRequest parsed));
        Assert.Equal(0u, parsed.MediaSsrc);
        Assert.Equal(fir.Length, parsed.EntryCount);
        for (int i = 0; i < fir.Length; i++)
        {
            Assert.Equal(fir[i], parsed.GetEntry(i));
        }
    }

    [Fact]
    public void RembExample()
    {
        // 1.5 Mbit/s = 187500 × 2^3 → exponent 3, mantissa 187500 (0x2DC6C).
        byte[] buffer = new byte[64];
        Assert.True(RtcpRemb.TryWrite(buffer, 0x01020304, 1_500_000, [0xAABBCCDD], out int n));
        Assert.Equal("8FCE0005" + "01020304" + "00000000" + "52454D42" + "01" + "0E" + "DC6C" + "AABBCCDD", Convert.ToHexString(buffer, 0, n));
        Assert.True(RtcpRemb.TryParse(Single(buffer.AsSpan(0, n)), out RtcpRemb remb));
        Assert.Equal(1_500_000UL, remb.Bitrate);
        Assert.Equal(0xAABBCCDDu, remb.GetSsrc(0));
    }

    [Property(MaxTest = 300)]
    public void RembRoundTrip(uint sender, byte exponent, int mantissa, uint[] ssrcs)
    {
        exponent &= 63;
        mantissa &= (1 << 18) - 1;
        ssrcs = (ssrcs ?? [])[..Math.Min(255, ssrcs?.Length ?? 0)];
        byte[] buffer = new byte[20 + (4 * ssrcs.Length)];
        Assert.True(RtcpRemb.TryWrite(buffer, sender, exponent, mantissa, ssrcs, out int n));
        Assert.True(RtcpRemb.TryParse(Single(buffer.AsSpan(0, n)), out RtcpRemb remb));
        Assert.Equal(exponent, remb.Exponent);
        Assert.Equal(mantissa, remb.Mantissa);
        Assert.Equal(ssrcs.Length, remb.SsrcCount);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            Assert.Equal(ssrcs[i], remb.GetSsrc(i));
        }
    }

    [Property(MaxTest = 300)]
    public void RembBitrateEncodingKeepsEighteenSignificantBits(ulong bitrate)
    {
        (int exponent, int mantissa) = RtcpRemb.Encode(bitrate);
        ulong decoded = (ulong)mantissa << exponent;
        Assert.True(decoded <= bitrate);
        Assert.True(bitrate - decoded < (1UL << exponent));
    }

    [Theory]
    [InlineData("8FCE0004 00000001 00000000 52454D42 02000000")] // REMB claiming 2 SSRCs, none present
    [InlineData("8FCE0004 00000001 00000000 58585858 00000000")] // not "REMB"
    [InlineData("81CD0002 00000001 00000002")] // NACK without FCI
    [InlineData("84CE0003 00000001 00000000 00000001")] // FIR entry cut short
    public void RejectsMalformedFeedback(string hex)
    {
        RtcpPacket packet = Single(Hex(hex));
        Assert.False(RtcpRemb.TryParse(packet, out _));
        Assert.False(RtcpGenericNack.TryParse(packet, out _));
        Assert.False(RtcpFullIntraRequest.TryParse(packet, out _));
    }

    [Fact]
    public void ParsersRejectOtherPacketTypes()
    {
        byte[] buffer = new byte[64];
        Assert.True(RtcpPictureLossIndication.TryWrite(buffer, 1, 2, out int n));
        RtcpPacket pli = Single(buffer.AsSpan(0, n));
        Assert.False(RtcpGenericNack.TryParse(pli, out _));
        Assert.False(RtcpSenderReport.TryParse(pli, out _));
        Assert.False(RtcpSourceDescription.TryParse(pli, out _));
        Assert.False(RtcpGoodbye.TryParse(pli, out _));
        Assert.False(RtcpApplicationDefined.TryParse(pli, out _));
        Assert.False(RtcpExtendedReport.TryParse(pli, out _));
        Assert.False(TransportWideFeedback.TryParse(pli, out _));
        Assert.False(CongestionControlFeedback.TryParse(pli, out _));
    }
}
