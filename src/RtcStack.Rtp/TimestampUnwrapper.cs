namespace RtcStack.Rtp;

/// <summary>
/// Extends 32-bit RTP timestamps (RFC 3550 §5.1) to 64 bits, placing each value at the extension
/// closest to the previous one (forward and backward jumps up to 2^31 - 1).
/// </summary>
public struct TimestampUnwrapper
{
    private long _last;
    private bool _hasLast;

    /// <summary>Gets a value indicating whether a timestamp has been seen.</summary>
    public readonly bool HasValue => _hasLast;

    /// <summary>Gets the last extended value returned (0 before the first call).</summary>
    public readonly long Last => _last;

    /// <summary>Returns the extended timestamp of <paramref name="timestamp"/> and remembers it.</summary>
    public long Unwrap(uint timestamp)
    {
        long result = PeekUnwrap(timestamp);
        _last = result;
        _hasLast = true;
        return result;
    }

    /// <summary>Returns what <see cref="Unwrap"/> would return, without remembering it.</summary>
    public readonly long PeekUnwrap(uint timestamp)
    {
        if (!_hasLast)
        {
            return timestamp;
        }

        int delta = (int)(timestamp - (uint)_last);
        return _last + delta;
    }

    /// <summary>RFC 1982 serial comparison for 32-bit timestamps.</summary>
    public static bool IsNewer(uint a, uint b) => a != b && (a - b) < 0x8000_0000u;
}
