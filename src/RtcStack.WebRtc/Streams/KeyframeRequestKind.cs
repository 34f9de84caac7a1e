namespace RtcStack.WebRtc.Streams;

/// <summary>How a key frame is asked for.</summary>
public enum KeyframeRequestKind
{
    /// <summary>Picture Loss Indication (RFC 4585 §6.3.1).</summary>
    Pli,

    /// <summary>Full Intra Request (RFC 5104 §4.3.1), with a sequence number per request.</summary>
    Fir,
}
