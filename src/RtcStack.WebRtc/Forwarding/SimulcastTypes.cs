namespace RtcStack.WebRtc.Forwarding;

/// <summary>The video payload formats <see cref="SimulcastForwarder"/> can rewrite.</summary>
public enum SimulcastCodec
{
    /// <summary>VP8 (RFC 7741): SSRC, sequence number, timestamp, and the descriptor's PictureID and TL0PICIDX.</summary>
    Vp8,

    /// <summary>H.264 (RFC 6184): SSRC, sequence number and timestamp (the format has no picture id).</summary>
    H264,

    /// <summary>
    /// VP9 (RFC 9628): SSRC, sequence number, timestamp, and the descriptor's picture ID and TL0PICIDX (non-flexible
    /// mode); P_DIFFs and the scalability structure are kept as sent.
    /// </summary>
    Vp9,

    /// <summary>
    /// AV1 (AOMedia AV1 RTP payload format v1.0.0): SSRC, sequence number and timestamp; the payload is kept as sent
    /// (it has no picture id), and the dependency descriptor header extension is not forwarded.
    /// </summary>
    Av1,
}

/// <summary>What <see cref="SimulcastForwarder.Ingest"/> made of a publisher's packet.</summary>
public enum SimulcastIngestStatus
{
    /// <summary>Parsed and counted; hand it to <see cref="SimulcastForwarder.Forward"/> for each subscriber.</summary>
    Accepted,

    /// <summary>Not an RTP packet, or its payload is not a valid one of the codec (not forwarded).</summary>
    Malformed,

    /// <summary>The layer index is outside 0 to <see cref="SimulcastForwarderOptions.LayerCount"/> - 1.</summary>
    UnknownLayer,
}

/// <summary>What <see cref="SimulcastForwarder.Forward"/> did with a packet for one subscriber.</summary>
public enum SimulcastForwardStatus
{
    /// <summary>Rewritten into the destination.</summary>
    Forwarded,

    /// <summary>The packet's layer is not the one this subscriber receives (or switches to).</summary>
    NotSelected,

    /// <summary>The packet is of the layer the subscriber switches to, but that layer has not sent a key frame yet.</summary>
    WaitingForKeyframe,

    /// <summary>The packet is older than the point where the subscriber switched to its layer (its place in the output is taken).</summary>
    Stale,

    /// <summary>The destination is too small for the rewritten packet.</summary>
    DestinationTooSmall,

    /// <summary>The packet was not accepted by <see cref="SimulcastForwarder.Ingest"/>, or the subscriber is unknown.</summary>
    Refused,
}

/// <summary>A publisher's packet as <see cref="SimulcastForwarder.Ingest"/> read it.</summary>
/// <param name="Status">Whether it can be forwarded.</param>
/// <param name="Layer">Its layer (0 is the lowest bitrate).</param>
/// <param name="SequenceNumber">Its RTP sequence number in the layer.</param>
/// <param name="Timestamp">Its RTP timestamp in the layer.</param>
/// <param name="KeyFrameStart">Whether it is the first packet of a key frame (where a subscriber may switch to the layer).</param>
/// <param name="At">When it arrived.</param>
public readonly record struct SimulcastPacket(SimulcastIngestStatus Status, int Layer, ushort SequenceNumber, uint Timestamp, bool KeyFrameStart, TimeSpan At);

/// <summary>Options of a <see cref="SimulcastForwarder"/>.</summary>
public sealed class SimulcastForwarderOptions
{
    /// <summary>Gets the payload format of the layers.</summary>
    public SimulcastCodec Codec { get; init; } = SimulcastCodec.Vp8;

    /// <summary>Gets the number of layers (1 to 8), index 0 the lowest bitrate (RFC 8853 leaves the order to the application; browsers' q, h, f).</summary>
    public int LayerCount { get; init; } = 3;

    /// <summary>Gets the RTP clock rate of the layers (90 kHz for video).</summary>
    public int ClockRate { get; init; } = 90000;

    /// <summary>Gets the window over which each layer's bitrate is measured; a layer silent for a whole window is inactive.</summary>
    public TimeSpan BitrateWindow { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets how much more than a higher layer's measured bitrate a subscriber's estimate must be to move up to it (1.2:
    /// 20 % headroom). A subscriber stays on its layer while its estimate covers that layer's bitrate, so between the two
    /// the choice does not flap.
    /// </summary>
    public double UpswitchHeadroom { get; init; } = 1.2;

    /// <summary>Gets the shortest time between two key frame requests for one layer.</summary>
    public TimeSpan KeyframeRequestInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets how often the layer choice is reviewed as the layers' bitrates change.</summary>
    public TimeSpan ReviewInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets the number of forwarded packets per subscriber whose original (layer, sequence number) is remembered for NACKs (a power of two).</summary>
    public int NackHistorySize { get; init; } = 1024;
}
