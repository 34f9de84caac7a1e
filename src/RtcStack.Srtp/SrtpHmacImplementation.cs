namespace RtcStack.Srtp;

/// <summary>Which HMAC-SHA1 an <see cref="SrtpContext"/> authenticates with (see specs/rfc3711.md, deviations and notes).</summary>
public enum SrtpHmacImplementation
{
    /// <summary>The profile has no HMAC (AEAD_AES_128_GCM, AEAD_AES_256_GCM).</summary>
    None,

    /// <summary>Our managed SHA-1 only (the portable path).</summary>
    Managed,

    /// <summary>Our managed SHA-1 for short packets, the platform's HMAC (.NET IncrementalHash) from 384 bytes: where libcrypto is absent (Windows, macOS).</summary>
    ManagedAndPlatformHmac,

    /// <summary>OpenSSL libcrypto's SHA-1 (SHA1_Update/SHA1_Final, SHA extensions where the CPU has them) from pad states computed once per key: Linux with libcrypto.so.3 or .so.1.1.</summary>
    Libcrypto,
}
