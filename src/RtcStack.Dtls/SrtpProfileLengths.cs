namespace RtcStack.Dtls;

/// <summary>
/// Master key and master salt lengths per DTLS-SRTP protection profile, which fix how the
/// RFC 5705 exporter output is split (RFC 5764 §4.2).
/// </summary>
public static class SrtpProfileLengths
{
    /// <summary>Gets a value indicating whether this implementation knows <paramref name="profile"/>.</summary>
    public static bool IsKnown(SrtpProtectionProfile profile) => profile is
        SrtpProtectionProfile.Aes128CmHmacSha1_80 or SrtpProtectionProfile.Aes128CmHmacSha1_32 or
        SrtpProtectionProfile.NullHmacSha1_80 or SrtpProtectionProfile.NullHmacSha1_32 or
        SrtpProtectionProfile.AeadAes128Gcm or SrtpProtectionProfile.AeadAes256Gcm;

    /// <summary>
    /// The SRTP master key length in bytes. RFC 5764 §4.1.2 gives AES-128-CM 128 bits; RFC 7714
    /// §12 gives AEAD_AES_128_GCM 128 and AEAD_AES_256_GCM 256 bits. The NULL profiles use the
    /// AES-128-CM key and salt sizes because the RFC 3711 §4.3 key derivation still needs a
    /// 128-bit master key (as libsrtp and OpenSSL do).
    /// </summary>
    public static int KeyLength(SrtpProtectionProfile profile) => profile switch
    {
        SrtpProtectionProfile.AeadAes256Gcm => 32,
        _ when IsKnown(profile) => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown SRTP protection profile"),
    };

    /// <summary>The SRTP master salt length in bytes: 112 bits for the CM/NULL profiles (RFC 3711 §8.2), 96 bits for AEAD (RFC 7714 §12).</summary>
    public static int SaltLength(SrtpProtectionProfile profile) => profile switch
    {
        SrtpProtectionProfile.AeadAes128Gcm or SrtpProtectionProfile.AeadAes256Gcm => 12,
        _ when IsKnown(profile) => 14,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown SRTP protection profile"),
    };

    /// <summary>The exporter output length RFC 5764 §4.2 asks for: 2 × (key + salt).</summary>
    public static int ExporterLength(SrtpProtectionProfile profile) => 2 * (KeyLength(profile) + SaltLength(profile));
}
