namespace RtcStack.Dtls;

/// <summary>
/// RFC 5764 §4.1.2 and the IANA "DTLS-SRTP Protection Profiles" registry: the values carried in
/// the use_srtp extension. The AES-256-CM profiles of RFC 6188 have no registered DTLS-SRTP
/// value (0x0003-0x0004 are unassigned), so they cannot be negotiated here.
/// </summary>
public enum SrtpProtectionProfile : ushort
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80 {0x00,0x01}, RFC 5764 §4.1.2.</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AES128_CM_HMAC_SHA1_32 {0x00,0x02}, RFC 5764 §4.1.2.</summary>
    Aes128CmHmacSha1_32 = 0x0002,

    /// <summary>SRTP_NULL_HMAC_SHA1_80 {0x00,0x05}, RFC 5764 §4.1.2 (no encryption).</summary>
    NullHmacSha1_80 = 0x0005,

    /// <summary>SRTP_NULL_HMAC_SHA1_32 {0x00,0x06}, RFC 5764 §4.1.2 (no encryption).</summary>
    NullHmacSha1_32 = 0x0006,

    /// <summary>SRTP_AEAD_AES_128_GCM {0x00,0x07}, RFC 7714 §14.2.</summary>
    AeadAes128Gcm = 0x0007,

    /// <summary>SRTP_AEAD_AES_256_GCM {0x00,0x08}, RFC 7714 §14.2.</summary>
    AeadAes256Gcm = 0x0008,
}
