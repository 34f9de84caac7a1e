namespace RtcStack.WebRtc.Jsep;

/// <summary>The type of a session description given to <see cref="JsepSession"/> (RFC 8829 §4.1.10, W3C RTCSdpType).</summary>
public enum SdpType
{
    /// <summary>An offer (RFC 8829 §4.1.10.1).</summary>
    Offer,

    /// <summary>A provisional answer (RFC 8829 §4.1.10.1): moves to have-local-pranswer or have-remote-pranswer.</summary>
    Pranswer,

    /// <summary>A final answer: the exchange completes and the signaling state returns to stable.</summary>
    Answer,

    /// <summary>Cancels the pending offer of that side and restores the state before it (RFC 8829 §4.1.10.2).</summary>
    Rollback,
}
