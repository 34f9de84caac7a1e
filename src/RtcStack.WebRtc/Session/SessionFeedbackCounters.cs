namespace RtcStack.WebRtc;

/// <summary>
/// What a <see cref="WebRtcSession"/> did with transport-wide congestion control feedback
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01) and RTCP XR receiver RTT (RFC 3611 §4.4-4.5).
/// </summary>
public sealed class SessionFeedbackCounters
{
    /// <summary>Gets the RTP packets we sent carrying a transport-wide sequence number (§2), RTX included.</summary>
    public long PacketsStamped { get; internal set; }

    /// <summary>Gets the received RTP packets whose transport-wide sequence number was recorded for our feedback.</summary>
    public long PacketsRecorded { get; internal set; }

    /// <summary>Gets the transport feedback packets (RTPFB FMT 15, §3.1) we sent.</summary>
    public long TransportFeedbackSent { get; internal set; }

    /// <summary>Gets the transport feedback packets we received and parsed.</summary>
    public long TransportFeedbackReceived { get; internal set; }

    /// <summary>Gets the per-packet results matched to a packet we sent (send time from the sent-packet history).</summary>
    public long PacketsReported { get; internal set; }

    /// <summary>Gets how many of <see cref="PacketsReported"/> the peer reported as not received.</summary>
    public long PacketsReportedLost { get; internal set; }

    /// <summary>Gets feedback entries for sequence numbers we never sent or no longer remember (ignored).</summary>
    public long UnknownPacketsReported { get; internal set; }

    /// <summary>Gets the RTCP XR packets received (RFC 3611 §2).</summary>
    public long ExtendedReportsReceived { get; internal set; }

    /// <summary>Gets the round-trip time measured last from an XR DLRR block about our RRTR (RFC 3611 §4.5), if any.</summary>
    public TimeSpan? XrRoundTripTime { get; internal set; }

    /// <summary>Gets the sum of every XR round-trip time measured (W3C <c>totalRoundTripTime</c> of remote-outbound-rtp).</summary>
    public TimeSpan TotalXrRoundTripTime { get; internal set; }

    /// <summary>Gets how many XR round-trip times were measured (W3C <c>roundTripTimeMeasurements</c>).</summary>
    public long XrRoundTripTimeMeasurements { get; internal set; }

    /// <summary>Gets the RFC 8888 congestion control feedback packets sent (RTPFB FMT 11).</summary>
    public long CcfbSent { get; internal set; }

    /// <summary>Gets the RFC 8888 feedback packets received and fed to the controller.</summary>
    public long CcfbReceived { get; internal set; }

    /// <summary>
    /// Gets the feedback packets received in the format not negotiated and not used: transport-cc while RFC 8888 is
    /// negotiated, or RFC 8888 while it is not.
    /// </summary>
    public long FeedbackIgnored { get; internal set; }
}
