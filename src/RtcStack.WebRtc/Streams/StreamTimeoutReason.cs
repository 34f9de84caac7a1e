namespace RtcStack.WebRtc.Streams;

/// <summary>Why a stream wants <c>HandleTimeout</c> (or the session's next poll) at a given instant.</summary>
public enum StreamTimeoutReason
{
    /// <summary>A NACK (RFC 4585 §6.2.1) is due: a first request, or a retry of one not answered within an RTT.</summary>
    NackRetry,

    /// <summary>A key frame request (PLI, RFC 4585 §6.3.1, or FIR, RFC 5104 §4.3.1) waits for its rate limit to pass.</summary>
    KeyframeRequest,

    /// <summary>A frame waiting for a retransmission reaches its deadline and is given up.</summary>
    FrameDeadline,
}
