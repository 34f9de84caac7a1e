namespace RtcStack.WebRtc.Jsep;

/// <summary>The offer/answer state (RFC 8829 §3.2 and the W3C RTCSignalingState machine it follows).</summary>
public enum SignalingState
{
    /// <summary>No exchange in progress: an offer may be created or applied.</summary>
    Stable,

    /// <summary>Our offer was applied locally; the remote answer is awaited.</summary>
    HaveLocalOffer,

    /// <summary>A remote offer was applied; our answer is awaited.</summary>
    HaveRemoteOffer,

    /// <summary>A remote offer and our provisional answer are applied.</summary>
    HaveLocalPranswer,

    /// <summary>Our offer and the remote provisional answer are applied.</summary>
    HaveRemotePranswer,
}
