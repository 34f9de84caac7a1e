namespace RtcStack.WebRtc.Transport;

/// <summary>The outcome of <see cref="WebRtcTransport.SendRtp"/> and <see cref="WebRtcTransport.SendRtcp"/>.</summary>
public enum TransportSendStatus
{
    /// <summary>Protected and queued for <see cref="WebRtcTransport.TryPollTransmit"/>.</summary>
    Sent,

    /// <summary>No SRTP keys yet: DTLS-SRTP has not connected (RFC 5764 §4.2).</summary>
    NotConnected,

    /// <summary>ICE has no selected pair, or consent was lost on it (RFC 7675 §5.1: stop sending).</summary>
    NoSelectedPair,

    /// <summary>The protected packet would exceed <see cref="WebRtcTransport.MaxDatagramSize"/>.</summary>
    TooLarge,

    /// <summary>The packet is not RTP (or RTCP) that SRTP can protect: too short or an inconsistent header.</summary>
    Malformed,

    /// <summary>The outbound key reached its packet limit (RFC 3711 §9.2).</summary>
    KeyLimitReached,

    /// <summary>The transmit queue holds <see cref="WebRtcTransport.MaxQueuedTransmits"/> datagrams: the driver is not draining it.</summary>
    QueueFull,

    /// <summary>The transport is closed or failed.</summary>
    Closed,
}
