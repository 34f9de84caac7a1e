namespace RtcStack.NetSim.Sources;

/// <summary>Constant-bitrate audio: one frame every 20 ms (an Opus-like 48 kHz stream) at a fixed rate.</summary>
public sealed class AudioSource : IMediaSource
{
    private readonly double _bps;

    /// <summary>Creates a source producing <paramref name="bps"/> (default 32 kbps).</summary>
    public AudioSource(double bps = 32_000)
    {
        _bps = bps;
    }

    /// <summary>Frame duration.</summary>
    public static TimeSpan FrameDuration { get; } = TimeSpan.FromMilliseconds(20);

    /// <inheritdoc/>
    public bool IsAudio => true;

    /// <inheritdoc/>
    public int ClockRate => 48_000;

    /// <inheritdoc/>
    public TimeSpan NextFrameTime { get; private set; } = TimeSpan.MaxValue;

    /// <inheritdoc/>
    public double CurrentRateBps => _bps;

    /// <inheritdoc/>
    public void Start(TimeSpan at) => NextFrameTime = at;

    /// <inheritdoc/>
    public void SetTargetBitrate(double bps, TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public int ProduceFrame()
    {
        NextFrameTime += FrameDuration;
        return (int)(_bps * FrameDuration.TotalSeconds / 8);
    }
}
