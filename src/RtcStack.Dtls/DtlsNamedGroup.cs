namespace RtcStack.Dtls;

/// <summary>Key exchange groups (RFC 8422 §5.1.1, RFC 7748, RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem).</summary>
public enum DtlsNamedGroup : ushort
{
    /// <summary>secp256r1 (23), RFC 8422 §5.1.1.</summary>
    Secp256r1 = 23,

    /// <summary>x25519 (29), RFC 8422 §5.1.1.</summary>
    X25519 = 29,

    /// <summary>X25519MLKEM768 (0x11EC), draft-ietf-tls-ecdhe-mlkem §3: ML-KEM-768 and X25519 together; DTLS 1.3 only.</summary>
    X25519MlKem768 = 0x11EC,
}
