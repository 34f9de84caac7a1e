namespace RtcStack.Dtls;

/// <summary>Cipher suites this implementation negotiates (IANA TLS Cipher Suites registry): the TLS 1.2 ECDHE AEAD suites and the TLS 1.3 AES-GCM suites.</summary>
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

    /// <summary>TLS_AES_128_GCM_SHA256 {0x13,0x01}, RFC 8446 §B.4; DTLS 1.3 only.</summary>
    Tls13Aes128GcmSha256 = 0x1301,

    /// <summary>TLS_AES_256_GCM_SHA384 {0x13,0x02}, RFC 8446 §B.4; DTLS 1.3 only.</summary>
    Tls13Aes256GcmSha384 = 0x1302,
}
