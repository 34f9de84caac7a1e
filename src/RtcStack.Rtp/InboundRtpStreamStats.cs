namespace RtcStack.Rtp;

/// <summary>
/// A snapshot of <see cref="RtpReceiverStatistics"/> named after the W3C <c>RTCInboundRtpStreamStats</c>
/// dictionary (webrtc-stats §8.2, type "inbound-rtp") where a member exists there, so people who
/// know browser stats recognise it; the rest are capture-analysis extras.
/// </summary>
/// <param name="Ssrc">RTCRtpStreamStats.ssrc.</param>
/// <param name="PacketsReceived">RTCReceivedRtpStreamStats.packetsReceived (RFC 3550 A.3 "received", duplicates included).</param>
/// <param name="PacketsLost">RTCReceivedRtpStreamStats.packetsLost (expected − received; negative with duplicates).</param>
/// <param name="Jitter">RTCReceivedRtpStreamStats.jitter, in seconds.</param>
/// <param name="ExtendedHighestSequenceNumber">Highest extended sequence number received.</param>
/// <param name="PacketsDuplicated">Duplicate packets.</param>
/// <param name="PacketsOutOfOrder">Packets that arrived after a higher sequence number.</param>
/// <param name="MaxSequenceGap">Longest run of sequence numbers skipped at once.</param>
/// <param name="MaxJitter">Largest jitter seen, in seconds.</param>
/// <param name="MeanJitter">Mean of the jitter after each packet, in seconds.</param>
public readonly record struct InboundRtpStreamStats(
    uint Ssrc,
    long PacketsReceived,
    long PacketsLost,
    double Jitter,
    long ExtendedHighestSequenceNumber,
    long PacketsDuplicated,
    long PacketsOutOfOrder,
    long MaxSequenceGap,
    double MaxJitter,
    double MeanJitter);
