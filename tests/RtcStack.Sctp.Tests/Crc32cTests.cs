using RtcStack.Sctp.Packets;
using Xunit;

namespace RtcStack.Sctp.Tests;

public class Crc32cTests
{
    // RFC 3720 Appendix B.4 (the CRC32c vectors RFC 9260 Appendix B refers to), as CRC values.
    [Fact]
    public void Rfc3720Vectors()
    {
        byte[] zeros = new byte[32];
        byte[] ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        byte[] inc = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] dec = Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray();
        Assert.Equal(0x8A9136AAu, Crc32c.Compute(zeros));
        Assert.Equal(0x62A8AB43u, Crc32c.Compute(ones));
        Assert.Equal(0x46DD794Eu, Crc32c.Compute(inc));
        Assert.Equal(0x113FDB5Cu, Crc32c.Compute(dec));
        Assert.Equal(0xE3069283u, Crc32c.Compute("123456789"u8));
    }

    [Fact]
    public void HardwareAndTablePathsAgree()
    {
        var random = new Random(5);
        for (int n = 0; n < 300; n++)
        {
            byte[] data = new byte[random.Next(0, 2000)];
            random.NextBytes(data);
            Assert.Equal(Crc32c.ComputeWithTable(data), Crc32c.Compute(data));
        }
    }

    [Fact]
    public void ChecksumIsStoredLeastSignificantByteFirst()
    {
        // RFC 9260 Appendix B: the reflected CRC goes on the wire as its bytes in little-endian order, so the
        // 32 zero bytes of RFC 3720 B.4 read "aa 36 91 8a" there.
        byte[] packet = new byte[16];
        packet[12] = (byte)SctpChunkType.CookieAck;
        packet[15] = 4;
        var w = new SctpPacketWriter(packet, 0, 0, 0);
        w.TryWriteChunk(SctpChunkType.CookieAck, 0, default);
        w.Finish();
        uint crc = Crc32c.Compute([.. packet[..8], 0, 0, 0, 0, .. packet[12..]]);
        Assert.Equal((byte)crc, packet[8]);
        Assert.Equal((byte)(crc >> 24), packet[11]);
    }
}
