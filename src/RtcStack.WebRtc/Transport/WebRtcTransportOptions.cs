using Microsoft.Extensions.Logging;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;

namespace RtcStack.WebRtc.Transport;

/// <summary>Configuration of a <see cref="WebRtcTransport"/>. Defaults follow what browsers do.</summary>
public sealed class WebRtcTransportOptions
{
    /// <summary>
    /// Gets or sets the DTLS certificate (RFC 8827 §6.5: both sides present one). Share one between transports of a
    /// server: generating one costs milliseconds. Null generates one per transport, which it disposes.
    /// </summary>
    public DtlsCertificate? Certificate { get; set; }

    /// <summary>
    /// Gets or sets the wall clock. A generated certificate's validity starts a day before its time at construction (as
    /// browsers date theirs), read only when <see cref="Certificate"/> is null; a <see cref="WebRtcSession"/> reads it
    /// once more, the first time it needs NTP time for an SR or XR (unless <see cref="WebRtcSessionOptions.WallClockAtZero"/>
    /// is given). Protocol timing never uses it: that runs on the <c>now</c> the caller gives.
    /// </summary>
    public TimeProvider WallClock { get; set; } = TimeProvider.System;

    /// <summary>Gets the STUN and TURN servers ICE gathers from (RFC 8445 §5.1.1), resolved to addresses.</summary>
    public IList<IceServer> IceServers { get; } = new List<IceServer>();

    /// <summary>Gets or sets a value indicating whether we are an ICE lite agent (RFC 8445 §2.5): host candidates only, no checks of our own.</summary>
    public bool IceLite { get; set; }

    /// <summary>Gets or sets which candidates are gathered and used (W3C iceTransportPolicy).</summary>
    public IceTransportPolicy IceTransportPolicy { get; set; } = IceTransportPolicy.All;

    /// <summary>Gets the 1:1 NAT mappings announced for host addresses (<see cref="IceAgentOptions.NatMappings"/>).</summary>
    public IList<IceNatMapping> NatMappings { get; } = new List<IceNatMapping>();

    /// <summary>Gets or sets how a NAT-mapped address is announced (<see cref="IceAgentOptions.NatCandidateType"/>).</summary>
    public IceCandidateType NatCandidateType { get; set; } = IceCandidateType.Host;

    /// <summary>Gets or sets the consent freshness interval (RFC 7675 §5.1); null keeps the agent's 5 s.</summary>
    public TimeSpan? IceConsentInterval { get; set; }

    /// <summary>Gets or sets how long without responses before ICE is disconnected; null keeps the agent's default.</summary>
    public TimeSpan? IceDisconnectedTimeout { get; set; }

    /// <summary>
    /// Gets the SRTP protection profiles offered (as DTLS client) or accepted (as DTLS server), most preferred first
    /// (RFC 5764 §4.1.1). Browsers support AEAD_AES_128_GCM and AES128_CM_HMAC_SHA1_80.
    /// </summary>
    public IList<SrtpProfile> SrtpProfiles { get; } = new List<SrtpProfile>
    {
        SrtpProfile.AeadAes128Gcm,
        SrtpProfile.Aes128CmHmacSha1_80,
    };

    /// <summary>
    /// Gets or sets a value indicating whether our DTLS server sends a HelloVerifyRequest (RFC 6347 §4.2.1). Off by
    /// default: ICE has verified the peer's address (RFC 8445 §7, RFC 7675), as libwebrtc also assumes.
    /// </summary>
    public bool DtlsRequireCookie { get; set; }

    /// <summary>
    /// Gets or sets the highest DTLS version offered (as DTLS client) or accepted (as DTLS server). DTLS 1.3 by default,
    /// as browsers do: a client offers 1.3 and 1.2 in supported_versions (RFC 9147 §5.3, RFC 8446 §4.2.1) and a server
    /// answers 1.3 to a client that offers it and 1.2 to one that does not, so 1.2-only peers still connect.
    /// <see cref="DtlsVersion.Dtls12"/> pins DTLS 1.2 (RFC 6347): no supported_versions offered, a 1.3 offer answered with 1.2.
    /// </summary>
    public DtlsVersion DtlsMaxVersion { get; set; } = DtlsVersion.Dtls13;

    /// <summary>
    /// Gets or sets the lowest DTLS version accepted. DTLS 1.2 by default, so 1.2-only peers connect.
    /// <see cref="DtlsVersion.Dtls13"/> (with <see cref="DtlsMaxVersion"/> = DTLS 1.3) requires 1.3: as DTLS client we
    /// offer only 1.3 in supported_versions (RFC 8446 §4.2.1) and refuse a 1.2 ServerHello; as DTLS server we refuse a
    /// ClientHello without 1.3. Either way the handshake ends with a protocol_version alert and the transport fails
    /// with <see cref="DtlsError.UnsupportedVersion"/> (RFC 8446 §D.1, §D.2, §4.2.1; RFC 9147 §5.3).
    /// </summary>
    public DtlsVersion DtlsMinVersion { get; set; } = DtlsVersion.Dtls12;

    /// <summary>
    /// Gets the DTLS 1.3 key share groups, most preferred first (RFC 8446 §4.2.7-§4.2.8): as DTLS client we send a share
    /// of the first (and of X25519 with the hybrid, as browsers do); as DTLS server we take the first the client sent a
    /// share of, else ask for one with a HelloRetryRequest (RFC 8446 §4.1.4). X25519MLKEM768 (0x11EC) first, as
    /// Chromium and Firefox prefer it.
    /// </summary>
    public IList<DtlsNamedGroup> Dtls13Groups { get; } = new List<DtlsNamedGroup> { DtlsNamedGroup.X25519MlKem768, DtlsNamedGroup.X25519, DtlsNamedGroup.Secp256r1 };

    /// <summary>Gets or sets the DTLS MTU: records and handshake fragments are cut to fit (RFC 6347 §4.1.1.1).</summary>
    public int DtlsMtu { get; set; } = 1200;

    /// <summary>Gets or sets the first DTLS retransmission timeout (RFC 6347 §4.2.4.1 says 1 s; browsers use less).</summary>
    public TimeSpan DtlsInitialRetransmitTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the DTLS handshake limit, from the handshake's start.</summary>
    public TimeSpan DtlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the SRTP and SRTCP replay window in packets (RFC 3711 §3.3.2: at least 64).</summary>
    public int SrtpReplayWindow { get; set; } = SrtpOptions.DefaultReplayWindowSize;

    /// <summary>Gets or sets the random source for ICE credentials, tie-breaker and timer jitter (tests pass a seeded one); null is cryptographic.</summary>
    public Random? Random { get; set; }

    /// <summary>Gets or sets the logger.</summary>
    public ILogger? Logger { get; set; }
}
