namespace RtcStack.Rtp;

/// <summary>
/// Extends 16-bit RTP sequence numbers (RFC 3550 §5.1) to 64 bits. Each value is placed at the
/// extension closest to the previous one, so reordering within ±32767 is handled both across a
/// forward wrap and back across it.
/// </summary>
public struct SequenceNumberUnwrapper
{
    private long _last;
    private bool _hasLast;

    /// <summary>Gets the last extended value returned, or -1 before the first call.</summary>
    public readonly long Last => _hasLast ? _last : -1;

    /// <summary>Returns the extended sequence number of <paramref name="sequenceNumber"/> and remembers it.</summary>
    /// <remarks>The first value maps to itself (0-65535); values that would go below 0 are kept non-negative by adding 2^16.</remarks>
    public long Unwrap(ushort sequenceNumber)
    {
        long result = PeekUnwrap(sequenceNumber);
        _last = result;
        _hasLast = true;
        return result;
    }

    /// <summary>Returns what <see cref="Unwrap"/> would return, without remembering it.</summary>
    public readonly long PeekUnwrap(ushort sequenceNumber)
    {
        if (!_hasLast)
        {
            return sequenceNumber;
        }

        short delta = (short)(ushort)(sequenceNumber - (ushort)_last);
        long result = _last + delta;
        return result < 0 ? result + 0x1_0000 : result;
    }

    /// <summary>RFC 1982 serial comparison: true when <paramref name="a"/> is newer than <paramref name="b"/> (at most 32767 ahead).</summary>
    public static bool IsNewer(ushort a, ushort b) => a != b && (ushort)(a - b) < 0x8000;

    /// <summary>Signed distance from <paramref name="from"/> to <paramref name="to"/> in the range [-32768, 32767].</summary>
    public static int Distance(ushort from, ushort to) => (short)(ushort)(to - from);
}
