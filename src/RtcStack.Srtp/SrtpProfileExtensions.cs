namespace RtcStack.Srtp;

/// <summary>
/// Parameters and names of each <see cref="SrtpProfile"/>: RFC 5764 §4.1.2 (DTLS-SRTP profiles),
/// RFC 6188 §4 (AES-256 counter mode) and RFC 7714 §14 (AES-GCM).
/// </summary>
public static class SrtpProfileExtensions
{
    private static readonly SrtpProfile[] s_all =
    [
        SrtpProfile.Aes128CmHmacSha1_80,
        SrtpProfile.Aes128CmHmacSha1_32,
        SrtpProfile.Aes256CmHmacSha1_80,
        SrtpProfile.Aes256CmHmacSha1_32,
        SrtpProfile.AeadAes128Gcm,
        SrtpProfile.AeadAes256Gcm,
        SrtpProfile.NullHmacSha1_80,
        SrtpProfile.NullHmacSha1_32,
    ];

    /// <summary>Gets every profile this library implements.</summary>
    public static ReadOnlySpan<SrtpProfile> All => s_all;

    /// <summary>Returns whether the value is a profile this library implements.</summary>
    public static bool IsDefined(this SrtpProfile profile) => Array.IndexOf(s_all, profile) >= 0;

    /// <summary>
    /// Master key length in bytes: 16 for AES-128 and the NULL profiles (whose key still feeds the
    /// AES-128 key derivation, as libsrtp does), 32 for AES-256 (RFC 6188 §4, RFC 7714 §12).
    /// </summary>
    public static int MasterKeyLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes256CmHmacSha1_80 or SrtpProfile.Aes256CmHmacSha1_32 or SrtpProfile.AeadAes256Gcm => 32,
        _ => 16,
    };

    /// <summary>Master salt length in bytes: 14 (112 bits, RFC 3711 §8.2) or 12 for AES-GCM (96 bits, RFC 7714 §12).</summary>
    public static int MasterSaltLength(this SrtpProfile profile) => profile.IsAead() ? 12 : 14;

    /// <summary>The keying material a DTLS-SRTP exporter must produce for the profile: 2 × (master key + master salt), RFC 5764 §4.2.</summary>
    public static int DtlsExporterLength(this SrtpProfile profile) => 2 * (profile.MasterKeyLength() + profile.MasterSaltLength());

    /// <summary>Whether the profile is an AEAD (AES-GCM) profile of RFC 7714.</summary>
    public static bool IsAead(this SrtpProfile profile) => profile is SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm;

    /// <summary>Whether the profile encrypts (false for the NULL cipher profiles).</summary>
    public static bool Encrypts(this SrtpProfile profile) => profile is not (SrtpProfile.NullHmacSha1_80 or SrtpProfile.NullHmacSha1_32);

    /// <summary>SRTP authentication tag length in bytes: 10, 4 (the _32 profiles) or 16 (GCM, RFC 7714 §12).</summary>
    public static int SrtpTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_32 or SrtpProfile.Aes256CmHmacSha1_32 or SrtpProfile.NullHmacSha1_32 => 4,
        SrtpProfile.AeadAes128Gcm or SrtpProfile.AeadAes256Gcm => 16,
        _ => 10,
    };

    /// <summary>SRTCP authentication tag length in bytes: always 10 for HMAC-SHA1 (RFC 5764 §4.1.2, RFC 6188 §4), 16 for GCM.</summary>
    public static int SrtcpTagLength(this SrtpProfile profile) => profile.IsAead() ? 16 : 10;

    /// <summary>Whether the profile has a code point in the DTLS-SRTP registry (RFC 5764 §4.1.2).</summary>
    public static bool IsDtlsSrtp(this SrtpProfile profile) => (ushort)profile < 0xFF00 && profile.IsDefined();

    /// <summary>Maps a DTLS-SRTP protection profile identifier (RFC 5764 §4.1.2) to a profile.</summary>
    public static bool TryFromDtlsSrtpId(ushort id, out SrtpProfile profile)
    {
        profile = (SrtpProfile)id;
        return id < 0xFF00 && profile.IsDefined();
    }

    /// <summary>The DTLS-SRTP registry name (e.g. SRTP_AES128_CM_HMAC_SHA1_80), or the SDES name for profiles without one.</summary>
    public static string DtlsName(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        SrtpProfile.Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
        SrtpProfile.NullHmacSha1_80 => "SRTP_NULL_HMAC_SHA1_80",
        SrtpProfile.NullHmacSha1_32 => "SRTP_NULL_HMAC_SHA1_32",
        SrtpProfile.AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        SrtpProfile.AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        _ => profile.SdesName(),
    };

    /// <summary>The SDP Security Descriptions crypto-suite name (RFC 4568 §6.2, RFC 6188 §7, RFC 7714 §14.1).</summary>
    public static string SdesName(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        SrtpProfile.Aes128CmHmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        SrtpProfile.Aes256CmHmacSha1_80 => "AES_256_CM_HMAC_SHA1_80",
        SrtpProfile.Aes256CmHmacSha1_32 => "AES_256_CM_HMAC_SHA1_32",
        SrtpProfile.NullHmacSha1_80 => "NULL_HMAC_SHA1_80",
        SrtpProfile.NullHmacSha1_32 => "NULL_HMAC_SHA1_32",
        SrtpProfile.AeadAes128Gcm => "AEAD_AES_128_GCM",
        SrtpProfile.AeadAes256Gcm => "AEAD_AES_256_GCM",
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "unknown SRTP profile"),
    };

    /// <summary>Parses a DTLS-SRTP name, an SDES name or a decimal/0x-hex DTLS-SRTP id (case-insensitive).</summary>
    public static bool TryParse(string? text, out SrtpProfile profile)
    {
        profile = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string t = text.Trim();
        foreach (SrtpProfile p in s_all)
        {
            if (string.Equals(t, p.DtlsName(), StringComparison.OrdinalIgnoreCase) ||
                string.Equals(t, p.SdesName(), StringComparison.OrdinalIgnoreCase))
            {
                profile = p;
                return true;
            }
        }

        ushort id;
        bool parsed = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ushort.TryParse(t.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out id)
            : ushort.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
        return parsed && TryFromDtlsSrtpId(id, out profile);
    }
}
