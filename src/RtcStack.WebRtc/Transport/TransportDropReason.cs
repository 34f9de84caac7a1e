namespace RtcStack.WebRtc.Transport;

/// <summary>Why <see cref="WebRtcTransport.HandleDatagram"/> dropped a datagram; each is counted in <see cref="TransportCounters"/>.</summary>
public enum TransportDropReason
{
    /// <summary>Not dropped.</summary>
    None,

    /// <summary>
    /// Too early: SRTP or SRTCP before DTLS-SRTP produced keys (RFC 5764 §4.2), or anything but an unknown class before
    /// ICE was started (<see cref="WebRtcTransport.StartGathering"/> or <see cref="WebRtcTransport.Start"/>).
    /// </summary>
    NotConnected,

    /// <summary>
    /// A class this transport does not take (RFC 7983 §7): empty, a first byte in no range, ZRTP (16-19), or TURN
    /// ChannelData (64-79) from an address that is no TURN server of ours.
    /// </summary>
    Unknown,

    /// <summary>
    /// Not for this transport: DTLS, RTP or RTCP from a route ICE has not validated (RFC 8445 §12.1), or STUN/TURN ICE did
    /// not take (malformed, a bad FINGERPRINT, a response to no transaction of ours, another method).
    /// </summary>
    NotForUs,

    /// <summary>The SRTP or SRTCP authentication tag did not verify (RFC 3711 §3.3 step 5, RFC 7714 §10.2).</summary>
    AuthenticationFailed,

    /// <summary>The SRTP or SRTCP index was already received or is older than the replay window (RFC 3711 §3.3.2).</summary>
    Replayed,

    /// <summary>The datagram is larger than <see cref="WebRtcTransport.MaxDatagramSize"/> (plus TURN framing on a TURN stream).</summary>
    TooLarge,

    /// <summary>An SRTP or SRTCP packet too short or with a header inconsistent with its length.</summary>
    Malformed,

    /// <summary>The caller's plaintext buffer cannot hold the packet.</summary>
    BufferTooSmall,

    /// <summary>The inbound key reached its packet limit (RFC 3711 §9.2); the transport needs new keys.</summary>
    KeyLimitReached,

    /// <summary>DTLS arrived before the handshake could start and the hold queue (32 datagrams) was full.</summary>
    HoldQueueFull,

    /// <summary>The transport is closed (by us or by the peer's close_notify) or failed.</summary>
    Closed,
}
