using Xunit;

namespace RtcStack.Opus.Tests;

public sealed class OpusPacketTests
{
    private static byte[] Packet(params int[] bytes) => bytes.Select(b => (byte)b).ToArray();

    private static byte[] WithFiller(byte[] head, int filler)
    {
        var result = new byte[head.Length + filler];
        head.CopyTo(result, 0);
        for (int i = head.Length; i < result.Length; i++)
        {
            result[i] = (byte)(i * 7);
        }

        return result;
    }

    [Fact]
    public void Code0HasOneFrameOfTheRemainingBytes()
    {
        // RFC 6716 §3.2.6 example 1: one NB mono 20 ms SILK frame.
        byte[] data = WithFiller(Packet(1 << 3), 40);
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(data, out OpusPacket p));
        Assert.Equal(1, p.FrameCount);
        Assert.Equal(40, p.GetFrameLength(0));
        Assert.True(p.GetFrame(0).SequenceEqual(data.AsSpan(1)));
        Assert.Equal(960, p.SampleCount);
        Assert.Equal(TimeSpan.FromMilliseconds(20), p.Duration);
        Assert.Equal(160, p.GetSampleCount(8000));
    }

    [Fact]
    public void TocOnlyPacketIsOneEmptyFrame()
    {
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(Packet(0x78), out OpusPacket p));
        Assert.Equal(1, p.FrameCount);
        Assert.Equal(0, p.GetFrameLength(0));
    }

    [Fact]
    public void Code1SplitsEvenly()
    {
        // RFC 6716 §3.2.6 example 2: two FB mono 5 ms CELT frames of the same size.
        byte[] data = WithFiller(Packet((29 << 3) | 1), 20);
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(data, out OpusPacket p));
        Assert.Equal(2, p.FrameCount);
        Assert.Equal(10, p.GetFrameLength(0));
        Assert.Equal(10, p.GetFrameLength(1));
        Assert.Equal(480, p.SampleCount);
    }

    [Fact]
    public void Code2UsesOneAndTwoByteLengths()
    {
        byte[] one = WithFiller(Packet((15 << 3) | 2, 5), 12);
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(one, out OpusPacket p));
        Assert.Equal(5, p.GetFrameLength(0));
        Assert.Equal(7, p.GetFrameLength(1));
        Assert.Equal(2, p.HeaderLength);

        // Length 300 = 252 + (300 & 3 = 0) then (300 - 252) / 4 = 12.
        byte[] two = WithFiller(Packet((15 << 3) | 2, 252, 12), 310);
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(two, out p));
        Assert.Equal(300, p.GetFrameLength(0));
        Assert.Equal(10, p.GetFrameLength(1));
        Assert.True(p.IsVbr);
    }

    [Fact]
    public void Code3CbrWithPadding()
    {
        // RFC 6716 §3.2.6 example 4: four FB stereo 20 ms CELT frames of the same size; add padding
        // 255, 0 => 254 bytes of padding and two length bytes (256 bytes in all, per §3.2.5).
        byte[] head = Packet((31 << 3) | 4 | 3, 0x40 | 4, 255, 0);
        byte[] data = WithFiller(head, 4 * 10 + 254);
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(data, out OpusPacket p));
        Assert.Equal(4, p.FrameCount);
        Assert.Equal(254, p.PaddingLength);
        Assert.False(p.IsVbr);
        Assert.True(p.Toc.IsStereo);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(10, p.GetFrameLength(i));
        }

        Assert.Equal(3840, p.SampleCount);
    }

    [Fact]
    public void Code3Vbr()
    {
        // RFC 6716 §3.2.6 example 3: two FB mono 20 ms Hybrid frames of different sizes (code 3 VBR).
        byte[] data = WithFiller(Packet((15 << 3) | 3, 0x80 | 2, 3), 3 + 9);
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(data, out OpusPacket p));
        Assert.Equal(2, p.FrameCount);
        Assert.Equal(3, p.GetFrameLength(0));
        Assert.Equal(9, p.GetFrameLength(1));
        Assert.True(p.GetFrame(1).SequenceEqual(data.AsSpan(6)));
    }

    [Theory]
    [InlineData(OpusPacketStatus.Empty, new int[0])]
    [InlineData(OpusPacketStatus.Code1OddLength, new[] { 0x01, 1 })]
    [InlineData(OpusPacketStatus.Code1OddLength, new[] { 0x01, 1, 2, 3 })]
    [InlineData(OpusPacketStatus.Code2BadLength, new[] { 0x02 })]
    [InlineData(OpusPacketStatus.Code2BadLength, new[] { 0x02, 252 })]
    [InlineData(OpusPacketStatus.Code2BadLength, new[] { 0x02, 5, 1, 2 })]
    [InlineData(OpusPacketStatus.Code3MissingFrameCount, new[] { 0x03 })]
    [InlineData(OpusPacketStatus.Code3NoFrames, new[] { 0x03, 0x00 })]
    [InlineData(OpusPacketStatus.Code3TooLong, new[] { 0x1B, 0x03 })] // 3 x 60 ms SILK
    [InlineData(OpusPacketStatus.Code3TooLong, new[] { 0x83, 49 })] // 49 x 2.5 ms CELT
    [InlineData(OpusPacketStatus.Code3BadPadding, new[] { 0x03, 0x41 })]
    [InlineData(OpusPacketStatus.Code3BadPadding, new[] { 0x03, 0x41, 255 })]
    [InlineData(OpusPacketStatus.Code3BadPadding, new[] { 0x03, 0x41, 5, 0, 0 })]
    [InlineData(OpusPacketStatus.Code3CbrLength, new[] { 0x03, 0x02, 1, 2, 3 })]
    [InlineData(OpusPacketStatus.Code3VbrLength, new[] { 0x03, 0x82 })]
    [InlineData(OpusPacketStatus.Code3VbrLength, new[] { 0x03, 0x82, 252 })]
    [InlineData(OpusPacketStatus.Code3VbrLength, new[] { 0x03, 0x82, 4, 1, 2 })]
    public void MalformedPacketsAreRejectedWithTheRule(OpusPacketStatus expected, int[] bytes)
    {
        Assert.Equal(expected, OpusPacket.Parse(Packet(bytes), out _));
        Assert.False(OpusPacket.TryParse(Packet(bytes), out _));
    }

    [Fact]
    public void FramesLongerThan1275BytesAreRejected()
    {
        // [R2] for every framing that has an implicit length.
        Assert.Equal(OpusPacketStatus.FrameTooLong, OpusPacket.Parse(new byte[1277], out _));
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(new byte[1276], out _));
        byte[] code1 = new byte[1 + (2 * 1276)];
        code1[0] = 0x01;
        Assert.Equal(OpusPacketStatus.FrameTooLong, OpusPacket.Parse(code1, out _));
        byte[] code2 = new byte[2 + 1 + 1276];
        code2[0] = 0x02;
        code2[1] = 1;
        Assert.Equal(OpusPacketStatus.FrameTooLong, OpusPacket.Parse(code2, out _));
        byte[] cbr = new byte[2 + 1276];
        cbr[0] = 0x03;
        cbr[1] = 0x01;
        Assert.Equal(OpusPacketStatus.FrameTooLong, OpusPacket.Parse(cbr, out _));
        byte[] vbr = new byte[3 + 1 + 1276];
        vbr[0] = 0x03;
        vbr[1] = 0x82;
        vbr[2] = 1;
        Assert.Equal(OpusPacketStatus.FrameTooLong, OpusPacket.Parse(vbr, out _));
    }

    [Fact]
    public void Only2ByteCode2PacketIsTwoEmptyFrames()
    {
        // RFC 6716 §3.2.4: the only valid 2-byte code 2 packet has both frames empty.
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(Packet(0x02, 0), out OpusPacket p));
        Assert.Equal(0, p.GetFrameLength(0) + p.GetFrameLength(1));
        Assert.Equal(OpusPacketStatus.Code2BadLength, OpusPacket.Parse(Packet(0x02, 1), out _));
    }

    [Fact]
    public void HeaderOnlyHelpersReadFrameCountAndDuration()
    {
        Assert.Equal(-1, OpusPacket.GetFrameCount([]));
        Assert.Equal(1, OpusPacket.GetFrameCount([0x00]));
        Assert.Equal(2, OpusPacket.GetFrameCount([0x01]));
        Assert.Equal(2, OpusPacket.GetFrameCount([0x02]));
        Assert.Equal(-1, OpusPacket.GetFrameCount([0x03]));
        Assert.Equal(5, OpusPacket.GetFrameCount([0x03, 0x85]));
        Assert.Equal(5 * 480, OpusPacket.GetSampleCount([0x03, 0x85]));
        Assert.Equal(-1, OpusPacket.GetSampleCount([0x1B, 0x03]));
    }

    [Fact]
    public void GetFrameChecksItsIndex()
    {
        Assert.Equal(OpusPacketStatus.Valid, OpusPacket.Parse(Packet(0x08, 1, 2), out OpusPacket p));
        bool threw = false;
        try
        {
            _ = p.GetFrame(1);
        }
        catch (ArgumentOutOfRangeException)
        {
            threw = true;
        }

        Assert.True(threw);
    }
}
