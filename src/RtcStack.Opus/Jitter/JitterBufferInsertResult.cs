namespace RtcStack.Opus.Jitter;

/// <summary>What <see cref="AdaptiveJitterBuffer.Insert"/> did with a packet. Every packet ends in exactly one counter of <see cref="JitterBufferStatistics"/>.</summary>
public enum JitterBufferInsertResult
{
    /// <summary>Stored for playout.</summary>
    Stored,

    /// <summary>Stored after a reset (new SSRC or a timestamp jump) flushed the packets before it.</summary>
    StoredAfterReset,

    /// <summary>Its timestamp was already played or concealed: discarded (webrtc-stats packetsDiscarded).</summary>
    Late,

    /// <summary>A packet with the same timestamp is already stored: discarded.</summary>
    Duplicate,

    /// <summary>Empty, larger than the slot size, or of undecodable duration: discarded.</summary>
    Invalid,
}
