namespace RtcStack.WebRtc.Streams;

/// <summary>
/// What the remote receiver says about one of our streams in its report blocks (RFC 3550 §6.4.1), shaped like the W3C
/// <c>RTCRemoteInboundRtpStreamStats</c> (webrtc-stats, type "remote-inbound-rtp").
/// </summary>
/// <param name="Ssrc">Our SSRC the blocks are about.</param>
/// <param name="ReportsReceived">reportsReceived: report blocks about us.</param>
/// <param name="FractionLost">fractionLost: the last block's fraction lost, 0-1.</param>
/// <param name="PacketsLost">packetsLost: the last block's cumulative number lost.</param>
/// <param name="Jitter">jitter: the last block's interarrival jitter, in seconds.</param>
/// <param name="RoundTripTime">roundTripTime: the last RTT from LSR/DLSR, or null before one.</param>
/// <param name="TotalRoundTripTime">totalRoundTripTime: the sum of the RTTs measured.</param>
/// <param name="RoundTripTimeMeasurements">roundTripTimeMeasurements.</param>
public readonly record struct RemoteInboundStats(
    uint Ssrc,
    long ReportsReceived,
    double FractionLost,
    int PacketsLost,
    double Jitter,
    TimeSpan? RoundTripTime,
    TimeSpan TotalRoundTripTime,
    long RoundTripTimeMeasurements);
