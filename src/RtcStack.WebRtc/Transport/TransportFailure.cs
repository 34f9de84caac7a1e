namespace RtcStack.WebRtc.Transport;

/// <summary>Why a <see cref="WebRtcTransport"/> failed (<see cref="TransportFailedEvent"/>).</summary>
public enum TransportFailure
{
    /// <summary>ICE failed: every pair failed after the remote candidates ended (RFC 8445 §8.1.2), or consent was lost for good.</summary>
    IceFailed,

    /// <summary>The DTLS handshake or connection failed (<see cref="TransportFailedEvent.DtlsError"/> says how).</summary>
    DtlsFailed,

    /// <summary>DTLS connected without an SRTP protection profile both sides support (RFC 5764 §4.1.2).</summary>
    NoCommonSrtpProfile,
}
