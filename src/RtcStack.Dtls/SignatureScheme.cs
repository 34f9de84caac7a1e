namespace RtcStack.Dtls;

/// <summary>
/// TLS 1.2 SignatureAndHashAlgorithm values (RFC 5246 §7.4.1.4.1) in their RFC 8446 §4.2.3
/// SignatureScheme spelling, as carried in signature_algorithms.
/// </summary>
public enum SignatureScheme : ushort
{
    /// <summary>rsa_pkcs1_sha256 (0x0401).</summary>
    RsaPkcs1Sha256 = 0x0401,

    /// <summary>ecdsa_secp256r1_sha256 (0x0403); in TLS 1.2 "ECDSA with SHA-256" on any curve.</summary>
    EcdsaSecp256r1Sha256 = 0x0403,

    /// <summary>rsa_pkcs1_sha384 (0x0501).</summary>
    RsaPkcs1Sha384 = 0x0501,

    /// <summary>ecdsa_secp384r1_sha384 (0x0503).</summary>
    EcdsaSecp384r1Sha384 = 0x0503,

    /// <summary>rsa_pkcs1_sha512 (0x0601).</summary>
    RsaPkcs1Sha512 = 0x0601,

    /// <summary>ecdsa_secp521r1_sha512 (0x0603).</summary>
    EcdsaSecp521r1Sha512 = 0x0603,

    /// <summary>rsa_pss_rsae_sha256 (0x0804), RFC 8446 §4.2.3.</summary>
    RsaPssRsaeSha256 = 0x0804,

    /// <summary>rsa_pss_rsae_sha384 (0x0805).</summary>
    RsaPssRsaeSha384 = 0x0805,

    /// <summary>rsa_pss_rsae_sha512 (0x0806).</summary>
    RsaPssRsaeSha512 = 0x0806,
}
