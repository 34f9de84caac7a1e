namespace RtcStack.Video;

/// <summary>The kinds of <see cref="VideoAssemblerEvent"/>.</summary>
public enum VideoAssemblerEventKind
{
    /// <summary>A frame is complete and was written in decoder form; <see cref="VideoAssemblerEvent.Length"/> bytes.</summary>
    FrameCompleted,

    /// <summary>A frame was given up: a later frame completed first, it left the window, or its data was refused.</summary>
    FrameDropped,

    /// <summary>Sequence numbers were skipped (a gap opened above the highest received): candidates for a NACK (RFC 4585 §6.2.1).</summary>
    PacketsMissing,

    /// <summary>The depacketizer refused a payload (or it did not fit a slot).</summary>
    PayloadMalformed,
}
