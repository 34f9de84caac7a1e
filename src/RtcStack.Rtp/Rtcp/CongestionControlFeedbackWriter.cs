using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Builds an RFC 8888 report (RFC 8888 §3.1): add one report block per RTP stream with
/// <see cref="TryAddReportBlock"/>, then <see cref="TryFinish"/> with the report timestamp.
/// </summary>
public ref struct CongestionControlFeedbackWriter
{
    private readonly Span<byte> _destination;
    private int _length;
    private readonly bool _ok;

    /// <summary>Initializes a writer; <paramref name="senderSsrc"/> is the feedback sender.</summary>
    public CongestionControlFeedbackWriter(Span<byte> destination, uint senderSsrc)
    {
        _destination = destination;
        _ok = destination.Length >= 12;
        if (_ok)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        }

        _length = 8;
    }

    /// <summary>
    /// Adds the report block for stream <paramref name="ssrc"/>: <paramref name="metrics"/>[i] is
    /// the metric of sequence number <paramref name="beginSequence"/> + i. At most 16384 metrics
    /// (RFC 8888 §3.1).
    /// </summary>
    public bool TryAddReportBlock(uint ssrc, ushort beginSequence, scoped ReadOnlySpan<CcfbPacketMetric> metrics)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(metrics.Length, CongestionControlFeedback.MaxReportsPerBlock);
        int length = CcfbReportBlock.GetLength(metrics.Length);
        if (!_ok || _length + length + 4 > _destination.Length || _length + length + 4 > RtcpPacket.MaxLength)
        {
            return false;
        }

        Span<byte> block = _destination[_length..];
        BinaryPrimitives.WriteUInt32BigEndian(block, ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(block[4..], beginSequence);
        BinaryPrimitives.WriteUInt16BigEndian(block[6..], (ushort)metrics.Length);
        for (int i = 0; i < metrics.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(block[(8 + (i * 2))..], metrics[i].ToWire());
        }

        if ((metrics.Length & 1) != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(block[(8 + (metrics.Length * 2))..], 0);
        }

        _length += length;
        return true;
    }

    /// <summary>Appends the report timestamp (compact NTP of the report's generation time) and writes the header.</summary>
    public bool TryFinish(uint reportTimestamp, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!_ok || _length + 4 > _destination.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(_destination[_length..], reportTimestamp);
        _length += 4;
        RtcpPacket.WriteHeader(_destination, RtcpFeedbackFormat.CongestionControlFeedback, RtcpPacketType.TransportFeedback, _length);
        bytesWritten = _length;
        return true;
    }
}
