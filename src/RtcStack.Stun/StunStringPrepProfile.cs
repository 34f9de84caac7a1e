namespace RtcStack.Stun;

/// <summary>How passwords and realms are prepared before hashing (RFC 8489 §9.2.2, RFC 5389 §15.4).</summary>
public enum StunStringPrepProfile
{
    /// <summary>PRECIS OpaqueString (RFC 8265 §4.2), what RFC 8489 requires.</summary>
    OpaqueString,

    /// <summary>SASLprep (RFC 4013), what RFC 5389 required and RFC 5769 §2.4 uses.</summary>
    SaslPrep,

    /// <summary>Use the string as given.</summary>
    None,
}
