using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <summary>Something a <see cref="PeerSession"/> reports through <see cref="PeerSession.TryPollEvent"/>.</summary>
public abstract record PeerSessionEvent;

/// <summary>The aggregate connection state changed (webrtc-pc <c>connectionstatechange</c>).</summary>
/// <param name="State">The new state.</param>
/// <param name="At">The session time of the change.</param>
public sealed record PeerConnectionStateChangedEvent(PeerConnectionState State, TimeSpan At) : PeerSessionEvent;

/// <summary>A local ICE candidate was gathered (RFC 8838 §4: trickle it to the peer).</summary>
/// <param name="Candidate">The candidate; <c>ToString()</c> gives the <c>candidate:...</c> attribute.</param>
public sealed record LocalCandidateEvent(IceCandidate Candidate) : PeerSessionEvent;

/// <summary>Local gathering finished (RFC 8838 §4: signal end-of-candidates).</summary>
public sealed record GatheringCompleteEvent : PeerSessionEvent;

/// <summary>ICE changed its state (shaped like RTCIceTransportState).</summary>
/// <param name="State">The new ICE state.</param>
public sealed record IceStateChangedEvent(IceConnectionState State) : PeerSessionEvent;

/// <summary>ICE selected a (new) candidate pair (RFC 8445 §8.1.1).</summary>
/// <param name="Pair">The selected pair.</param>
public sealed record SelectedPairChangedEvent(IceCandidatePair Pair) : PeerSessionEvent;

/// <summary>
/// The DTLS handshake finished, the peer's certificate matched its signalled fingerprint (RFC 8122
/// §5) and SRTP is keyed from the DTLS exporter (RFC 5764 §4.2).
/// </summary>
/// <param name="Role">Our DTLS role.</param>
/// <param name="CipherSuite">The negotiated DTLS cipher suite.</param>
/// <param name="SrtpProfile">The negotiated SRTP protection profile (RFC 5764 §4.1.2).</param>
public sealed record DtlsConnectedSessionEvent(DtlsRole Role, DtlsCipherSuite CipherSuite, SrtpProfile SrtpProfile) : PeerSessionEvent;

/// <summary>The DTLS handshake or connection failed.</summary>
/// <param name="Error">The DTLS error.</param>
/// <param name="Message">A human-readable reason.</param>
public sealed record DtlsFailedSessionEvent(DtlsError Error, string Message) : PeerSessionEvent;

/// <summary>The first RTP packet of a new remote source arrived (webrtc-pc <c>track</c>, roughly).</summary>
/// <param name="Ssrc">The remote SSRC.</param>
/// <param name="PayloadType">Its payload type.</param>
public sealed record RemoteSourceStartedEvent(uint Ssrc, int PayloadType) : PeerSessionEvent;

/// <summary>The peer sent an RTCP BYE for a source (RFC 3550 §6.6).</summary>
/// <param name="Ssrc">The source leaving.</param>
/// <param name="Reason">The reason text, if any.</param>
public sealed record RemoteGoodbyeEvent(uint Ssrc, string? Reason) : PeerSessionEvent;
