namespace RtcStack.Sdp;

/// <summary>The direction of an "a=rid" line (RFC 8851 §10).</summary>
public enum RidDirection
{
    /// <summary>"send": the writer sends this RTP stream.</summary>
    Send,

    /// <summary>"recv": the writer receives this RTP stream.</summary>
    Receive,
}
