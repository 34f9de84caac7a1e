namespace RtcStack.WebRtc.Transport;

/// <summary>What <see cref="WebRtcTransport.HandleDatagram"/> did with a datagram.</summary>
public enum TransportReceiveKind
{
    /// <summary>An SRTP packet (RFC 3711 §3.3), authenticated and decrypted: plaintext RTP in the caller's buffer.</summary>
    Rtp,

    /// <summary>An SRTCP packet (RFC 3711 §3.4), authenticated and decrypted: plaintext RTCP in the caller's buffer.</summary>
    Rtcp,

    /// <summary>STUN or TURN taken by ICE, or DTLS taken (or held until the handshake starts) by DTLS.</summary>
    Consumed,

    /// <summary>Dropped; <see cref="TransportReceive.DropReason"/> says why and <see cref="TransportCounters"/> counts it.</summary>
    Dropped,
}
