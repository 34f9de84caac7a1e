namespace RtcStack.Video;

/// <summary>One output of a <see cref="VideoFrameAssembler"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="FirstSequenceNumber">The frame's first packet, the first missing sequence number, or the malformed packet.</param>
/// <param name="LastSequenceNumber">The frame's last packet (the marker), the last missing sequence number, or the malformed packet.</param>
/// <param name="Timestamp">The frame's RTP timestamp (0 for <see cref="VideoAssemblerEventKind.PacketsMissing"/>).</param>
/// <param name="Offset">For a completed frame, where its bytes start in the frame buffer of this Insert call (see <see cref="VideoFrameAssembler.GetFrame"/>).</param>
/// <param name="Length">For a completed frame, the bytes written to the frame buffer.</param>
/// <param name="KeyFrame">For a completed frame, whether any of its payloads says key frame (IDR/SPS, VP8 P = 0, ...).</param>
/// <param name="PacketCount">Packets in the frame (for a dropped frame, those that were received), or missing sequence numbers.</param>
/// <param name="DropReason">For a dropped frame, why.</param>
/// <param name="Continuous">
/// For a completed frame, whether everything since the previous completed frame was output too (frames or padding):
/// false after packets were lost, given up or dropped, when the frame may depend on what is missing; false for the first
/// frame unless nothing before it was seen.
/// </param>
public readonly record struct VideoAssemblerEvent(
    VideoAssemblerEventKind Kind,
    ushort FirstSequenceNumber,
    ushort LastSequenceNumber,
    uint Timestamp,
    int Offset,
    int Length,
    bool KeyFrame,
    int PacketCount,
    VideoFrameDropReason DropReason,
    bool Continuous = false);
