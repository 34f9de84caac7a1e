namespace RtcStack.Opus;

/// <summary>One RTP payload produced by <see cref="OpusRtpPacketizer"/>: where it goes in the RTP header (RFC 7587 §4.1).</summary>
/// <param name="Length">The payload length written to the caller's buffer (exactly one Opus packet, RFC 7587 §4.2).</param>
/// <param name="Timestamp">The RTP timestamp: the 48 kHz sample time of the first sample, whatever the bandwidth (RFC 7587 §4.1).</param>
/// <param name="Marker">The RTP marker bit: first packet of the stream or of a talkspurt after DTX (RFC 3551 §4.1).</param>
/// <param name="SampleCount">The payload duration in 48 kHz samples (the timestamp increment).</param>
public readonly record struct OpusRtpPayload(int Length, uint Timestamp, bool Marker, int SampleCount);
