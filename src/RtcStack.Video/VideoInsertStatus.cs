namespace RtcStack.Video;

/// <summary>What <see cref="VideoFrameAssembler.Insert(ushort, uint, bool, ReadOnlySpan{byte})"/> did with a packet.</summary>
public enum VideoInsertStatus
{
    /// <summary>Kept in the window (and perhaps completed a frame: poll the events).</summary>
    Stored,

    /// <summary>A packet with this sequence number is already in the window; ignored (RFC 3550 §8.2 duplicates).</summary>
    Duplicate,

    /// <summary>Its frame was already output or given up, or it is older than the window; ignored.</summary>
    Late,

    /// <summary>The depacketizer refused the payload; its sequence number is taken, so its frame cannot complete.</summary>
    Malformed,

    /// <summary>The payload is longer than the window's slots; treated like a malformed payload.</summary>
    TooLarge,
}
