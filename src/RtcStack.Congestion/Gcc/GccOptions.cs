namespace RtcStack.Congestion.Gcc;

/// <summary>Configuration of <see cref="GccController"/>.</summary>
public sealed record GccOptions
{
    /// <summary>Lowest target, bps (libwebrtc's floor is 5 kbps; browsers configure 30 kbps).</summary>
    public long MinBitrateBps { get; init; } = 30_000;

    /// <summary>Start rate, bps (300 kbps, the WebRTC default start bitrate).</summary>
    public long StartBitrateBps { get; init; } = 300_000;

    /// <summary>Highest target and probe rate, bps.</summary>
    public long MaxBitrateBps { get; init; } = 10_000_000;

    /// <summary>Pacing rate as a multiple of the target (libwebrtc kDefaultPaceMultiplier = 2.5).</summary>
    public double PacingFactor { get; init; } = 2.5;

    /// <summary>Whether to probe every 5 s while application limited (libwebrtc: off unless configured; on here).</summary>
    public bool AlrProbing { get; init; } = true;

    /// <summary>Whether to send the initial 3×/6× probes.</summary>
    public bool InitialProbing { get; init; } = true;

    /// <summary>Periodic processing interval (libwebrtc GoogCcNetworkController process interval, 25 ms).</summary>
    public TimeSpan ProcessInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Interval at which feedback-derived loss counts are handed to the loss-based estimator (kLossUpdateInterval).</summary>
    public TimeSpan LossUpdateInterval { get; init; } = TimeSpan.FromMilliseconds(1000);
}
