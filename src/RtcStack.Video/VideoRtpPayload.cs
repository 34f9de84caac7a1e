namespace RtcStack.Video;

/// <summary>One RTP payload written by an <see cref="IVideoPacketizer"/>.</summary>
/// <param name="Length">Bytes written to the caller's buffer: the payload descriptor (if the format has one) and the data.</param>
/// <param name="Marker">
/// The RTP marker bit: set on the last packet of a frame (RFC 7741 §4.1, RFC 6184 §5.1, RFC 9628 §4.1, RFC 7798 §4.1,
/// AV1 RTP §4.1: the last packet of a temporal unit).
/// </param>
/// <param name="FrameStart">Whether this payload carries the start of the frame.</param>
public readonly record struct VideoRtpPayload(int Length, bool Marker, bool FrameStart);
