namespace RtcStack.Srtp;

/// <summary>
/// A snapshot of one stream's SRTP/SRTCP counters, shaped after the W3C <c>inbound-rtp</c> /
/// <c>outbound-rtp</c> statistics where they overlap.
/// </summary>
/// <param name="Ssrc">The stream's SSRC.</param>
/// <param name="Roc">The rollover counter of the highest SRTP index (RFC 3711 §3.2.1).</param>
/// <param name="HighestSequenceNumber">s_l, the highest sequence number seen (or sent).</param>
/// <param name="RtpPackets">SRTP packets protected or accepted.</param>
/// <param name="RtpBytes">Bytes of those packets before protection (after unprotection).</param>
/// <param name="RtcpPackets">SRTCP packets protected or accepted.</param>
/// <param name="AuthenticationFailures">Packets of this SSRC that failed authentication.</param>
/// <param name="ReplaysRejected">Packets of this SSRC rejected as replayed or too old.</param>
public readonly record struct SrtpStreamStatistics(
    uint Ssrc,
    uint Roc,
    ushort HighestSequenceNumber,
    long RtpPackets,
    long RtpBytes,
    long RtcpPackets,
    long AuthenticationFailures,
    long ReplaysRejected);
