using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// A reception report block of an SR or RR (RFC 3550 §6.4.1): 24 bytes describing what this
/// receiver got from one source.
/// </summary>
/// <param name="Ssrc">SSRC of the source the block reports on.</param>
/// <param name="FractionLost">Packets lost since the previous report, as a fraction of 256.</param>
/// <param name="CumulativeLost">Cumulative number of packets lost, a signed 24-bit value (duplicates can make it negative).</param>
/// <param name="ExtendedHighestSequenceNumber">Highest sequence number received, extended with the cycle count in the high 16 bits.</param>
/// <param name="Jitter">Interarrival jitter in RTP timestamp units (RFC 3550 §6.4.1, A.8).</param>
/// <param name="LastSenderReport">LSR: the middle 32 bits of the NTP timestamp of the last SR received, 0 if none.</param>
/// <param name="DelaySinceLastSenderReport">DLSR: delay since that SR in units of 1/65536 s, 0 if none.</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequenceNumber,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    /// <summary>Size of one block on the wire.</summary>
    public const int Length = 24;

    /// <summary>Smallest cumulative loss the 24-bit field holds.</summary>
    public const int MinCumulativeLost = -(1 << 23);

    /// <summary>Largest cumulative loss the 24-bit field holds.</summary>
    public const int MaxCumulativeLost = (1 << 23) - 1;

    /// <summary>Reads a block from 24 bytes.</summary>
    public static RtcpReportBlock Read(ReadOnlySpan<byte> source)
    {
        int lost = (source[5] << 16) | (source[6] << 8) | source[7];
        if ((lost & 0x80_0000) != 0)
        {
            lost |= unchecked((int)0xFF00_0000);
        }

        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            source[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[20..]));
    }

    /// <summary>Writes the block into 24 bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The cumulative loss does not fit 24 signed bits.</exception>
    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(CumulativeLost, MinCumulativeLost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CumulativeLost, MaxCumulativeLost);
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        destination[4] = FractionLost;
        destination[5] = (byte)(CumulativeLost >> 16);
        destination[6] = (byte)(CumulativeLost >> 8);
        destination[7] = (byte)CumulativeLost;
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }
}
