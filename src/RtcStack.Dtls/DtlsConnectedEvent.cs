using System.Security.Cryptography.X509Certificates;

namespace RtcStack.Dtls;

/// <summary>
/// The handshake finished (RFC 6347 §4.2.4 flight 6 processed). Carries what the WebRTC layer
/// needs to key SRTP (RFC 5764 §4.2).
/// </summary>
/// <param name="CipherSuite">The negotiated cipher suite.</param>
/// <param name="SrtpKeys">The negotiated SRTP profile and exported keys, or null when use_srtp was not negotiated.</param>
/// <param name="RemoteCertificateDer">The DER encoding of the peer's end-entity certificate.</param>
/// <param name="RemoteFingerprint">The signalled fingerprint that matched, or null when none was required.</param>
public sealed record DtlsConnectedEvent(
    DtlsCipherSuite CipherSuite,
    DtlsSrtpKeyingMaterial? SrtpKeys,
    byte[] RemoteCertificateDer,
    DtlsFingerprint? RemoteFingerprint) : DtlsEvent
{
    /// <summary>Gets the negotiated protocol version (RFC 9147 §5.3 / RFC 6347).</summary>
    public DtlsVersion Version { get; init; } = DtlsVersion.Dtls12;

    /// <summary>Gets the key exchange group (the DTLS 1.3 key_share group or the DTLS 1.2 ECDHE curve), or null when unknown.</summary>
    public DtlsNamedGroup? Group { get; init; }

    /// <summary>Parses <see cref="RemoteCertificateDer"/> (each call returns a new object the caller disposes).</summary>
    public X509Certificate2 LoadRemoteCertificate() => X509CertificateLoader.LoadCertificate(RemoteCertificateDer);
}
