namespace RtcStack.WebRtc.Streams;

/// <summary>
/// Counters of one outgoing stream, shaped like the W3C <c>RTCOutboundRtpStreamStats</c> (webrtc-stats, type
/// "outbound-rtp"). Retransmissions count in packets and bytes sent too, as there.
/// </summary>
/// <param name="Ssrc">ssrc.</param>
/// <param name="RtxSsrc">rtxSsrc, or null.</param>
/// <param name="PacketsSent">packetsSent (originals, retransmissions and padding packets).</param>
/// <param name="BytesSent">bytesSent: payload bytes, without headers and padding.</param>
/// <param name="HeaderBytesSent">headerBytesSent: RTP header and padding bytes.</param>
/// <param name="RetransmittedPacketsSent">retransmittedPacketsSent.</param>
/// <param name="RetransmittedBytesSent">retransmittedBytesSent: payload bytes (the original payload, without the OSN).</param>
/// <param name="NackCount">nackCount: NACK packets received for the stream.</param>
/// <param name="PliCount">pliCount: PLIs received.</param>
/// <param name="FirCount">firCount: FIRs received (repeats of one request excluded).</param>
/// <param name="RetransmissionsDropped">Requested retransmissions refused by the budget.</param>
/// <param name="RetransmissionsUnavailable">Requested packets no longer (or never) in the history, or older than rtx-time.</param>
/// <param name="PaddingPacketsSent">Padding-only packets sent (RFC 4588 on the RTX SSRC, or RFC 3550 §5.1 on the stream's).</param>
public readonly record struct SendStreamStats(
    uint Ssrc,
    uint? RtxSsrc,
    long PacketsSent,
    long BytesSent,
    long HeaderBytesSent,
    long RetransmittedPacketsSent,
    long RetransmittedBytesSent,
    long NackCount,
    long PliCount,
    long FirCount,
    long RetransmissionsDropped,
    long RetransmissionsUnavailable,
    long PaddingPacketsSent);
