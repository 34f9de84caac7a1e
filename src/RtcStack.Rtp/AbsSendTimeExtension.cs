namespace RtcStack.Rtp;

/// <summary>
/// abs-send-time (<c>http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time</c>, defined by
/// webrtc.org): 3 bytes, the send time in seconds as a 6.18 fixed-point number, so it wraps every
/// 64 seconds with a resolution of about 3.8 µs.
/// </summary>
public static class AbsSendTimeExtension
{
    /// <summary>Length of the element data.</summary>
    public const int Length = 3;

    /// <summary>Number of distinct values: the field wraps at 2^24 (64 s).</summary>
    public const int Modulus = 1 << 24;

    /// <summary>Reads the 24-bit value.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out uint absSendTime24)
    {
        if (value.Length < Length)
        {
            absSendTime24 = 0;
            return false;
        }

        absSendTime24 = ((uint)value[0] << 16) | ((uint)value[1] << 8) | value[2];
        return true;
    }

    /// <summary>Writes the low 24 bits of <paramref name="absSendTime24"/> and returns 3.</summary>
    public static int Write(Span<byte> destination, uint absSendTime24)
    {
        destination[0] = (byte)(absSendTime24 >> 16);
        destination[1] = (byte)(absSendTime24 >> 8);
        destination[2] = (byte)absSendTime24;
        return Length;
    }

    /// <summary>Converts a send time to the 6.18 fixed-point field (the value modulo 64 s, rounded to the nearest 2^-18 s).</summary>
    public static uint FromTime(TimeSpan sendTime)
    {
        // 2^18 units per second = 262144; TimeSpan ticks are 10^7 per second.
        Int128 units = ((Int128)sendTime.Ticks * (1 << 18) + (TimeSpan.TicksPerSecond / 2)) / TimeSpan.TicksPerSecond;
        return (uint)(long)(units & (Modulus - 1));
    }

    /// <summary>Converts the 6.18 fixed-point field to a time in [0, 64 s).</summary>
    public static TimeSpan ToTime(uint absSendTime24)
    {
        long units = absSendTime24 & (Modulus - 1);
        return TimeSpan.FromTicks(units * TimeSpan.TicksPerSecond >> 18);
    }
}
