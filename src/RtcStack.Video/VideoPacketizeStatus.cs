namespace RtcStack.Video;

/// <summary>Why <see cref="IVideoPacketizer.Push"/> refused a frame.</summary>
public enum VideoPacketizeStatus
{
    /// <summary>Queued; poll its payloads.</summary>
    Ok,

    /// <summary>The frame is empty.</summary>
    Empty,

    /// <summary>The frame is not in the format the codec's packetizer expects (no start code, a bad OBU size, ...).</summary>
    Malformed,

    /// <summary>The previous frame still has payloads to poll.</summary>
    Busy,

    /// <summary>The frame needs more packets than the format can say, or <see cref="IVideoPacketizer.MaxPayloadSize"/> leaves no room for data.</summary>
    TooLarge,
}
