using RtcStack.Congestion.Feedback;
using RtcStack.NetSim.Sources;

namespace RtcStack.NetSim.Endpoints;

/// <summary>Configuration of one media flow (sender + receiver pair).</summary>
public sealed record MediaFlowOptions
{
    /// <summary>Start of media.</summary>
    public TimeSpan Start { get; init; }

    /// <summary>End of media.</summary>
    public TimeSpan Stop { get; init; } = TimeSpan.MaxValue;

    /// <summary>Intervals during which the source is paused (RFC 8867 §5.8).</summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan To)> Pauses { get; init; } = [];

    /// <summary>Video model parameters (null: no video).</summary>
    public VideoSourceOptions? Video { get; init; } = new();

    /// <summary>Audio rate, bps (0: no audio).</summary>
    public double AudioBps { get; init; }

    /// <summary>Feedback kind.</summary>
    public FeedbackFormat Feedback { get; init; } = FeedbackFormat.Twcc;

    /// <summary>RFC 8888 report interval.</summary>
    public TimeSpan Rfc8888Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest RTP payload per packet.</summary>
    public int MaxPayload { get; init; } = 1200;
}
