using FsCheck.Xunit;
using Xunit;

namespace RtcStack.Rtp.Tests;

public class RtpPacketTests
{
    // An Opus packet as Chromium sends it: PT 111, one-byte extensions audio level (id 1),
    // abs-send-time (id 2), transport-wide seq (id 3), mid (id 4) -- the ids of
    // tests/RtcStack.Rtp.Tests/Fixtures/chromium-156-offer.sdp.
    private static readonly byte[] s_opusWithExtensions = Convert.FromHexString(
        "90EF1234" + "00BB8000" + "92D8E21A" +
        "BEDE0003" + "10" + "AA" + "22" + "123456" + "31" + "0102" + "40" + "30" + "00" +
        "FCFFFE");

    [Fact]
    public void ParsesFixedHeaderExtensionAndPayload()
    {
        Assert.True(RtpPacket.TryParse(s_opusWithExtensions, out RtpPacket packet));
        Assert.Equal(2, packet.Version);
        Assert.False(packet.HasPadding);
        Assert.True(packet.HasExtension);
        Assert.True(packet.Marker);
        Assert.Equal(111, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(0x00BB8000u, packet.Timestamp);
        Assert.Equal(0x92D8E21Au, packet.Ssrc);
        Assert.Equal(0, packet.CsrcCount);
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal(12, packet.ExtensionData.Length);
        Assert.Equal(12 + 4 + 12, packet.HeaderLength);
        Assert.Equal(packet.HeaderLength, packet.PayloadOffset);
        Assert.Equal(new byte[] { 0xFC, 0xFF, 0xFE }, packet.Payload.ToArray());

        Assert.True(packet.TryGetHeaderExtension(1, out ReadOnlySpan<byte> level));
        Assert.True(AudioLevelExtension.TryRead(level, out bool voice, out byte dbov));
        Assert.True(voice);
        Assert.Equal(42, dbov);
        Assert.True(packet.TryGetHeaderExtension(2, out ReadOnlySpan<byte> ast));
        Assert.True(AbsSendTimeExtension.TryRead(ast, out uint ast24));
        Assert.Equal(0x123456u, ast24);
        Assert.True(packet.TryGetHeaderExtension(3, out ReadOnlySpan<byte> tw));
        Assert.True(TransportSequenceNumberExtension.TryRead(tw, out ushort twSeq));
        Assert.Equal(0x0102, twSeq);
        Assert.True(packet.TryGetHeaderExtension(4, out ReadOnlySpan<byte> mid));
        Assert.True(SdesTextExtension.TextEquals(mid, "0"));
        Assert.False(packet.TryGetHeaderExtension(5, out _));
    }

    [Fact]
    public void ParsesCsrcsAndPadding()
    {
        byte[] data = Convert.FromHexString("A2000001" + "00000002" + "00000003" + "11111111" + "22222222" + "AABB" + "000003");
        Assert.True(RtpPacket.TryParse(data, out RtpPacket packet));
        Assert.True(packet.HasPadding);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(0x11111111u, packet.GetCsrc(0));
        Assert.Equal(0x22222222u, packet.GetCsrc(1));
        Assert.Equal(3, packet.PaddingLength);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, packet.Payload.ToArray());
        Assert.False(packet.TryGetHeaderExtensions(out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("80000001000000020000")] // 10 bytes: shorter than the fixed header
    [InlineData("400000010000000200000003")] // version 1
    [InlineData("C00000010000000200000003")] // version 3
    [InlineData("810000010000000200000003")] // CC=1 but no CSRC
    [InlineData("8F0000010000000200000003" + "11111111")] // CC=15, one CSRC present
    [InlineData("900000010000000200000003")] // X set, no extension word
    [InlineData("900000010000000200000003BEDE")] // X set, truncated extension word
    [InlineData("900000010000000200000003BEDE0002" + "10AA0000")] // extension length 2 words, 1 present
    [InlineData("900000010000000200000003BEDEFFFF")] // extension length overflow
    [InlineData("A00000010000000200000003")] // P set, no padding byte at all (count would be header byte)
    [InlineData("A00000010000000200000003" + "AA00")] // padding count 0
    [InlineData("A00000010000000200000003" + "AA03")] // padding longer than what follows the header
    [InlineData("A00000010000000200000003" + "FF")] // padding count 255 in a 13-byte packet
    public void RejectsMalformedPackets(string hex)
    {
        Assert.False(RtpPacket.TryParse(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void PaddingMayCoverTheWholeBodyAfterTheHeader()
    {
        // RFC 3550 §5.1: padding is counted in the packet; a packet can be all padding after the header.
        Assert.True(RtpPacket.TryParse(Convert.FromHexString("A00000010000000200000003" + "000003"), out RtpPacket packet));
        Assert.Equal(0, packet.Payload.Length);
    }

    [Fact]
    public void WritesThePacketItParses()
    {
        byte[] buffer = new byte[1500];
        var writer = new RtpPacketWriter(buffer);
        Assert.True(writer.TryWriteHeader(new RtpHeader(111, 0x1234, 0x00BB8000, 0x92D8E21A, Marker: true)));
        RtpHeaderExtensionWriter ext = writer.BeginHeaderExtension(RtpHeaderExtensionMode.OneByteOnly);
        Assert.True(ext.TryAddAudioLevel(1, voiceActivity: true, 42));
        Assert.True(ext.TryAddAbsSendTime(2, 0x123456));
        Assert.True(ext.TryAddTransportSequenceNumber(3, 0x0102));
        Assert.True(ext.TryAddText(4, "0"));
        Assert.True(writer.TryEndHeaderExtension(ext.Finish()));
        Assert.True(writer.TryWritePayload([0xFC, 0xFF, 0xFE]));
        Assert.Equal(s_opusWithExtensions, writer.Written.ToArray());
        Assert.Equal(28, writer.HeaderLength);
    }

    [Fact]
    public void WriterReportsShortBuffers()
    {
        Assert.Equal(0, RtpPacketWriter.Write(new byte[11], new RtpHeader(0, 0, 0, 0), []));
        Assert.Equal(0, RtpPacketWriter.Write(new byte[14], new RtpHeader(0, 0, 0, 0), [1, 2, 3]));
        Assert.Equal(15, RtpPacketWriter.Write(new byte[15], new RtpHeader(0, 0, 0, 0), [1, 2, 3]));
    }

    [Fact]
    public void WriterRejectsMisuse()
    {
        byte[] buffer = new byte[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpPacketWriter.Write(buffer, new RtpHeader(128, 0, 0, 0), []));
        Assert.Throws<InvalidOperationException>(() =>
        {
            var w = new RtpPacketWriter(buffer);
            w.TryWritePayload([1]);
        });
    }

    [Property(MaxTest = 500)]
    public bool RoundTrip(byte pt, ushort seq, uint ts, uint ssrc, bool marker, uint[] csrcs, byte[] payload, byte padding)
    {
        pt &= 0x7F;
        csrcs = (csrcs ?? [])[..Math.Min(15, csrcs?.Length ?? 0)];
        payload ??= [];
        byte[] buffer = new byte[12 + 60 + payload.Length + 255];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader(pt, seq, ts, ssrc, marker), csrcs);
        writer.TryWritePayload(payload);
        if (padding > 0)
        {
            writer.TryWritePadding(padding);
        }

        if (!RtpPacket.TryParse(writer.Written, out RtpPacket packet))
        {
            return false;
        }

        bool ok = packet.PayloadType == pt && packet.SequenceNumber == seq && packet.Timestamp == ts &&
            packet.Ssrc == ssrc && packet.Marker == marker && packet.CsrcCount == csrcs.Length &&
            packet.Payload.SequenceEqual(payload) && packet.PaddingLength == padding &&
            packet.HasPadding == (padding > 0) && !packet.HasExtension && packet.Data.Length == writer.Length;
        for (int i = 0; i < csrcs.Length; i++)
        {
            ok &= packet.GetCsrc(i) == csrcs[i];
        }

        return ok;
    }

    [Property(MaxTest = 2000)]
    public void ArbitraryBytesNeverThrow(byte[] data)
    {
        data ??= [];
        if (RtpPacket.TryParse(data, out RtpPacket packet))
        {
            Assert.True(packet.HeaderLength + packet.PaddingLength <= data.Length);
            _ = packet.Payload.Length;
            if (packet.TryGetHeaderExtensions(out RtpHeaderExtensionReader reader))
            {
                foreach (RtpHeaderExtensionElement e in reader)
                {
                    _ = e.Value.Length;
                }
            }
        }
    }
}
