namespace RtcStack.WebRtc.Transport;

/// <summary>Which owner's timer a <see cref="TransportTimeout"/> belongs to.</summary>
public enum TransportTimerReason
{
    /// <summary>An ICE connectivity check: the next paced check or a retransmission (RFC 8445 §6.1.4.2, §14.3).</summary>
    IceCheck,

    /// <summary>An ICE server-reflexive gathering request (RFC 8445 §5.1.1.2).</summary>
    IceGathering,

    /// <summary>The controlling ICE agent's nomination wait (RFC 8445 §8.1.1).</summary>
    IceNomination,

    /// <summary>ICE consent freshness or its loss (RFC 7675 §5.1).</summary>
    IceConsent,

    /// <summary>An ICE keepalive (RFC 8445 §11).</summary>
    IceKeepalive,

    /// <summary>A TURN client's refresh, permission or allocation timer (RFC 8656).</summary>
    TurnRefresh,

    /// <summary>The DTLS handshake: a flight retransmission (RFC 6347 §4.2.4.1) or the handshake limit.</summary>
    DtlsRetransmit,
}
