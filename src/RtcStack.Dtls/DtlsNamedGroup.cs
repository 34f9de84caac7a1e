namespace RtcStack.Dtls;

/// <summary>Key exchange groups for ECDHE (RFC 8422 §5.1.1, RFC 7748).</summary>
public enum DtlsNamedGroup : ushort
{
    /// <summary>secp256r1 (23), RFC 8422 §5.1.1.</summary>
    Secp256r1 = 23,

    /// <summary>x25519 (29), RFC 8422 §5.1.1.</summary>
    X25519 = 29,
}
