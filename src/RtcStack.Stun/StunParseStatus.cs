namespace RtcStack.Stun;

/// <summary>Why <see cref="StunMessageReader.TryParse"/> accepted or rejected a datagram (RFC 8489 §6.3).</summary>
public enum StunParseStatus
{
    /// <summary>A well-formed STUN message.</summary>
    Ok = 0,

    /// <summary>Shorter than the 20-byte header.</summary>
    TooShort,

    /// <summary>The two most significant bits are not zero: not STUN.</summary>
    NotStun,

    /// <summary>The magic cookie is not 0x2112A442 (RFC 3489 messages are not accepted).</summary>
    BadMagicCookie,

    /// <summary>The length field is not a multiple of 4 or disagrees with the datagram size.</summary>
    BadLength,

    /// <summary>An attribute header or value runs past the end of the message.</summary>
    TruncatedAttribute,

    /// <summary>MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 or FINGERPRINT has the wrong size.</summary>
    BadAttributeLength,

    /// <summary>FINGERPRINT is present but is not the last attribute (RFC 8489 §14.7).</summary>
    FingerprintNotLast,
}
