namespace RtcStack.Rtp.Rtcp;

/// <summary>The sender information section of an SR (RFC 3550 §6.4.1).</summary>
/// <param name="NtpTimestamp">Wallclock time when the report was sent.</param>
/// <param name="RtpTimestamp">The same instant in the units and offset of the RTP timestamps.</param>
/// <param name="PacketCount">Total RTP data packets sent since starting transmission.</param>
/// <param name="OctetCount">Total payload octets sent (excluding header and padding).</param>
public readonly record struct RtcpSenderInfo(NtpTimestamp NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);
