namespace RtcStack.Rtp;

/// <summary>The two RFC 8285 header extension forms, told apart by the profile field (RFC 8285 §4.2, §4.3).</summary>
public enum RtpHeaderExtensionForm
{
    /// <summary>One-byte headers: profile 0xBEDE, IDs 1-14, 1-16 data bytes per element (RFC 8285 §4.2).</summary>
    OneByte = 1,

    /// <summary>Two-byte headers: profile 0x100X, IDs 1-255, 0-255 data bytes per element (RFC 8285 §4.3).</summary>
    TwoByte = 2,
}
