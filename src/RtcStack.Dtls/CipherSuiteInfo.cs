using System.Security.Cryptography;
using RtcStack.Dtls.Records;

namespace RtcStack.Dtls;

/// <summary>Per-suite parameters: PRF hash, key sizes and record protection (RFC 5289 §3, RFC 7905 §2).</summary>
internal static class CipherSuiteInfo
{
    public static bool IsKnown(ushort suite) => suite is 0xC02B or 0xC02C or 0xCCA9 or 0xC02F or 0xC030 or 0xCCA8;

    /// <summary>Gets a value indicating whether this platform's crypto provides the suite's AEAD (ChaCha20-Poly1305 needs OpenSSL 1.1+ or Windows 10+).</summary>
    public static bool IsAvailable(DtlsCipherSuite s) => IsChaCha(s) ? ChaCha20Poly1305.IsSupported : AesGcm.IsSupported;

    public static bool IsEcdsa(DtlsCipherSuite s) => s is DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 or
        DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 or DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256;

    public static HashAlgorithmName PrfHash(DtlsCipherSuite s) =>
        s is DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 or DtlsCipherSuite.EcdheRsaWithAes256GcmSha384
            ? HashAlgorithmName.SHA384
            : HashAlgorithmName.SHA256;

    public static bool IsChaCha(DtlsCipherSuite s) =>
        s is DtlsCipherSuite.EcdheEcdsaWithChaCha20Poly1305Sha256 or DtlsCipherSuite.EcdheRsaWithChaCha20Poly1305Sha256;

    public static int KeyLength(DtlsCipherSuite s) =>
        s is DtlsCipherSuite.EcdheEcdsaWithAes128GcmSha256 or DtlsCipherSuite.EcdheRsaWithAes128GcmSha256 ? 16 : 32;

    /// <summary>RFC 5288 §3: 4-byte implicit salt for GCM; RFC 7905 §2: 12-byte IV for ChaCha20-Poly1305.</summary>
    public static int FixedIvLength(DtlsCipherSuite s) => IsChaCha(s) ? 12 : 4;

    public static RecordProtection CreateProtection(DtlsCipherSuite s, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv) =>
        IsChaCha(s) ? new ChaCha20Poly1305RecordProtection(key, iv) : new AesGcmRecordProtection(key, iv);
}
