namespace RtcStack.NetSim.Sources;

/// <summary>
/// Parameters of the statistical video model (RFC 8593 §4–5: target-following encoder with frame-size noise,
/// reaction lag and a transient after large changes). The values are this implementation's defaults; RFC 8593
/// leaves them to the evaluator.
/// </summary>
public sealed record VideoSourceOptions
{
    /// <summary>Frames per second (RFC 8593 uses 30 fps in its examples).</summary>
    public double Fps { get; init; } = 30;

    /// <summary>Lowest encoder rate, bps.</summary>
    public double MinBps { get; init; } = 150_000;

    /// <summary>Highest encoder rate, bps.</summary>
    public double MaxBps { get; init; } = 3_000_000;

    /// <summary>Interval at which the encoder takes a new target (reaction latency).</summary>
    public TimeSpan UpdateInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest relative step toward the target per update, unless the change is "big".</summary>
    public double MaxUpdateRatio { get; init; } = 0.1;

    /// <summary>Relative change treated as big: followed at once, with a transient.</summary>
    public double BigChangeRatio { get; init; } = 0.5;

    /// <summary>Frames in the transient after a big change; the first is a key frame.</summary>
    public int TransientFrames { get; init; } = 10;

    /// <summary>Key frame size relative to an average frame.</summary>
    public double KeyFrameRatio { get; init; } = 4;

    /// <summary>Standard deviation of the relative frame-size noise (truncated at ±3σ).</summary>
    public double SizeNoise { get; init; } = 0.1;
}
