namespace RtcStack.WebRtc.Streams;

/// <summary>
/// Counters of one incoming stream, shaped like the W3C <c>RTCInboundRtpStreamStats</c> (webrtc-stats, type
/// "inbound-rtp"). Retransmissions count in packets and bytes received too, as there; loss and jitter are RFC 3550's,
/// from the packets that came on the stream's own SSRC.
/// </summary>
/// <param name="Ssrc">ssrc.</param>
/// <param name="PacketsReceived">packetsReceived, including repaired retransmissions.</param>
/// <param name="BytesReceived">bytesReceived: payload bytes.</param>
/// <param name="HeaderBytesReceived">headerBytesReceived: RTP header and padding bytes.</param>
/// <param name="PacketsLost">packetsLost (RFC 3550 A.3, as in the report block).</param>
/// <param name="Jitter">jitter, in seconds (RFC 3550 A.8).</param>
/// <param name="PacketsDuplicated">Duplicates (RFC 3550 A.1).</param>
/// <param name="NackCount">nackCount: NACK packets sent.</param>
/// <param name="PliCount">pliCount: PLIs sent.</param>
/// <param name="FirCount">firCount: FIRs sent.</param>
/// <param name="RetransmittedPacketsReceived">retransmittedPacketsReceived (RTX only: without it they cannot be told apart).</param>
/// <param name="RetransmittedBytesReceived">retransmittedBytesReceived: payload bytes of those.</param>
/// <param name="RtxPaddingPacketsReceived">Padding-only packets on the RTX SSRC (probes).</param>
/// <param name="LastPacketReceived">lastPacketReceivedTimestamp, on the caller's clock; null before any.</param>
/// <param name="FramesReceived">framesReceived: complete frames from the frame buffer (0 without one).</param>
/// <param name="KeyFramesReceived">Key frames among them.</param>
/// <param name="FramesDropped">framesDropped: frames given up or not decodable.</param>
public readonly record struct ReceiveStreamStats(
    uint Ssrc,
    long PacketsReceived,
    long BytesReceived,
    long HeaderBytesReceived,
    long PacketsLost,
    double Jitter,
    long PacketsDuplicated,
    long NackCount,
    long PliCount,
    long FirCount,
    long RetransmittedPacketsReceived,
    long RetransmittedBytesReceived,
    long RtxPaddingPacketsReceived,
    TimeSpan? LastPacketReceived,
    long FramesReceived,
    long KeyFramesReceived,
    long FramesDropped);
