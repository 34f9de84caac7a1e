using RtcStack.Dtls;
using RtcStack.Ice;

namespace RtcStack.WebRtc.Transport;

/// <summary>
/// What offer/answer negotiated for a <see cref="WebRtcTransport"/> (from JSEP, RFC 8829): the peer's ICE credentials
/// and implementation (RFC 8839 §5.3-5.4), the fingerprints its DTLS certificate must match (RFC 8122 §5), our DTLS
/// role (RFC 8842 §5: a=setup active is the client) and whether our ICE agent controls (RFC 8445 §6.1.1: the offerer,
/// unless a lite peer makes a full agent control).
/// </summary>
public sealed record TransportParameters
{
    /// <summary>Gets the peer's ice-ufrag and ice-pwd.</summary>
    public required IceCredentials RemoteIce { get; init; }

    /// <summary>Gets a value indicating whether the peer is an ICE lite agent (a=ice-lite).</summary>
    public bool RemoteIceLite { get; init; }

    /// <summary>Gets the peer's certificate fingerprints (a=fingerprint); at least one is required (RFC 8827 §6.5).</summary>
    public required IReadOnlyList<DtlsFingerprint> RemoteFingerprints { get; init; }

    /// <summary>Gets our DTLS role: <see cref="DtlsRole.Client"/> when we answered or offered a=setup:active.</summary>
    public required DtlsRole LocalDtlsRole { get; init; }

    /// <summary>Gets a value indicating whether our ICE agent starts controlling (JSEP: the offerer).</summary>
    public required bool IceControlling { get; init; }

    /// <summary>Gets the remote candidates signalled with the description (component 1; others are ignored).</summary>
    public IReadOnlyList<IceCandidate> RemoteCandidates { get; init; } = [];

    /// <summary>Gets a value indicating whether the description carried a=end-of-candidates (RFC 8838 §14).</summary>
    public bool RemoteEndOfCandidates { get; init; }
}
