namespace RtcStack.Rtp;

/// <summary>Which RFC 8285 form a <see cref="RtpHeaderExtensionWriter"/> may produce.</summary>
public enum RtpHeaderExtensionMode
{
    /// <summary>
    /// One-byte form only (RFC 8285 §4.2): the default when the peer did not signal
    /// <c>a=extmap-allow-mixed</c>. Elements with ID &gt; 14, or with 0 or more than 16 bytes, are refused.
    /// </summary>
    OneByteOnly = 0,

    /// <summary>
    /// <c>a=extmap-allow-mixed</c> was negotiated (RFC 8285 §6): write the one-byte form while every
    /// element fits it, and switch the packet to the two-byte form as soon as one does not.
    /// </summary>
    Mixed = 1,

    /// <summary>Always the two-byte form (RFC 8285 §4.3).</summary>
    TwoByte = 2,
}
