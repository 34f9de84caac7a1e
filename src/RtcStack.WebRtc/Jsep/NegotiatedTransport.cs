using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// The transport parameters a completed exchange gives the BUNDLE transport (RFC 8843 §7.1.3: taken once, from the
/// tagged m= section): the remote ICE credentials, lite flag, options and candidates (RFC 8839 §5), the remote
/// certificate fingerprints (RFC 8122 §5), our DTLS role from "a=setup" (RFC 8842 §5), whether we control ICE
/// (RFC 8445 §6.1.1) and whether the remote side restarted ICE (RFC 8839 §4.4.1.1.1: new ufrag and password).
/// </summary>
public sealed class NegotiatedTransport
{
    /// <summary>Gets the mid of the m= section the transport attributes were read from.</summary>
    public required string? TaggedMid { get; init; }

    /// <summary>Gets the mids sharing the transport (the BUNDLE group, RFC 8843).</summary>
    public required IReadOnlyList<string> BundleMids { get; init; }

    /// <summary>Gets the remote ICE username fragment.</summary>
    public required string RemoteIceUfrag { get; init; }

    /// <summary>Gets the remote ICE password.</summary>
    public required string RemoteIcePwd { get; init; }

    /// <summary>Gets a value indicating whether the remote side is ICE lite.</summary>
    public required bool RemoteIceLite { get; init; }

    /// <summary>Gets the remote "a=ice-options".</summary>
    public IReadOnlyList<string> RemoteIceOptions { get; init; } = [];

    /// <summary>Gets the remote candidates ("a=candidate" values of the tagged section).</summary>
    public IReadOnlyList<string> RemoteCandidates { get; init; } = [];

    /// <summary>Gets a value indicating whether the remote side signalled "a=end-of-candidates".</summary>
    public bool RemoteEndOfCandidates { get; init; }

    /// <summary>Gets the remote certificate fingerprints.</summary>
    public required IReadOnlyList<SdpFingerprint> RemoteFingerprints { get; init; }

    /// <summary>Gets our "a=setup" role: <see cref="SetupRole.Active"/> makes us the DTLS client, <see cref="SetupRole.Passive"/> the server (RFC 8842 §5.3).</summary>
    public required SetupRole LocalSetup { get; init; }

    /// <summary>Gets a value indicating whether we are the DTLS client.</summary>
    public bool IsDtlsClient => LocalSetup == SetupRole.Active;

    /// <summary>Gets a value indicating whether we take the controlling ICE role (RFC 8445 §6.1.1, RFC 8829 §5.8: the offerer, unless it is lite and the peer is not).</summary>
    public required bool IceControlling { get; init; }

    /// <summary>Gets a value indicating whether this exchange changed the remote ufrag and password of an earlier one (an ICE restart).</summary>
    public required bool IceRestart { get; init; }
}
