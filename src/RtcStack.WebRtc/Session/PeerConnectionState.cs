namespace RtcStack.WebRtc;

/// <summary>
/// The aggregate state of a <see cref="WebRtcSession"/>, with the values and meaning of the W3C
/// <c>RTCPeerConnectionState</c> (webrtc-pc §4.3.3): derived from the ICE transport and the DTLS
/// transport together.
/// </summary>
public enum PeerConnectionState
{
    /// <summary>Neither ICE nor DTLS has started.</summary>
    New,

    /// <summary>ICE is checking or DTLS is handshaking, and nothing has failed.</summary>
    Connecting,

    /// <summary>ICE has a selected pair and DTLS is connected: SRTP flows.</summary>
    Connected,

    /// <summary>ICE lost its selected pair for a while; it may come back (webrtc-pc "disconnected").</summary>
    Disconnected,

    /// <summary>ICE failed, consent was lost, or the DTLS handshake failed or did not verify.</summary>
    Failed,

    /// <summary>The session was closed (locally, or by a DTLS close_notify from the peer).</summary>
    Closed,
}
