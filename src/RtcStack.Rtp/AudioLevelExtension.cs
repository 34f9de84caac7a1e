namespace RtcStack.Rtp;

/// <summary>
/// ssrc-audio-level, RFC 6464 §3 (<c>urn:ietf:params:rtp-hdrext:ssrc-audio-level</c>): one byte,
/// the V bit (voice activity) and the level in -dBov, 0 (loudest) to 127 (silence).
/// </summary>
public static class AudioLevelExtension
{
    /// <summary>Length of the element data.</summary>
    public const int Length = 1;

    /// <summary>
    /// Reads the element. RFC 6464 §3 allows the two-byte form to pad the value, so any length
    /// of at least one byte is accepted and only the first byte is used.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> value, out bool voiceActivity, out byte level)
    {
        if (value.IsEmpty)
        {
            voiceActivity = false;
            level = 0;
            return false;
        }

        voiceActivity = (value[0] & 0x80) != 0;
        level = (byte)(value[0] & 0x7F);
        return true;
    }

    /// <summary>Writes the element into <paramref name="destination"/> and returns 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is above 127.</exception>
    public static int Write(Span<byte> destination, bool voiceActivity, byte level)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, (byte)127);
        destination[0] = (byte)((voiceActivity ? 0x80 : 0) | level);
        return Length;
    }
}
