namespace RtcStack.WebRtc.Streams;

/// <summary>A decodable frame released by a <see cref="VideoFrameBuffer"/>, in decode order; its bytes through <see cref="VideoFrameBuffer.GetFrameData"/>.</summary>
/// <param name="Timestamp">The RTP timestamp.</param>
/// <param name="FirstSequenceNumber">The frame's first packet.</param>
/// <param name="LastSequenceNumber">The frame's last packet (the marker).</param>
/// <param name="KeyFrame">Whether it decodes on its own.</param>
/// <param name="PacketCount">Packets in it.</param>
/// <param name="Offset">Where its bytes are in the assembler's buffer.</param>
/// <param name="Length">Its length in decoder form.</param>
public readonly record struct VideoFrame(uint Timestamp, ushort FirstSequenceNumber, ushort LastSequenceNumber, bool KeyFrame, int PacketCount, int Offset, int Length);
