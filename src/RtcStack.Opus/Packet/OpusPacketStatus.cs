namespace RtcStack.Opus;

/// <summary>
/// The result of parsing an Opus packet: <see cref="Valid"/>, or which of the well-formedness rules
/// [R1]–[R7] of RFC 6716 §3.4 the packet breaks. RFC 6716 §3.4: a receiver MUST NOT process such
/// packets as normal Opus packets.
/// </summary>
public enum OpusPacketStatus
{
    /// <summary>The packet obeys every rule of RFC 6716 §3.</summary>
    Valid = 0,

    /// <summary>[R1] the packet has no TOC byte.</summary>
    Empty,

    /// <summary>[R2] a frame is longer than 1275 bytes.</summary>
    FrameTooLong,

    /// <summary>[R3] a code 1 packet has an odd number of payload bytes.</summary>
    Code1OddLength,

    /// <summary>[R4] a code 2 packet has no complete length for its first frame, or that length exceeds the bytes left.</summary>
    Code2BadLength,

    /// <summary>[R6, R7] a code 3 packet has no frame count byte.</summary>
    Code3MissingFrameCount,

    /// <summary>[R5] a code 3 packet signals zero frames.</summary>
    Code3NoFrames,

    /// <summary>[R5] a code 3 packet holds more than 120 ms of audio.</summary>
    Code3TooLong,

    /// <summary>[R6, R7] the Opus padding length bytes are truncated, or the padding is larger than the packet allows (P &gt; N-2).</summary>
    Code3BadPadding,

    /// <summary>[R6] a CBR code 3 packet's frame data is not a whole multiple of the frame count.</summary>
    Code3CbrLength,

    /// <summary>[R7] a VBR code 3 packet lacks room for its M-1 frame lengths, or their sum exceeds the bytes left.</summary>
    Code3VbrLength,
}
