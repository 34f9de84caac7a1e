namespace RtcStack.TestSupport.LibSrtp;

/// <summary>The libsrtp crypto policies of each SRTP profile, by the profile's SDES name.</summary>
public enum LibSrtpProfile
{
    /// <summary>AES_CM_128_HMAC_SHA1_80.</summary>
    AesCm128HmacSha1_80,

    /// <summary>AES_CM_128_HMAC_SHA1_32 (SRTCP keeps the 80-bit tag).</summary>
    AesCm128HmacSha1_32,

    /// <summary>AES_256_CM_HMAC_SHA1_80.</summary>
    AesCm256HmacSha1_80,

    /// <summary>AES_256_CM_HMAC_SHA1_32.</summary>
    AesCm256HmacSha1_32,

    /// <summary>AEAD_AES_128_GCM.</summary>
    AeadAes128Gcm,

    /// <summary>AEAD_AES_256_GCM.</summary>
    AeadAes256Gcm,

    /// <summary>NULL_HMAC_SHA1_80.</summary>
    NullHmacSha1_80,

    /// <summary>NULL_HMAC_SHA1_32.</summary>
    NullHmacSha1_32,
}
