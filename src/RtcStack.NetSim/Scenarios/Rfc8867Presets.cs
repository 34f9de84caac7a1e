namespace RtcStack.NetSim.Scenarios;

/// <summary>
/// The RFC 8867 test cases as named presets ("rfc8867-5.1" … "rfc8867-5.8", "rfc8867-6.3"). Capacity schedules,
/// durations, flow counts and start times follow RFC 8867 §5; where the RFC leaves a parameter to the evaluator the
/// value chosen here is stated in specs/rfc8867.md. Common settings (§4): one-way propagation delay 50 ms, drop-tail
/// queue 300 ms, no jitter, no random loss.
/// </summary>
public static class Rfc8867Presets
{
    private const double Mbps = 1_000_000;

    /// <summary>All preset names in order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["rfc8867-5.1", "rfc8867-5.2", "rfc8867-5.3", "rfc8867-5.4", "rfc8867-5.5", "rfc8867-5.6", "rfc8867-5.7", "rfc8867-5.8", "rfc8867-6.3"];

    /// <summary>Returns a preset by name (case-insensitive), or null.</summary>
    public static ScenarioDefinition? Get(string name) => name.ToLowerInvariant() switch
    {
        "rfc8867-5.1" => Case51(),
        "rfc8867-5.2" => Case52(),
        "rfc8867-5.3" => Case53(),
        "rfc8867-5.4" => Case54(),
        "rfc8867-5.5" => Case55(),
        "rfc8867-5.6" => Case56(),
        "rfc8867-5.7" => Case57(),
        "rfc8867-5.8" => Case58(),
        "rfc8867-6.3" => Case63(),
        _ => null,
    };

    /// <summary>§5.1 Variable available capacity with a single flow: 1.0/2.5/0.6/1.0 Mbps at 0/40/60/80 s, 100 s.</summary>
    public static ScenarioDefinition Case51() => new()
    {
        Name = "rfc8867-5.1",
        Description = "Variable available capacity with a single flow (RFC 8867 §5.1)",
        DurationSeconds = 100,
        Links =
        [
            Bottleneck("fwd", (0, 1.0), (40, 2.5), (60, 0.6), (80, 1.0)),
            Unconstrained("bwd"),
        ],
        MediaFlows = [Media("flow1", 0, 100)],
        Bottlenecks = ["fwd"],
    };

    /// <summary>§5.2 Variable available capacity with multiple flows: 4/2/3.5/1/2 Mbps at 0/25/50/75/100 s, two flows, 125 s.</summary>
    public static ScenarioDefinition Case52() => new()
    {
        Name = "rfc8867-5.2",
        Description = "Variable available capacity with multiple flows (RFC 8867 §5.2)",
        DurationSeconds = 125,
        Links =
        [
            Bottleneck("fwd", (0, 4.0), (25, 2.0), (50, 3.5), (75, 1.0), (100, 2.0)),
            Bottleneck("bwd", (0, 4.0), (25, 2.0), (50, 3.5), (75, 1.0), (100, 2.0)),
        ],
        MediaFlows = [Media("flow1", 0, 125), Media("flow2", 0, 125)],
        Bottlenecks = ["fwd"],
    };

    /// <summary>§5.3 Congested feedback link with bi-directional media: forward 2/1/0.5/2 Mbps at 0/20/40/60 s, backward 2/0.8/2 Mbps at 0/35/70 s, 100 s.</summary>
    public static ScenarioDefinition Case53() => new()
    {
        Name = "rfc8867-5.3",
        Description = "Congested feedback link with bi-directional media flows (RFC 8867 §5.3)",
        DurationSeconds = 100,
        Links =
        [
            Bottleneck("fwd", (0, 2.0), (20, 1.0), (40, 0.5), (60, 2.0)),
            Bottleneck("bwd", (0, 2.0), (35, 0.8), (70, 2.0)),
        ],
        MediaFlows =
        [
            Media("forward", 0, 100),
            Media("backward", 0, 100) with { Forward = ["bwd"], Backward = ["fwd"] },
        ],
        Bottlenecks = ["fwd", "bwd"],
    };

    /// <summary>§5.4 Competing media flows with the same algorithm: 3.5 Mbps, three flows starting at 0/20/40 s, 120 s.</summary>
    public static ScenarioDefinition Case54() => new()
    {
        Name = "rfc8867-5.4",
        Description = "Competing media flows with the same congestion control algorithm (RFC 8867 §5.4)",
        DurationSeconds = 120,
        Links = [Bottleneck("fwd", (0, 3.5)), Unconstrained("bwd")],
        MediaFlows = [Media("flow1", 0, 120), Media("flow2", 20, 120), Media("flow3", 40, 120)],
        Bottlenecks = ["fwd"],
    };

    /// <summary>§5.5 Round-trip time fairness: 4 Mbps, five flows with one-way delays 10/25/50/100/150 ms starting 0/10/20/30/40 s, 300 s.</summary>
    public static ScenarioDefinition Case55()
    {
        double[] delays = [10, 25, 50, 100, 150];
        var flows = new List<MediaFlowDefinition>();
        for (int i = 0; i < delays.Length; i++)
        {
            flows.Add(Media($"flow{i + 1}", i * 10, 300) with { AccessDelayMs = delays[i] });
        }
        return new ScenarioDefinition
        {
            Name = "rfc8867-5.5",
            Description = "Round trip time fairness (RFC 8867 §5.5)",
            DurationSeconds = 300,
            Links = [Bottleneck("fwd", (0, 4.0)) with { PropagationDelayMs = 0 }, Unconstrained("bwd") with { PropagationDelayMs = 0 }],
            MediaFlows = flows,
            Bottlenecks = ["fwd"],
        };
    }

    /// <summary>§5.6 Media flow competing with a long TCP flow: 2 Mbps, TCP from 0 s, media from 5 s, 120 s.</summary>
    public static ScenarioDefinition Case56() => new()
    {
        Name = "rfc8867-5.6",
        Description = "Media flow competing with a long TCP flow (RFC 8867 §5.6)",
        DurationSeconds = 120,
        Links = [Bottleneck("fwd", (0, 2.0)), Unconstrained("bwd")],
        MediaFlows = [Media("media", 5, 120)],
        CrossTraffic = [new CrossTrafficDefinition { Id = "tcp", Type = "tcp", Forward = ["fwd"], Backward = ["bwd"], StartSeconds = 0 }],
        Bottlenecks = ["fwd"],
    };

    /// <summary>§5.7 Media flow competing with short TCP flows: 2 Mbps, two media flows from 5 s, ten on/off TCP flows, 300 s.</summary>
    public static ScenarioDefinition Case57() => new()
    {
        Name = "rfc8867-5.7",
        Description = "Media flows competing with short TCP flows (RFC 8867 §5.7)",
        DurationSeconds = 300,
        Links = [Bottleneck("fwd", (0, 2.0)), Unconstrained("bwd")],
        MediaFlows = [Media("media1", 5, 300), Media("media2", 5, 300)],
        CrossTraffic =
        [
            new CrossTrafficDefinition
            {
                Id = "tcp-short", Type = "tcp-short", Forward = ["fwd"], Backward = ["bwd"], StartSeconds = 0,
                Count = 10, FileBytes = 200_000, MeanIdleSeconds = 10,
            },
        ],
        Bottlenecks = ["fwd"],
    };

    /// <summary>§5.8 Media pause and resume: 3.5 Mbps, three flows from 0 s, flow 1 paused 40–60 s, 120 s.</summary>
    public static ScenarioDefinition Case58() => new()
    {
        Name = "rfc8867-5.8",
        Description = "Media pause and resume (RFC 8867 §5.8)",
        DurationSeconds = 120,
        Links = [Bottleneck("fwd", (0, 3.5)), Unconstrained("bwd")],
        MediaFlows =
        [
            Media("flow1", 0, 120) with { Pauses = [[40, 60]] },
            Media("flow2", 0, 120),
            Media("flow3", 0, 120),
        ],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// §6.3 Multiple bottlenecks: the media flow crosses two 2 Mbps bottlenecks in series (25 ms each), each also
    /// crossed by one long-lived TCP flow (one from 20 s on the first, one from 40 s on the second), 120 s.
    /// </summary>
    public static ScenarioDefinition Case63() => new()
    {
        Name = "rfc8867-6.3",
        Description = "Multiple bottlenecks (RFC 8867 §6.3)",
        DurationSeconds = 120,
        Links =
        [
            Bottleneck("b1", (0, 2.0)) with { PropagationDelayMs = 25 },
            Bottleneck("b2", (0, 2.0)) with { PropagationDelayMs = 25 },
            Unconstrained("bwd"),
        ],
        MediaFlows = [Media("media", 0, 120) with { Forward = ["b1", "b2"] }],
        CrossTraffic =
        [
            new CrossTrafficDefinition { Id = "tcp-b1", Type = "tcp", Forward = ["b1"], Backward = ["bwd"], StartSeconds = 20 },
            new CrossTrafficDefinition { Id = "tcp-b2", Type = "tcp", Forward = ["b2"], Backward = ["bwd"], StartSeconds = 40 },
        ],
        Bottlenecks = ["b1", "b2"],
    };

    private static LinkDefinition Bottleneck(string id, params (double At, double Mbps)[] steps)
    {
        var list = new List<CapacityStep>();
        foreach ((double at, double mbps) in steps)
        {
            list.Add(new CapacityStep(at, mbps * Mbps));
        }
        return new LinkDefinition { Id = id, Capacity = list, PropagationDelayMs = 50, QueueMs = 300 };
    }

    private static LinkDefinition Unconstrained(string id) => new() { Id = id, PropagationDelayMs = 50 };

    private static MediaFlowDefinition Media(string id, double start, double stop) => new()
    {
        Id = id,
        Forward = ["fwd"],
        Backward = ["bwd"],
        StartSeconds = start,
        StopSeconds = stop,
    };
}
