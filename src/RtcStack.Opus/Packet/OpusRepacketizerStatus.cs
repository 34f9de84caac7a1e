namespace RtcStack.Opus;

/// <summary>The result of adding a packet to an <see cref="OpusRepacketizer"/>.</summary>
public enum OpusRepacketizerStatus
{
    /// <summary>The packet's frames were added.</summary>
    Added = 0,

    /// <summary>The packet breaks a rule of RFC 6716 §3.4; nothing was added.</summary>
    InvalidPacket,

    /// <summary>The packet's configuration or stereo flag differs from the frames already held (RFC 6716 §3.2: frames of one packet share them); nothing was added.</summary>
    IncompatibleToc,

    /// <summary>The frames would exceed 120 ms (RFC 6716 §3.2.5, [R5]); nothing was added.</summary>
    TooLong,
}
