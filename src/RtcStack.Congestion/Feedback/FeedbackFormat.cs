namespace RtcStack.Congestion.Feedback;

/// <summary>Which congestion-control feedback the receiver sends.</summary>
public enum FeedbackFormat
{
    /// <summary>Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
    Twcc,

    /// <summary>RTP Control Protocol (RTCP) Feedback for Congestion Control (RFC 8888 §3.1).</summary>
    Rfc8888,
}
