using System.Runtime.CompilerServices;

namespace RtcStack.Opus;

/// <summary>Inline storage for the offsets of up to 48 frames (RFC 6716 §3.2.5: 120 ms of 2.5 ms frames).</summary>
[InlineArray(OpusPacket.MaxFrames)]
internal struct OpusFrameOffsets
{
    private int _element;
}

/// <summary>Inline storage for the lengths of up to 48 frames; each is at most 1275 bytes (RFC 6716 §3.2.1).</summary>
[InlineArray(OpusPacket.MaxFrames)]
internal struct OpusFrameLengths
{
    private short _element;
}
