namespace RtcStack.Rtp;

/// <summary>
/// csrc-audio-level, RFC 6465 §3 (<c>urn:ietf:params:rtp-hdrext:csrc-audio-level</c>): one byte
/// per CSRC, in CSRC list order, each a 0 bit followed by the level in -dBov (0-127).
/// Firefox offers it (recvonly).
/// </summary>
public static class CsrcAudioLevelExtension
{
    /// <summary>Returns the level of the CSRC at <paramref name="index"/>; false when the element is shorter or the top bit is set.</summary>
    public static bool TryReadLevel(ReadOnlySpan<byte> value, int index, out byte level)
    {
        level = 0;
        if ((uint)index >= (uint)value.Length || (value[index] & 0x80) != 0)
        {
            return false;
        }

        level = value[index];
        return true;
    }

    /// <summary>Writes the levels (each 0-127) and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A level is above 127 or there are more than 15.</exception>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> levels)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels.Length, 15);
        for (int i = 0; i < levels.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(levels[i], (byte)127);
            destination[i] = levels[i];
        }

        return levels.Length;
    }
}
