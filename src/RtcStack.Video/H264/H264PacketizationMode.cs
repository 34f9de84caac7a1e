namespace RtcStack.Video;

/// <summary>The H.264 packetization modes of RFC 6184 §6 (SDP <c>packetization-mode</c>, §8.1).</summary>
public enum H264PacketizationMode
{
    /// <summary>Mode 0, single NAL unit mode (§6.2): each payload is one NAL unit; no aggregation or fragmentation.</summary>
    SingleNalUnit = 0,

    /// <summary>Mode 1, non-interleaved mode (§6.3): single NAL unit packets, STAP-A and FU-A.</summary>
    NonInterleaved = 1,
}
