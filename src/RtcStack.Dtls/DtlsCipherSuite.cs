namespace RtcStack.Dtls;

/// <summary>TLS 1.2 cipher suites this implementation negotiates (IANA TLS Cipher Suites registry).</summary>
public enum DtlsCipherSuite : ushort
{
    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 {0xC0,0x2B}, RFC 5289 §3.2.</summary>
    EcdheEcdsaWithAes128GcmSha256 = 0xC02B,

    /// <summary>TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {0xC0,0x2C}, RFC 5289 §3.2.</summary>
    EcdheEcdsaWithAes256GcmSha384 = 0xC02C,

    /// <summary>TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 {0xCC,0xA9}, RFC 7905 §2.</summary>
    EcdheEcdsaWithChaCha20Poly1305Sha256 = 0xCCA9,

    /// <summary>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 {0xC0,0x2F}: for peers whose certificate is RSA.</summary>
    EcdheRsaWithAes128GcmSha256 = 0xC02F,

    /// <summary>TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 {0xC0,0x30}: for peers whose certificate is RSA.</summary>
    EcdheRsaWithAes256GcmSha384 = 0xC030,

    /// <summary>TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 {0xCC,0xA8}: for peers whose certificate is RSA.</summary>
    EcdheRsaWithChaCha20Poly1305Sha256 = 0xCCA8,
}
