using System.Buffers.Binary;

namespace RtcStack.Rtp.Capture;

/// <summary>The 16-bit one's-complement sum of RFC 1071, used by the IPv4 header and UDP checksums.</summary>
internal struct InternetChecksum
{
    private ulong _sum;

    /// <summary>Adds bytes; an odd-length span must be the last one added (RFC 1071 §4.1 pads it with a zero byte).</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            _sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            _sum += (ulong)data[i] << 8;
        }
    }

    /// <summary>Adds a 16-bit value.</summary>
    public void Add(ushort value) => _sum += value;

    /// <summary>Adds a 32-bit value as two 16-bit words.</summary>
    public void Add(uint value) => _sum += (value >> 16) + (value & 0xFFFF);

    /// <summary>Returns the one's complement of the folded sum.</summary>
    public readonly ushort Finish()
    {
        ulong sum = _sum;
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
