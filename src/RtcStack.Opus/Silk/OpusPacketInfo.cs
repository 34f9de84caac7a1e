namespace RtcStack.Opus;

/// <summary>
/// A receiver's summary of one Opus packet, read from its framing and frame headers only (no
/// audio decoding): duration, DTX, voice activity and in-band FEC (LBRR) presence.
/// </summary>
public readonly struct OpusPacketInfo
{
    internal OpusPacketInfo(OpusToc toc, int frameCount, int emptyFrames, int lbrrFrames, OpusFrameInfo first, OpusActivity activity)
    {
        Toc = toc;
        FrameCount = frameCount;
        EmptyFrameCount = emptyFrames;
        LbrrFrameCount = lbrrFrames;
        FirstFrame = first;
        Activity = activity;
    }

    /// <summary>Gets the TOC byte.</summary>
    public OpusToc Toc { get; }

    /// <summary>Gets the number of frames.</summary>
    public int FrameCount { get; }

    /// <summary>Gets the duration in 48 kHz samples (the RTP timestamp increment of RFC 7587 §4.2).</summary>
    public int SampleCount => FrameCount * Toc.SamplesPerFrame;

    /// <summary>Gets the number of zero-length frames (RFC 6716 §3.2.1: DTX or lost).</summary>
    public int EmptyFrameCount { get; }

    /// <summary>
    /// Gets a value indicating whether the packet carries no coded audio at all: every frame is
    /// empty, as in the one-byte (TOC only) packets libopus sends during DTX. The decoder conceals
    /// such a packet (PLC / comfort noise), RFC 6716 §3.2.1 and RFC 7845 §4.
    /// </summary>
    public bool IsDtx => EmptyFrameCount == FrameCount;

    /// <summary>Gets the number of frames that carry LBRR data (RFC 6716 §4.2.4).</summary>
    public int LbrrFrameCount { get; }

    /// <summary>Gets a value indicating whether any frame carries LBRR (in-band FEC) data.</summary>
    public bool HasLbrr => LbrrFrameCount > 0;

    /// <summary>
    /// Gets the first frame's header information. Its LBRR data covers the audio just before this
    /// packet, which is what a decoder recovers when asked to decode FEC for a lost previous packet
    /// (libopus <c>opus_decode</c> with <c>decode_fec</c> = 1).
    /// </summary>
    public OpusFrameInfo FirstFrame { get; }

    /// <summary>Gets whether the packet carries active audio: Active if any frame does, Inactive if all frames are inactive.</summary>
    public OpusActivity Activity { get; }
}
