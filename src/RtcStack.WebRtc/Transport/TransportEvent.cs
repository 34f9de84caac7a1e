using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;

namespace RtcStack.WebRtc.Transport;

/// <summary>Something a <see cref="WebRtcTransport"/> reports through <see cref="WebRtcTransport.TryPollEvent"/>.</summary>
public abstract record TransportEvent;

/// <summary>A local candidate to signal (trickle ICE, RFC 8838 §8.1); after an ICE restart every candidate is reported again.</summary>
/// <param name="Candidate">The candidate.</param>
public sealed record TransportCandidateEvent(IceCandidate Candidate) : TransportEvent;

/// <summary>Gathering finished: a=end-of-candidates may be signalled (RFC 8838 §8.2).</summary>
public sealed record TransportGatheringCompleteEvent : TransportEvent;

/// <summary>The ICE connection state changed (W3C <c>RTCIceTransportState</c>).</summary>
/// <param name="State">The new state.</param>
public sealed record TransportIceStateEvent(IceConnectionState State) : TransportEvent;

/// <summary>ICE selected a (new) pair for component 1 (RFC 8445 §8.1.1): everything now goes over it.</summary>
/// <param name="Pair">The selected pair.</param>
public sealed record TransportSelectedPairEvent(IceCandidatePair Pair) : TransportEvent;

/// <summary>DTLS connected and SRTP is keyed (RFC 5764 §4.2): media can flow.</summary>
/// <param name="Role">Our DTLS role.</param>
/// <param name="CipherSuite">The DTLS cipher suite.</param>
/// <param name="SrtpProfile">The SRTP protection profile negotiated in use_srtp (RFC 5764 §4.1.2).</param>
public sealed record TransportDtlsConnectedEvent(DtlsRole Role, DtlsCipherSuite CipherSuite, SrtpProfile SrtpProfile) : TransportEvent
{
    /// <summary>Gets the negotiated DTLS version: 1.3 (RFC 9147) or 1.2 (RFC 6347).</summary>
    public DtlsVersion Version { get; init; } = DtlsVersion.Dtls12;

    /// <summary>Gets the key exchange group (RFC 8446 §4.2.8 key_share, or the DTLS 1.2 ECDHE curve), or null when unknown.</summary>
    public DtlsNamedGroup? Group { get; init; }
}

/// <summary>The transport failed; <see cref="WebRtcTransport.State"/> is <see cref="TransportState.Failed"/>.</summary>
/// <param name="Failure">What failed.</param>
/// <param name="DtlsError">DTLS's reason when <paramref name="Failure"/> concerns DTLS, otherwise null.</param>
/// <param name="Message">A description for logs.</param>
public sealed record TransportFailedEvent(TransportFailure Failure, DtlsError? DtlsError, string Message) : TransportEvent;

/// <summary>
/// A DTLS application data record arrived (RFC 8261 §3: each carries one SCTP packet for the data channels). Raised only
/// after DTLS connected; the bytes are the record's plaintext.
/// </summary>
/// <param name="Data">The plaintext.</param>
public sealed record TransportApplicationDataEvent(ReadOnlyMemory<byte> Data) : TransportEvent;

/// <summary>The peer sent a DTLS close_notify (RFC 5246 §7.2.1): it closed the association; the state is <see cref="TransportState.Closed"/>.</summary>
public sealed record TransportClosedByPeerEvent : TransportEvent;

/// <summary>The aggregate <see cref="TransportState"/> changed.</summary>
/// <param name="State">The new state.</param>
/// <param name="At">The time of the input that changed it.</param>
public sealed record TransportStateChangedEvent(TransportState State, TimeSpan At) : TransportEvent;
