namespace RtcStack.WebRtc.Streams;

/// <summary>A peer asked the sender of a stream for a key frame; the session turns it into an event for the encoder.</summary>
/// <param name="Kind">PLI (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1).</param>
/// <param name="RequesterSsrc">The SSRC of the packet sender that asked.</param>
/// <param name="At">When the (first, if several were merged) request arrived.</param>
public readonly record struct KeyframeRequest(KeyframeRequestKind Kind, uint RequesterSsrc, TimeSpan At);
