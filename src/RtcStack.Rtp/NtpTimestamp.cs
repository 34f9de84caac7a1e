namespace RtcStack.Rtp;

/// <summary>
/// A 64-bit NTP timestamp (RFC 5905 §6, used by RFC 3550 §4 and §6.4.1): seconds since
/// 1900-01-01 in the high 32 bits and a binary fraction of a second in the low 32 bits.
/// </summary>
/// <remarks>
/// RTCP also uses the "middle 32 bits" compact form (<see cref="ToCompact"/>, 16.16 fixed point)
/// for LSR, DLSR, the XR DLRR block and the RFC 8888 report timestamp. Era 0 is assumed for
/// calendar conversions, the same as every RTP implementation (it ends in 2036).
/// </remarks>
/// <param name="Value">The raw 64-bit value.</param>
public readonly record struct NtpTimestamp(ulong Value) : IComparable<NtpTimestamp>
{
    /// <summary>Seconds between 1900-01-01 (NTP epoch) and 1970-01-01 (Unix epoch).</summary>
    public const long UnixEpochOffsetSeconds = 2_208_988_800;

    private static readonly DateTime s_ntpEpoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Initializes a timestamp from its seconds and fraction words.</summary>
    public NtpTimestamp(uint seconds, uint fraction)
        : this(((ulong)seconds << 32) | fraction)
    {
    }

    /// <summary>Gets the integer seconds (high 32 bits).</summary>
    public uint Seconds => (uint)(Value >> 32);

    /// <summary>Gets the fraction of a second in units of 2^-32 s (low 32 bits).</summary>
    public uint Fraction => (uint)Value;

    /// <summary>Returns the compact "middle 32 bits" form: 16 bits of seconds and 16 bits of fraction (RFC 3550 §6.4.1, LSR).</summary>
    public uint ToCompact() => (uint)(Value >> 16);

    /// <summary>Converts a UTC time to an NTP timestamp, rounding to the nearest 2^-32 s.</summary>
    public static NtpTimestamp FromDateTime(DateTime utc)
    {
        long ticks = utc.ToUniversalTime().Ticks - s_ntpEpoch.Ticks;
        return FromTicks(ticks);
    }

    /// <summary>Converts the timestamp to a UTC time (era 0).</summary>
    public DateTime ToDateTime() => new(s_ntpEpoch.Ticks + ToTicks(), DateTimeKind.Utc);

    /// <summary>Converts a duration since the NTP epoch to a timestamp.</summary>
    public static NtpTimestamp FromTimeSinceEpoch(TimeSpan sinceNtpEpoch) => FromTicks(sinceNtpEpoch.Ticks);

    /// <summary>Returns the duration since the NTP epoch (era 0), truncated to 100 ns ticks.</summary>
    public TimeSpan ToTimeSinceEpoch() => TimeSpan.FromTicks(ToTicks());

    /// <summary>Converts a compact (16.16) NTP value to a duration (for DLSR and RTT).</summary>
    public static TimeSpan CompactToTimeSpan(uint compact) => TimeSpan.FromTicks((long)(((ulong)compact * TimeSpan.TicksPerSecond) + 0x8000) >> 16);

    /// <summary>Converts a non-negative duration below 65536 s to the compact (16.16) form, rounded; longer ones saturate at 0xFFFFFFFF.</summary>
    public static uint TimeSpanToCompact(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return 0;
        }

        ulong units = (((ulong)duration.Ticks << 16) + (TimeSpan.TicksPerSecond / 2)) / TimeSpan.TicksPerSecond;
        return units > uint.MaxValue ? uint.MaxValue : (uint)units;
    }

    /// <inheritdoc/>
    public int CompareTo(NtpTimestamp other) => Value.CompareTo(other.Value);

    /// <summary>Returns "seconds.fraction" in hexadecimal, as tshark prints NTP timestamps.</summary>
    public override string ToString() => $"{Seconds:x8}.{Fraction:x8}";

    private static NtpTimestamp FromTicks(long ticks)
    {
        if (ticks < 0)
        {
            return default;
        }

        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong rest = (ulong)(ticks % TimeSpan.TicksPerSecond);
        ulong fraction = ((rest << 32) + (TimeSpan.TicksPerSecond / 2)) / TimeSpan.TicksPerSecond;
        if (fraction > uint.MaxValue)
        {
            seconds++;
            fraction = 0;
        }

        return new NtpTimestamp((uint)seconds, (uint)fraction);
    }

    private long ToTicks()
    {
        long whole = Seconds * TimeSpan.TicksPerSecond;
        long fraction = (long)(((ulong)Fraction * TimeSpan.TicksPerSecond) >> 32);
        return whole + fraction;
    }
}
