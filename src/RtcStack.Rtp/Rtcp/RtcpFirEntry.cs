namespace RtcStack.Rtp.Rtcp;

/// <summary>One FIR FCI entry (RFC 5104 §4.3.1.1): the media sender asked for a decoder refresh and the request's sequence number.</summary>
/// <param name="Ssrc">SSRC of the media sender that should send a decoder refresh point.</param>
/// <param name="SequenceNumber">Command sequence number, incremented for each new request (RFC 5104 §4.3.1.1).</param>
public readonly record struct RtcpFirEntry(uint Ssrc, byte SequenceNumber);
