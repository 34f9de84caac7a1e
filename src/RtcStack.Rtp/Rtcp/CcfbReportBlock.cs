using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>The per-stream part of an RFC 8888 report (RFC 8888 §3.1): SSRC, begin_seq, num_reports and the metric blocks.</summary>
public readonly ref struct CcfbReportBlock
{
    private readonly ReadOnlySpan<byte> _data;

    internal CcfbReportBlock(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>Gets the SSRC of the RTP stream reported on.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_data);

    /// <summary>Gets the first sequence number reported (begin_seq).</summary>
    public ushort BeginSequence => BinaryPrimitives.ReadUInt16BigEndian(_data[4..]);

    /// <summary>Gets the number of metric blocks (num_reports).</summary>
    public int ReportCount => BinaryPrimitives.ReadUInt16BigEndian(_data[6..]);

    /// <summary>Returns the metric of packet <see cref="BeginSequence"/> + <paramref name="index"/>.</summary>
    public CcfbPacketMetric GetMetric(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ReportCount);
        return CcfbPacketMetric.FromWire(BinaryPrimitives.ReadUInt16BigEndian(_data[(8 + (index * 2))..]));
    }

    /// <summary>Gets the length of a block with <paramref name="reportCount"/> metrics, padded to 32 bits.</summary>
    internal static int GetLength(int reportCount) => 8 + (((reportCount * 2) + 3) & ~3);
}
