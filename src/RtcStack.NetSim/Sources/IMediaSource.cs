namespace RtcStack.NetSim.Sources;

/// <summary>A frame-producing media source whose rate follows the congestion controller's target.</summary>
public interface IMediaSource
{
    /// <summary>True for audio (paced first, high priority).</summary>
    bool IsAudio { get; }

    /// <summary>RTP clock rate (90 kHz video, 48 kHz audio).</summary>
    int ClockRate { get; }

    /// <summary>Time of the next frame.</summary>
    TimeSpan NextFrameTime { get; }

    /// <summary>Starts producing frames at <paramref name="at"/>.</summary>
    void Start(TimeSpan at);

    /// <summary>Sets the encoder target rate.</summary>
    void SetTargetBitrate(double bps, TimeSpan now);

    /// <summary>Produces the frame due at <see cref="NextFrameTime"/> and advances; returns its size in bytes.</summary>
    int ProduceFrame();

    /// <summary>Rate the encoder is currently producing, bps.</summary>
    double CurrentRateBps { get; }
}
