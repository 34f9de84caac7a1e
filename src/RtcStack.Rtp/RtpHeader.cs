namespace RtcStack.Rtp;

/// <summary>The fixed RTP header fields a sender chooses (RFC 3550 §5.1), as input to <see cref="RtpPacketWriter"/>.</summary>
/// <param name="PayloadType">7-bit payload type.</param>
/// <param name="SequenceNumber">16-bit sequence number.</param>
/// <param name="Timestamp">32-bit RTP timestamp.</param>
/// <param name="Ssrc">Synchronization source identifier.</param>
/// <param name="Marker">Marker bit.</param>
public readonly record struct RtpHeader(byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, bool Marker = false);
