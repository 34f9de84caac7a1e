namespace RtcStack.Srtp;

/// <summary>
/// An SRTP protection profile. Values registered for DTLS-SRTP use the two-byte identifier of the
/// IANA "DTLS-SRTP Protection Profiles" registry (RFC 5764 §4.1.2, RFC 7714 §14.2). The AES-256
/// counter-mode profiles of RFC 6188 have SDES names only and no DTLS-SRTP code point; they carry
/// private values above 0xFF00 that never appear on the wire.
/// </summary>
public enum SrtpProfile : ushort
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2), SDES name AES_CM_128_HMAC_SHA1_80 (RFC 4568 §6.2.1).</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32 (RFC 5764 §4.1.2): 32-bit SRTP tag, SRTCP keeps the 80-bit tag.</summary>
    Aes128CmHmacSha1_32 = 0x0002,

    /// <summary>SRTP_NULL_HMAC_SHA1_80 (RFC 5764 §4.1.2): authentication only, no encryption. For debugging.</summary>
    NullHmacSha1_80 = 0x0005,

    /// <summary>SRTP_NULL_HMAC_SHA1_32 (RFC 5764 §4.1.2): authentication only, 32-bit SRTP tag. For debugging.</summary>
    NullHmacSha1_32 = 0x0006,

    /// <summary>SRTP_AEAD_AES_128_GCM (RFC 7714 §14.2).</summary>
    AeadAes128Gcm = 0x0007,

    /// <summary>SRTP_AEAD_AES_256_GCM (RFC 7714 §14.2).</summary>
    AeadAes256Gcm = 0x0008,

    /// <summary>AES_256_CM_HMAC_SHA1_80 (RFC 6188 §4.1, SDES only; private value).</summary>
    Aes256CmHmacSha1_80 = 0xFF01,

    /// <summary>AES_256_CM_HMAC_SHA1_32 (RFC 6188 §4.1, SDES only; private value).</summary>
    Aes256CmHmacSha1_32 = 0xFF02,
}
