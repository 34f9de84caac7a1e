namespace RtcStack.WebRtc.Transport;

/// <summary>
/// The aggregate state of a <see cref="WebRtcTransport"/>, shaped like W3C <c>RTCPeerConnectionState</c> (webrtc-pc
/// §4.3.3) for one transport: ICE and DTLS together.
/// </summary>
public enum TransportState
{
    /// <summary>Nothing started: ICE has not begun checking and DTLS has not begun its handshake.</summary>
    New,

    /// <summary>ICE is checking or DTLS is handshaking, and nothing failed.</summary>
    Connecting,

    /// <summary>ICE has a pair and DTLS-SRTP keys exist (during an ICE restart the old pair keeps the state connected).</summary>
    Connected,

    /// <summary>ICE lost connectivity for a while (RFC 7675); it may come back.</summary>
    Disconnected,

    /// <summary>ICE failed, or DTLS failed (handshake, fingerprint, no SRTP profile in common). A DTLS failure is final; an ICE restart can recover from an ICE failure.</summary>
    Failed,

    /// <summary>Closed by <see cref="WebRtcTransport.Close"/> or by the peer's close_notify (RFC 5246 §7.2.1). Final.</summary>
    Closed,
}
