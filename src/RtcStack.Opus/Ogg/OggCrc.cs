using System.Buffers.Binary;

namespace RtcStack.Opus.Ogg;

/// <summary>
/// The Ogg page checksum (RFC 3533 §6): CRC-32 with generator polynomial 0x04C11DB7, computed MSB
/// first, initial value 0 and no final XOR, over the whole page with the CRC field zeroed. Sliced
/// by 8 tables for speed.
/// </summary>
public static class OggCrc
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>Continues a checksum over <paramref name="data"/>; start with 0.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> t = s_table;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc ^= BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
            uint next = BinaryPrimitives.ReadUInt32BigEndian(data[(i + 4)..]);
            crc = t[(7 * 256) + (int)(crc >> 24)] ^ t[(6 * 256) + (int)((crc >> 16) & 0xFF)] ^ t[(5 * 256) + (int)((crc >> 8) & 0xFF)] ^ t[(4 * 256) + (int)(crc & 0xFF)]
                ^ t[(3 * 256) + (int)(next >> 24)] ^ t[(2 * 256) + (int)((next >> 16) & 0xFF)] ^ t[256 + (int)((next >> 8) & 0xFF)] ^ t[(int)(next & 0xFF)];
        }

        for (; i < data.Length; i++)
        {
            crc = (crc << 8) ^ t[(int)((crc >> 24) ^ data[i])];
        }

        return crc;
    }

    /// <summary>Computes the checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0, data);

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint r = n << 24;
            for (int k = 0; k < 8; k++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[n] = r;
        }

        // table[k][n] = the CRC of byte n followed by k zero bytes.
        for (int k = 1; k < 8; k++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint prev = table[((k - 1) * 256) + n];
                table[(k * 256) + n] = (prev << 8) ^ table[prev >> 24];
            }
        }

        return table;
    }
}
