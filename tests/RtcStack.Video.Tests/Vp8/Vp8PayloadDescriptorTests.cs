using Xunit;

namespace RtcStack.Video.Tests.Vp8;

public sealed class Vp8PayloadDescriptorTests
{
    // RFC 7741 §4.2, first octet |X|R|N|S|R| PID |: S = 1, PID = 0, no extension.
    [Fact]
    public void ShortestDescriptorIsOneOctet()
    {
        Assert.True(Vp8PayloadDescriptor.TryParse([0x10, 0xAA], out Vp8PayloadDescriptor d, out int length));
        Assert.Equal(1, length);
        Assert.Equal(new Vp8PayloadDescriptor(false, true, 0, -1, false), d);
        Assert.Equal(1, d.Length);
    }

    // RFC 7741 §4.2 figure, right-hand side: X, I with M = 1 (15-bit PictureID), L, T and K all present.
    [Fact]
    public void FullDescriptorByteByByte()
    {
        byte[] bytes =
        [
            0b1011_0011, // X=1 R=0 N=1 S=1 R=0 PID=3
            0b1111_0000, // I=1 L=1 T=1 K=1 RSV=0
            0x80 | 0x12, 0x34, // M=1, PictureID 0x1234
            0xAB,        // TL0PICIDX 171
            0b1010_0101, // TID=2 Y=1 KEYIDX=5
            0xEE,        // VP8 data
        ];
        Assert.True(Vp8PayloadDescriptor.TryParse(bytes, out Vp8PayloadDescriptor d, out int length));
        Assert.Equal(6, length);
        Assert.Equal(new Vp8PayloadDescriptor(true, true, 3, 0x1234, true, 171, 2, true, 5), d);
        byte[] written = new byte[6];
        Assert.Equal(6, d.Write(written));
        Assert.Equal(bytes[..6], written);
    }

    // RFC 7741 §4.2: M = 0 gives a 7-bit PictureID in one octet.
    [Fact]
    public void SevenBitPictureId()
    {
        Assert.True(Vp8PayloadDescriptor.TryParse([0x90, 0x80, 0x11, 0x00], out Vp8PayloadDescriptor d, out int length));
        Assert.Equal(3, length);
        Assert.Equal(17, d.PictureId);
        Assert.False(d.LongPictureId);
        byte[] written = new byte[3];
        Assert.Equal(3, d.Write(written));
        Assert.Equal(new byte[] { 0x90, 0x80, 0x11 }, written);
    }

    // RFC 7741 §4.2: reserved bits MUST be ignored by the receiver; TID/Y ignored when T = 0, KEYIDX when K = 0.
    [Fact]
    public void ReservedBitsAndUnannouncedFieldsAreIgnored()
    {
        Assert.True(Vp8PayloadDescriptor.TryParse([0xD8, 0x0F, 0x42], out Vp8PayloadDescriptor d, out int length));
        Assert.Equal(2, length);
        Assert.Equal(-1, d.PictureId);
        Assert.Equal(-1, d.TemporalLayer);

        // K only: the T/K octet is there, TID and Y are not reported.
        Assert.True(Vp8PayloadDescriptor.TryParse([0x90, 0x10, 0xE7, 0x00], out d, out length));
        Assert.Equal(3, length);
        Assert.Equal((-1, false, 7), (d.TemporalLayer, d.LayerSync, d.KeyIndex));

        // T only: KEYIDX is not reported.
        Assert.True(Vp8PayloadDescriptor.TryParse([0x90, 0x20, 0x67, 0x00], out d, out length));
        Assert.Equal((1, true, -1), (d.TemporalLayer, d.LayerSync, d.KeyIndex));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x80 })]                   // X without the extension octet
    [InlineData(new byte[] { 0x80, 0x80 })]             // I without PictureID
    [InlineData(new byte[] { 0x80, 0x80, 0x80 })]       // M = 1 without the second octet
    [InlineData(new byte[] { 0x80, 0x40 })]             // L without TL0PICIDX
    [InlineData(new byte[] { 0x80, 0x20 })]             // T without TID
    [InlineData(new byte[] { 0x80, 0xF0, 0x81, 0x02, 0x03 })] // all flags, T/K octet missing
    public void TruncatedDescriptorsAreRefused(byte[] bytes)
    {
        Assert.False(Vp8PayloadDescriptor.TryParse(bytes, out _, out _));
    }

    [Fact]
    public void EveryPrefixOfEveryDescriptorParsesOrIsRefusedWithoutThrowing()
    {
        byte[] buffer = new byte[8];
        for (int first = 0; first < 256; first += 0x10)
        {
            for (int ext = 0; ext < 256; ext += 0x10)
            {
                buffer[0] = (byte)first;
                buffer[1] = (byte)ext;
                buffer[2] = 0x81;
                for (int n = 0; n <= buffer.Length; n++)
                {
                    if (Vp8PayloadDescriptor.TryParse(buffer.AsSpan(0, n), out Vp8PayloadDescriptor d, out int length))
                    {
                        Assert.InRange(length, 1, n);

                        // X = 1 with no field flag set has no written form of its own (the writer leaves X out).
                        if ((first & 0x80) == 0 || (ext & 0xF0) != 0)
                        {
                            Assert.Equal(length, d.Length);
                        }
                    }
                }
            }
        }
    }
}
