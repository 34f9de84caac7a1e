namespace RtcStack.Video;

/// <summary>
/// The unsigned LEB128 integers of AV1 (AV1 bitstream specification §4.10.5), used for obu_size and for the OBU
/// element lengths of the RTP payload (AV1 RTP §4.5).
/// </summary>
internal static class Av1Leb128
{
    /// <summary>The longest encoding the AV1 specification allows.</summary>
    public const int MaxBytes = 8;

    /// <summary>Reads one value; false if it runs past <paramref name="source"/>, is longer than 8 bytes or exceeds 2^32 - 1 (§4.10.5).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out uint value, out int length)
    {
        ulong result = 0;
        for (int i = 0; i < MaxBytes; i++)
        {
            if (i >= source.Length)
            {
                break;
            }

            byte b = source[i];
            result |= (ulong)(b & 0x7F) << (i * 7);
            if ((b & 0x80) == 0)
            {
                if (result > uint.MaxValue)
                {
                    break;
                }

                value = (uint)result;
                length = i + 1;
                return true;
            }
        }

        value = 0;
        length = 0;
        return false;
    }

    /// <summary>The number of bytes the shortest encoding of <paramref name="value"/> takes.</summary>
    public static int GetLength(uint value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Writes the shortest encoding of <paramref name="value"/>; returns its length (the caller checked the room).</summary>
    public static int Write(Span<byte> destination, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
