using Microsoft.Extensions.Logging;
using RtcStack.Srtp;

namespace RtcStack.Dtls;

/// <summary>Configuration of a <see cref="DtlsEndpoint"/>.</summary>
public sealed class DtlsOptions
{
    /// <summary>Gets or sets this endpoint's certificate and key (required). Both sides present one: RFC 8827 §6.5.</summary>
    public DtlsCertificate? Certificate { get; set; }

    /// <summary>
    /// Gets the fingerprints of the peer's certificate from signalling (RFC 8122 §5; SDP
    /// <c>a=fingerprint</c>). The peer's end-entity certificate must match one of them. More can
    /// be added with <see cref="DtlsEndpoint.AddRemoteFingerprint"/> until the certificate arrives.
    /// </summary>
    public IList<DtlsFingerprint> RemoteFingerprints { get; } = new List<DtlsFingerprint>();

    /// <summary>
    /// Gets or sets a value indicating whether a peer certificate is accepted without any
    /// fingerprint to check it against. Off by default: WebRTC always has one (RFC 8827 §6.5).
    /// </summary>
    public bool AcceptAnyRemoteCertificate { get; set; }

    /// <summary>
    /// Gets the SRTP protection profiles offered or accepted, most preferred first (RFC 5764 §4.1.1).
    /// Empty disables use_srtp (plain DTLS, e.g. for data channels only).
    /// </summary>
    public IList<SrtpProfile> SrtpProfiles { get; } = new List<SrtpProfile>
    {
        SrtpProfile.AeadAes128Gcm,
        SrtpProfile.AeadAes256Gcm,
        SrtpProfile.Aes128CmHmacSha1_80,
        SrtpProfile.Aes128CmHmacSha1_32,
    };

    /// <summary>Gets the cipher suites, most preferred first.</summary>
    public IList<DtlsCipherSuite> CipherSuites { get; } = new List<DtlsCipherSuite>
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256,
        DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384,
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256,
        DtlsCipherSuite.EcdheRsaWithAes128GcmSha256,
        DtlsCipherSuite.EcdheRsaWithAes256GcmSha384,
        DtlsCipherSuite.EcdheRsaWithChaCha20Poly1305Sha256,
    };

    /// <summary>
    /// Gets or sets the highest version offered (client) or accepted (server). DTLS 1.2 by default;
    /// with <see cref="DtlsVersion.Dtls13"/> a client offers 1.3 and 1.2 (RFC 9147 §5.3
    /// supported_versions) and a server answers 1.3 to a client that offers it and 1.2 otherwise.
    /// </summary>
    public DtlsVersion MaxVersion { get; set; } = DtlsVersion.Dtls12;

    /// <summary>
    /// Gets or sets the lowest version accepted. DTLS 1.2 by default. With <see cref="DtlsVersion.Dtls13"/>
    /// (which needs <see cref="MaxVersion"/> = DTLS 1.3) the endpoint is 1.3-only: a client lists only
    /// 1.3 in supported_versions (RFC 8446 §4.2.1) and refuses a 1.2 ServerHello with a protocol_version
    /// alert; a server refuses a ClientHello that does not offer 1.3 with a protocol_version alert (after
    /// the cookie exchange, when one is required). Both fail with <see cref="DtlsError.UnsupportedVersion"/>.
    /// </summary>
    public DtlsVersion MinVersion { get; set; } = DtlsVersion.Dtls12;

    /// <summary>
    /// Gets the DTLS 1.3 key share groups (RFC 8446 §4.2.7-§4.2.8), most preferred first. A client
    /// sends a share of the first (and of X25519 too when the first is the hybrid, as browsers do);
    /// a server takes the first of these the client sent a share of, else asks for one with a
    /// HelloRetryRequest.
    /// </summary>
    public IList<DtlsNamedGroup> Dtls13Groups { get; } = new List<DtlsNamedGroup> { DtlsNamedGroup.X25519MlKem768, DtlsNamedGroup.X25519, DtlsNamedGroup.Secp256r1 };

    /// <summary>Gets the DTLS 1.3 cipher suites (RFC 8446 §B.4), most preferred first.</summary>
    public IList<DtlsCipherSuite> Dtls13CipherSuites { get; } = new List<DtlsCipherSuite> { DtlsCipherSuite.Tls13Aes128GcmSha256, DtlsCipherSuite.Tls13Aes256GcmSha384 };

    /// <summary>Gets the ECDHE groups of DTLS 1.2, most preferred first.</summary>
    public IList<DtlsNamedGroup> NamedGroups { get; } = new List<DtlsNamedGroup> { DtlsNamedGroup.X25519, DtlsNamedGroup.Secp256r1 };

    /// <summary>
    /// Gets or sets a value indicating whether the server answers a ClientHello without a valid
    /// cookie with a HelloVerifyRequest (RFC 6347 §4.2.1). On by default.
    /// </summary>
    public bool RequireCookie { get; set; } = true;

    /// <summary>Gets or sets the largest datagram this endpoint sends (records and handshake fragments are cut to fit; RFC 6347 §4.1.1.1).</summary>
    public int Mtu { get; set; } = 1200;

    /// <summary>Gets or sets the first retransmission timeout (RFC 6347 §4.2.4.1: 1 s).</summary>
    public TimeSpan InitialRetransmitTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the retransmission timeout ceiling; the timeout doubles up to it (RFC 6347 §4.2.4.1: 60 s).</summary>
    public TimeSpan MaxRetransmitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the overall handshake limit measured from <see cref="DtlsEndpoint.Start"/>.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the largest handshake message accepted (bounds reassembly memory).</summary>
    public int MaxHandshakeMessageSize { get; set; } = 32 * 1024;

    /// <summary>Gets or sets the logger (default: none).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Gets or sets the secret keying the stateless cookie (RFC 6347 §4.2.1). Random per endpoint when null; share one between endpoints of a server to let any of them verify.</summary>
    public byte[]? CookieSecret { get; set; }

    /// <summary>Gets or sets bytes that identify the client's transport address, mixed into the cookie (RFC 6347 §4.2.1 recommends the source IP and port).</summary>
    public byte[]? CookieClientIdentity { get; set; }

    /// <summary>
    /// Gets or sets a test seam that fills the client's random and its ephemeral X25519 (the DTLS 1.3
    /// key shares and the DTLS 1.2 ClientKeyExchange) and ML-KEM key material instead of the system generator, so that a recorded server flight can
    /// be replayed against a fresh client (the <c>dtls13-client</c> fuzz target). P-256 keys still
    /// come from the platform. Never set outside tests and fuzzing.
    /// </summary>
    internal Action<Span<byte>>? RandomSource { get; set; }

    /// <summary>
    /// Gets or sets a test seam that remembers the client's deterministic key computations (X25519
    /// public keys, ML-KEM-768 key pairs and the shared secrets computed from them) across endpoints,
    /// so that the <c>dtls13-client</c> fuzz target, whose keys are the same on every run
    /// (<see cref="RandomSource"/>), does not recompute them. Used only together with
    /// <see cref="RandomSource"/>; never set outside tests and fuzzing.
    /// </summary>
    internal Crypto.IKeyMaterialMemo? KeyMaterialMemo { get; set; }

    internal void Validate()
    {
        if (Certificate is null)
        {
            throw new InvalidOperationException("DtlsOptions.Certificate is required");
        }

        if (Mtu < 256 || Mtu > 65507)
        {
            throw new InvalidOperationException("DtlsOptions.Mtu must be in [256, 65507]");
        }

        if (CipherSuites.Count == 0 || NamedGroups.Count == 0)
        {
            throw new InvalidOperationException("at least one cipher suite and one group are required");
        }

        foreach (DtlsNamedGroup g in NamedGroups)
        {
            if (g is not (DtlsNamedGroup.X25519 or DtlsNamedGroup.Secp256r1))
            {
                throw new InvalidOperationException($"group {g} is not an ECDHE group of DTLS 1.2; put it in Dtls13Groups");
            }
        }

        foreach (DtlsCipherSuite s in CipherSuites)
        {
            if (s is DtlsCipherSuite.Tls13Aes128GcmSha256 or DtlsCipherSuite.Tls13Aes256GcmSha384)
            {
                throw new InvalidOperationException($"{s} is a DTLS 1.3 suite; put it in Dtls13CipherSuites");
            }
        }

        if (MinVersion > MaxVersion)
        {
            throw new InvalidOperationException($"DtlsOptions.MinVersion ({MinVersion}) is above MaxVersion ({MaxVersion})");
        }

        if (MaxVersion == DtlsVersion.Dtls13 && (Dtls13Groups.Count == 0 || Dtls13CipherSuites.Count == 0))
        {
            throw new InvalidOperationException("DTLS 1.3 needs at least one group in Dtls13Groups and one suite in Dtls13CipherSuites");
        }

        foreach (SrtpProfile p in SrtpProfiles)
        {
            if (!p.IsDtlsSrtp())
            {
                throw new InvalidOperationException($"SRTP profile {p} has no DTLS-SRTP code point (RFC 5764 §4.1.2 registry); it cannot be negotiated in use_srtp");
            }
        }

        if (InitialRetransmitTimeout <= TimeSpan.Zero || MaxRetransmitTimeout < InitialRetransmitTimeout || HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("invalid timeouts");
        }
    }
}
