using System.Buffers.Binary;
using System.Numerics;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Receiver estimated maximum bitrate, REMB (draft-alvestrand-rmcat-remb-03 §2.2): a PSFB
/// application-layer message (FMT 15, media SSRC 0) with the identifier "REMB", the SSRC count,
/// the bitrate as a 6-bit exponent and 18-bit mantissa, and the SSRCs it applies to.
/// </summary>
public readonly ref struct RtcpRemb
{
    private static ReadOnlySpan<byte> Identifier => "REMB"u8;

    private readonly RtcpFeedback _feedback;

    private RtcpRemb(RtcpFeedback feedback)
    {
        _feedback = feedback;
    }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint SenderSsrc => _feedback.SenderSsrc;

    /// <summary>Gets the number of SSRCs the estimate applies to.</summary>
    public int SsrcCount => _feedback.Fci[4];

    /// <summary>Gets the 6-bit exponent.</summary>
    public int Exponent => _feedback.Fci[5] >> 2;

    /// <summary>Gets the 18-bit mantissa.</summary>
    public int Mantissa => ((_feedback.Fci[5] & 0x03) << 16) | (_feedback.Fci[6] << 8) | _feedback.Fci[7];

    /// <summary>Gets the estimate in bits per second: mantissa × 2^exponent (saturating at <see cref="ulong.MaxValue"/>).</summary>
    public ulong Bitrate => Mantissa != 0 && BitOperations.LeadingZeroCount((ulong)Mantissa) < Exponent ? ulong.MaxValue : (ulong)Mantissa << Exponent;

    /// <summary>Returns SSRC <paramref name="index"/>.</summary>
    public uint GetSsrc(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SsrcCount);
        return BinaryPrimitives.ReadUInt32BigEndian(_feedback.Fci[(8 + (index * 4))..]);
    }

    /// <summary>Reads a REMB; fails unless the FCI starts with "REMB" and holds the announced SSRCs.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpRemb remb)
    {
        remb = default;
        if (!RtcpFeedback.TryParse(packet, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.ApplicationLayer, out RtcpFeedback feedback))
        {
            return false;
        }

        ReadOnlySpan<byte> fci = feedback.Fci;
        if (fci.Length < 8 || !fci[..4].SequenceEqual(Identifier) || fci.Length < 8 + (fci[4] * 4))
        {
            return false;
        }

        remb = new RtcpRemb(feedback);
        return true;
    }

    /// <summary>Splits a bitrate into the smallest exponent whose mantissa fits 18 bits (rounding the bitrate down).</summary>
    public static (int Exponent, int Mantissa) Encode(ulong bitrate)
    {
        int exponent = 0;
        while (bitrate >= (1UL << 18))
        {
            bitrate >>= 1;
            exponent++;
        }

        return (exponent, (int)bitrate);
    }

    /// <summary>Writes a REMB for <paramref name="bitrate"/> bit/s applying to up to 255 SSRCs.</summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs, out int bytesWritten)
    {
        (int exponent, int mantissa) = Encode(bitrate);
        return TryWrite(destination, senderSsrc, exponent, mantissa, ssrcs, out bytesWritten);
    }

    /// <summary>Writes a REMB from an explicit exponent (0-63) and mantissa (0-262143).</summary>
    public static bool TryWrite(Span<byte> destination, uint senderSsrc, int exponent, int mantissa, ReadOnlySpan<uint> ssrcs, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponent, 63);
        ArgumentOutOfRangeException.ThrowIfNegative(mantissa);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mantissa, (1 << 18) - 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ssrcs.Length, 255);
        bytesWritten = 0;
        int length = RtcpFeedback.FixedLength + 8 + (ssrcs.Length * 4);
        if (destination.Length < length)
        {
            return false;
        }

        RtcpFeedback.WriteHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.ApplicationLayer, length, senderSsrc, 0);
        Identifier.CopyTo(destination[12..]);
        destination[16] = (byte)ssrcs.Length;
        destination[17] = (byte)((exponent << 2) | (mantissa >> 16));
        destination[18] = (byte)(mantissa >> 8);
        destination[19] = (byte)mantissa;
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(20 + (i * 4))..], ssrcs[i]);
        }

        bytesWritten = length;
        return true;
    }
}
