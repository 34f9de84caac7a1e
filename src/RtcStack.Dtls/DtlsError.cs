namespace RtcStack.Dtls;

/// <summary>Why a <see cref="DtlsEndpoint"/> failed (see <see cref="DtlsFailedEvent"/>).</summary>
public enum DtlsError
{
    /// <summary>The overall handshake timeout (<see cref="DtlsOptions.HandshakeTimeout"/>) elapsed.</summary>
    Timeout,

    /// <summary>The peer's certificate does not match any fingerprint from signalling (RFC 8122 §5).</summary>
    FingerprintMismatch,

    /// <summary>The peer sent no certificate, but WebRTC requires mutual authentication (RFC 8827 §6.5).</summary>
    CertificateMissing,

    /// <summary>The peer's certificate could not be parsed or used.</summary>
    BadCertificate,

    /// <summary>A signature (ServerKeyExchange or CertificateVerify) did not verify.</summary>
    BadSignature,

    /// <summary>The Finished verify_data did not match (RFC 5246 §7.4.9).</summary>
    BadFinished,

    /// <summary>No cipher suite, group, signature scheme or version in common.</summary>
    NoCommonParameters,

    /// <summary>
    /// The peer offers or chose only versions outside [<see cref="DtlsOptions.MinVersion"/>,
    /// <see cref="DtlsOptions.MaxVersion"/>], e.g. a DTLS 1.2-only peer of a 1.3-only endpoint: the
    /// handshake ends with a protocol_version alert (RFC 8446 §D.1 for a client,
    /// §D.2 and §4.2.1 for a server; RFC 9147 §5.3). Also reported when the peer sends that alert during the
    /// handshake (the event's message says which side refused).
    /// </summary>
    UnsupportedVersion,

    /// <summary>No SRTP protection profile in common (RFC 5764 §4.1.1).</summary>
    NoCommonSrtpProfile,

    /// <summary>The peer did not negotiate extended_master_secret (RFC 7627 §5.2), which is required.</summary>
    ExtendedMasterSecretMissing,

    /// <summary>A handshake message was malformed or arrived out of place.</summary>
    ProtocolViolation,

    /// <summary>The peer sent a fatal alert.</summary>
    PeerAlert,

    /// <summary>The application aborted the endpoint.</summary>
    Aborted,
}
