namespace RtcStack.Rtp.Rtcp;

/// <summary>One packet of an RFC 8888 report, flattened: which stream, which sequence number, and its metric.</summary>
/// <param name="Ssrc">SSRC of the RTP stream.</param>
/// <param name="SequenceNumber">RTP sequence number (begin_seq + index).</param>
/// <param name="Metric">The packet metric block.</param>
public readonly record struct CcfbPacketReport(uint Ssrc, ushort SequenceNumber, CcfbPacketMetric Metric);
