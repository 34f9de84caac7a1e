namespace RtcStack.WebRtc.Streams;

/// <summary>Sizes and the retransmission deadline of a <see cref="VideoFrameBuffer"/>.</summary>
public sealed class VideoFrameBufferOptions
{
    /// <summary>Gets the packets the assembler's window holds (16-32768; default 1024).</summary>
    public int WindowSize { get; init; } = 1024;

    /// <summary>Gets the largest RTP payload kept (default 1500).</summary>
    public int MaxPayloadSize { get; init; } = 1500;

    /// <summary>Gets the largest frame (default 8 MiB).</summary>
    public int MaxFrameSize { get; init; } = 8 << 20;

    /// <summary>Gets the shortest wait for a retransmission before later frames are released without the missing one (default 100 ms).</summary>
    public TimeSpan MinWait { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets how many RTTs the buffer waits for a retransmission when that is longer than <see cref="MinWait"/> (default 3: a NACK and two retries).</summary>
    public double RoundTripTimeMultiplier { get; init; } = 3;
}
