namespace RtcStack.Stun;

/// <summary>RFC 8489 §18.5: PASSWORD-ALGORITHM values, the hash used for the long-term key.</summary>
public enum StunPasswordAlgorithm : ushort
{
    /// <summary>MD5 (RFC 8489 §18.5.1.1), the RFC 5389 key that every TURN server supports.</summary>
    Md5 = 0x0001,

    /// <summary>SHA-256 (RFC 8489 §18.5.1.2).</summary>
    Sha256 = 0x0002,
}
