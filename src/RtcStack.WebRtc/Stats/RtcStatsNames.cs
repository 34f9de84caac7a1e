using RtcStack.Dtls;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <summary>The names webrtc-stats uses for the negotiated DTLS version, group, cipher suite and SRTP profile, as browsers report them.</summary>
public static class RtcStatsNames
{
    /// <summary>The IANA name of a DTLS 1.2 or 1.3 cipher suite (RFC 8446 §B.4), as browsers report <c>dtlsCipher</c>.</summary>
    public static string CipherName(DtlsCipherSuite suite) => suite switch
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        DtlsCipherSuite.EcdheRsaWithAes128GcmSha256 => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        DtlsCipherSuite.EcdheRsaWithAes256GcmSha384 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        DtlsCipherSuite.EcdheRsaWithChaCha20Poly1305Sha256 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        DtlsCipherSuite.Tls13Aes128GcmSha256 => "TLS_AES_128_GCM_SHA256",
        DtlsCipherSuite.Tls13Aes256GcmSha384 => "TLS_AES_256_GCM_SHA384",
        _ => "0x" + ((ushort)suite).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The webrtc-stats <c>tlsVersion</c> of a DTLS version: the wire version in upper-case hex, as browsers write it
    /// ("FEFD" for DTLS 1.2, RFC 6347 §4.1; "FEFC" for DTLS 1.3, RFC 9147 §5.3).
    /// </summary>
    public static string TlsVersionName(DtlsVersion version) => version == DtlsVersion.Dtls13 ? "FEFC" : "FEFD";

    /// <summary>
    /// The webrtc-stats <c>tlsGroup</c> of a key exchange group: its name in the IANA TLS Supported Groups registry
    /// (RFC 8422 §5.1.1, RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem §3).
    /// </summary>
    public static string TlsGroupName(DtlsNamedGroup group) => group switch
    {
        DtlsNamedGroup.X25519MlKem768 => "X25519MLKEM768",
        DtlsNamedGroup.X25519 => "x25519",
        DtlsNamedGroup.Secp256r1 => "secp256r1",
        _ => "0x" + ((ushort)group).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The name of an SRTP profile as webrtc-stats <c>srtpCipher</c> wants it: the "Profile" column of the
    /// IANA DTLS-SRTP protection profile registry (RFC 5764 §4.1.2, RFC 7714 §14.2), as browsers report it.
    /// </summary>
    public static string SrtpName(SrtpProfile profile) => profile.DtlsName();
}
