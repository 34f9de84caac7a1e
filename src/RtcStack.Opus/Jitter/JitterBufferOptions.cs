namespace RtcStack.Opus.Jitter;

/// <summary>Settings of an <see cref="AdaptiveJitterBuffer"/>.</summary>
public sealed class JitterBufferOptions
{
    /// <summary>Gets the RTP clock rate of the stream (48000 for Opus, RFC 7587 §4.1).</summary>
    public int ClockRate { get; init; } = 48000;

    /// <summary>Gets the output frame length in milliseconds: 10 or 20.</summary>
    public int FrameMilliseconds { get; init; } = 10;

    /// <summary>Gets the lowest target delay (webrtc-stats jitterBufferTarget, as RTCRtpReceiver.jitterBufferTarget sets it).</summary>
    public TimeSpan MinimumDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Gets the highest target delay.</summary>
    public TimeSpan MaximumDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the delay playout starts with after the first packet (the whole delay of a fixed buffer).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Gets whether the delay adapts (time-stretching towards the target from the relative-delay histogram, holding the
    /// playout point while the buffer is empty). False gives a fixed buffer: playout runs <see cref="InitialDelay"/>
    /// behind the first packet and late packets are discarded.
    /// </summary>
    public bool Adaptive { get; init; } = true;

    /// <summary>
    /// Gets the quantile of the relative-delay histogram the target covers. 0.97 by default: the playout point sits a
    /// little above the target (time-stretching hysteresis, and a margin of under one frame for the output tick), so in
    /// the RFC 8868 runs of docs/jitter-buffer.md well under 1 % of the audio is late; 0.99 buys less late loss for more delay.
    /// </summary>
    public double DelayQuantile { get; init; } = 0.97;

    /// <summary>Gets the per-packet forgetting factor of the histogram (0.998: a memory of about 500 packets, 10 s at 20 ms).</summary>
    public double ForgetFactor { get; init; } = 0.998;

    /// <summary>Gets how many packets the buffer holds; the oldest is dropped (and counted) when a new one does not fit.</summary>
    public int Capacity { get; init; } = 100;

    /// <summary>Gets the largest payload stored (a slot's size).</summary>
    public int MaxPayloadBytes { get; init; } = 1500;

    /// <summary>Gets how far, in time, a packet's timestamp may sit from the playout point before the buffer resets.</summary>
    public TimeSpan MaxTimestampJump { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets whether a missing packet is rebuilt from the next packet's in-band FEC when it has some (RFC 7587 §3.3).</summary>
    public bool UseFec { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ClockRate, 8000, nameof(ClockRate));
        if (FrameMilliseconds is not (10 or 20))
        {
            throw new ArgumentOutOfRangeException(nameof(FrameMilliseconds), FrameMilliseconds, "Output frames are 10 or 20 ms.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumDelay, TimeSpan.Zero, nameof(MinimumDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaximumDelay, MinimumDelay, nameof(MaximumDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaximumDelay, TimeSpan.FromSeconds(10), nameof(MaximumDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        if (!(DelayQuantile > 0.5 && DelayQuantile < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DelayQuantile), DelayQuantile, "The quantile lies in (0.5, 1).");
        }

        if (!(ForgetFactor > 0.5 && ForgetFactor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ForgetFactor), ForgetFactor, "The forgetting factor lies in (0.5, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Capacity, 2, nameof(Capacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPayloadBytes, 1, nameof(MaxPayloadBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTimestampJump, TimeSpan.FromMilliseconds(100), nameof(MaxTimestampJump));
    }
}
