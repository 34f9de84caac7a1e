using RtcStack.Dtls;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <summary>The names webrtc-stats uses for the negotiated DTLS cipher suite and SRTP profile, as browsers report them.</summary>
public static class RtcStatsNames
{
    /// <summary>The IANA name of a DTLS cipher suite, as browsers report <c>dtlsCipher</c>.</summary>
    public static string CipherName(DtlsCipherSuite suite) => suite switch
    {
        DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        DtlsCipherSuite.EcdheRsaWithAes128GcmSha256 => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        DtlsCipherSuite.EcdheRsaWithAes256GcmSha384 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        DtlsCipherSuite.EcdheRsaWithChaCha20Poly1305Sha256 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        _ => "0x" + ((ushort)suite).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The name of an SRTP profile as webrtc-stats <c>srtpCipher</c> wants it: the "Profile" column of the
    /// IANA DTLS-SRTP protection profile registry (RFC 5764 §4.1.2, RFC 7714 §14.2), as browsers report it.
    /// </summary>
    public static string SrtpName(SrtpProfile profile) => profile.DtlsName();
}
