using RtcStack.Congestion;

namespace RtcStack.NetSim.Scenarios;

/// <summary>Options of one scenario run.</summary>
public sealed record ScenarioRunOptions
{
    /// <summary>Overrides the scenario duration.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Makes controllers by name; default knows "gcc" and "nada".</summary>
    public Func<string, MediaFlowDefinition, ICongestionController>? ControllerFactory { get; init; }

    /// <summary>Progress callback with the simulated fraction done (0–1), called once per simulated second.</summary>
    public Action<double>? Progress { get; init; }

    /// <summary>Receives RFC 8868 §3.1 RTP log lines ("S"/"R" prefixed: sent or received).</summary>
    public TextWriter? RtpLog { get; init; }

    /// <summary>
    /// Builds each media flow's two ends instead of the built-in RTP sender and receiver (for example real WebRTC
    /// sessions through an adapter, so the same scenarios run through the full session code). Null: the built-in ones.
    /// </summary>
    public Func<MediaFlowSetup, MediaFlowEndpoints>? MediaFlowFactory { get; init; }

    /// <summary>Directory trace files are relative to.</summary>
    public string? BaseDirectory { get; init; }
}
