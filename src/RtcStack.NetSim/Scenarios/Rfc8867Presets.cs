namespace RtcStack.NetSim.Scenarios;

/// <summary>
/// The RFC 8867 test cases as named presets ("rfc8867-5.1" … "rfc8867-5.8", "rfc8867-6.3", plus the variants the
/// RFC lists in brackets: "rfc8867-5.1-100ms" and "rfc8867-5.6-1000ms"). Every value is taken from the RFC text
/// (checked against RFC 8867 itself; specs/rfc8867.md cites the section of each); where the RFC leaves a parameter to
/// the evaluator the value chosen is stated there.
/// </summary>
/// <remarks>
/// Common settings (RFC 8867 §4.2–4.3): one-way propagation delay 50 ms in both directions, drop-tail queue 300 ms,
/// jitter per RFC 8868 §4.5 (NR-BPDV, std 5 ms, N_STD 3: at most 15 ms, within §4.2's 30 ms maximum) on both
/// directions, no random loss, the backward path unconstrained unless the case says otherwise; each media source is
/// VBR video 150 kbps–1.5 Mbps starting at 150 kbps plus 20 kbps CBR audio on the same transport; media ends one
/// second before the test does (the RFC's tables end flows at 99/119/299 s).
/// </remarks>
public static class Rfc8867Presets
{
    private const double Mbps = 1_000_000;

    /// <summary>RFC 8868 §4.5.3 recommended jitter standard deviation, ms.</summary>
    public const double JitterStdMs = 5;

    /// <summary>All preset names in order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "rfc8867-5.1", "rfc8867-5.1-100ms", "rfc8867-5.2", "rfc8867-5.3", "rfc8867-5.4", "rfc8867-5.5", "rfc8867-5.6",
        "rfc8867-5.6-1000ms", "rfc8867-5.7", "rfc8867-5.8", "rfc8867-6.3",
    ];

    /// <summary>Returns a preset by name (case-insensitive), or null.</summary>
    public static ScenarioDefinition? Get(string name) => name.ToLowerInvariant() switch
    {
        "rfc8867-5.1" => Case51(),
        "rfc8867-5.1-100ms" => Case51(100),
        "rfc8867-5.2" => Case52(),
        "rfc8867-5.3" => Case53(),
        "rfc8867-5.4" => Case54(),
        "rfc8867-5.5" => Case55(),
        "rfc8867-5.6" => Case56(),
        "rfc8867-5.6-1000ms" => Case56(1000),
        "rfc8867-5.7" => Case57(),
        "rfc8867-5.8" => Case58(),
        "rfc8867-6.3" => Case63(),
        _ => null,
    };

    /// <summary>
    /// RFC 8867 §5.1 Variable available capacity with a single flow: reference capacity 1 Mbps × 1.0/2.5/0.6/1.0 at
    /// 0/40/60/80 s (Table 1); 100 s; one video + one audio source from 0 to 99 s; one-way delay [50 ms, 100 ms] on
    /// the forward path.
    /// </summary>
    public static ScenarioDefinition Case51(double forwardDelayMs = 50) => new()
    {
        Name = forwardDelayMs == 50 ? "rfc8867-5.1" : $"rfc8867-5.1-{forwardDelayMs:0}ms",
        Description = $"Variable available capacity with a single flow (RFC 8867 §5.1), forward one-way delay {forwardDelayMs:0} ms",
        DurationSeconds = 100,
        Links =
        [
            Bottleneck("fwd", 1.0, (0, 1.0), (40, 2.5), (60, 0.6), (80, 1.0)) with { PropagationDelayMs = forwardDelayMs },
            Unconstrained("bwd"),
        ],
        MediaFlows = [Media("flow1", 0, 99)],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// RFC 8867 §5.2 Variable available capacity with multiple flows: reference 2 Mbps × 2.0/1.0/1.75/0.5/1.0 at
    /// 0/25/50/75/100 s (Table 2, i.e. 4/2/3.5/1/2 Mbps); 125 s; two sources from 0 s (§5.1's attributes, end time 125 s
    /// → media until 124 s); backward path unconstrained (§3: unless specified).
    /// </summary>
    public static ScenarioDefinition Case52() => new()
    {
        Name = "rfc8867-5.2",
        Description = "Variable available capacity with multiple flows (RFC 8867 §5.2)",
        DurationSeconds = 125,
        Links = [Bottleneck("fwd", 2.0, (0, 2.0), (25, 1.0), (50, 1.75), (75, 0.5), (100, 1.0)), Unconstrained("bwd")],
        MediaFlows = [Media("flow1", 0, 124), Media("flow2", 0, 124)],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// RFC 8867 §5.3 Congested feedback link with bi-directional media: reference 1 Mbps; forward × 2.0/1.0/0.5/2.0 at
    /// 0/20/40/60 s (Table 3), backward × 2.0/0.8/2.0 at 0/35/70 s (Table 4); 100 s; one source each way, 0–99 s.
    /// </summary>
    public static ScenarioDefinition Case53() => new()
    {
        Name = "rfc8867-5.3",
        Description = "Congested feedback link with bi-directional media flows (RFC 8867 §5.3)",
        DurationSeconds = 100,
        Links =
        [
            Bottleneck("fwd", 1.0, (0, 2.0), (20, 1.0), (40, 0.5), (60, 2.0)),
            Bottleneck("bwd", 1.0, (0, 2.0), (35, 0.8), (70, 2.0)),
        ],
        MediaFlows =
        [
            Media("forward", 0, 99),
            Media("backward", 0, 99) with { Forward = ["bwd"], Backward = ["fwd"] },
        ],
        Bottlenecks = ["fwd", "bwd"],
    };

    /// <summary>
    /// RFC 8867 §5.4 Competing media flows with the same algorithm: 3.5 Mbps; 120 s; three video + audio sources
    /// starting 0/20/40 s, all ending 119 s (Table 5).
    /// </summary>
    public static ScenarioDefinition Case54() => new()
    {
        Name = "rfc8867-5.4",
        Description = "Competing media flows with the same congestion control algorithm (RFC 8867 §5.4)",
        DurationSeconds = 120,
        Links = [Bottleneck("fwd", 3.5, (0, 1.0)), Unconstrained("bwd")],
        MediaFlows = [Media("flow1", 0, 119), Media("flow2", 20, 119), Media("flow3", 40, 119)],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// RFC 8867 §5.5 Round-trip time fairness: 4 Mbps; 300 s; five sources with one-way propagation delays
    /// 10/25/50/100/150 ms starting 0/10/20/30/40 s, all ending 299 s (Table 6). The per-flow delay is modelled as an
    /// access link on each flow's own path (both directions); the shared bottleneck adds none.
    /// </summary>
    public static ScenarioDefinition Case55()
    {
        double[] delays = [10, 25, 50, 100, 150];
        var flows = new List<MediaFlowDefinition>();
        for (int i = 0; i < delays.Length; i++)
        {
            flows.Add(Media($"flow{i + 1}", i * 10, 299) with { AccessDelayMs = delays[i] });
        }
        return new ScenarioDefinition
        {
            Name = "rfc8867-5.5",
            Description = "Round trip time fairness (RFC 8867 §5.5)",
            DurationSeconds = 300,
            Links = [Bottleneck("fwd", 4.0, (0, 1.0)) with { PropagationDelayMs = 0 }, Unconstrained("bwd") with { PropagationDelayMs = 0 }],
            MediaFlows = flows,
            Bottlenecks = ["fwd"],
        };
    }

    /// <summary>
    /// RFC 8867 §5.6 Media flow competing with a long TCP flow: 2 Mbps; queue [300 ms, 1000 ms]; 120 s; media 5–119 s;
    /// one long-lived TCP flow with the default congestion control (RFC 5681: NewReno here, with SACK loss recovery)
    /// 0–119 s.
    /// </summary>
    public static ScenarioDefinition Case56(double queueMs = 300) => new()
    {
        Name = queueMs == 300 ? "rfc8867-5.6" : $"rfc8867-5.6-{queueMs:0}ms",
        Description = $"Media flow competing with a long TCP flow (RFC 8867 §5.6), {queueMs:0} ms queue",
        DurationSeconds = 120,
        Links = [Bottleneck("fwd", 2.0, (0, 1.0)) with { QueueMs = queueMs }, Unconstrained("bwd")],
        MediaFlows = [Media("media", 5, 119)],
        CrossTraffic =
        [
            new CrossTrafficDefinition { Id = "tcp", Type = "tcp", Forward = ["fwd"], Backward = ["bwd"], StartSeconds = 0, StopSeconds = 119 },
        ],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// RFC 8867 §5.7 Media flows competing with short TCP flows: 2 Mbps; 300 s; two sources 5–299 s; ten short TCP
    /// flows, two starting ON and eight OFF, each a sequence of file downloads separated by idle periods — the RFC 8868
    /// §5.1 model: files of 30–50 KB (uniform), idle times exponential with mean 10 s.
    /// </summary>
    public static ScenarioDefinition Case57() => new()
    {
        Name = "rfc8867-5.7",
        Description = "Media flows competing with short TCP flows (RFC 8867 §5.7)",
        DurationSeconds = 300,
        Links = [Bottleneck("fwd", 2.0, (0, 1.0)), Unconstrained("bwd")],
        MediaFlows = [Media("media1", 5, 299), Media("media2", 5, 299)],
        CrossTraffic =
        [
            new CrossTrafficDefinition
            {
                Id = "tcp-short", Type = "tcp-short", Forward = ["fwd"], Backward = ["bwd"], StartSeconds = 0, StopSeconds = 299,
                Count = 10, InitiallyOn = 2, FileBytes = 30_000, FileBytesMax = 50_000, MeanIdleSeconds = 10,
            },
        ],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// RFC 8867 §5.8 Media pause and resume: §5.4's testbed (3.5 Mbps, 120 s); three sources from 0 s for 119 s; flow
    /// two paused at 40 s and resumed at 60 s (the RFC's flow timeline; its prose says "third stream").
    /// </summary>
    public static ScenarioDefinition Case58() => new()
    {
        Name = "rfc8867-5.8",
        Description = "Media pause and resume (RFC 8867 §5.8)",
        DurationSeconds = 120,
        Links = [Bottleneck("fwd", 3.5, (0, 1.0)), Unconstrained("bwd")],
        MediaFlows =
        [
            Media("flow1", 0, 119),
            Media("flow2", 0, 119) with { Pauses = [[40, 60]] },
            Media("flow3", 0, 119),
        ],
        Bottlenecks = ["fwd"],
    };

    /// <summary>
    /// RFC 8867 §6.3 Multiple bottlenecks (Figure 7): reference 2 Mbps; A→B × 1.0, B→C × 4.0, C→D × 0.75; 300 s; media
    /// 0–299 s: S1→R1 over A→B→C→D (one-way delay 100 ms), S2→R2 over A→B (40 ms), S3→R3 over C→D (40 ms). The split
    /// of S1's 100 ms into 40 + 20 + 40 ms per link follows from the two 40 ms paths; backward links are unconstrained
    /// with the same delays.
    /// </summary>
    public static ScenarioDefinition Case63() => new()
    {
        Name = "rfc8867-6.3",
        Description = "Multiple bottlenecks (RFC 8867 §6.3)",
        DurationSeconds = 300,
        Links =
        [
            Bottleneck("ab", 2.0, (0, 1.0)) with { PropagationDelayMs = 40 },
            Bottleneck("bc", 2.0, (0, 4.0)) with { PropagationDelayMs = 20 },
            Bottleneck("cd", 2.0, (0, 0.75)) with { PropagationDelayMs = 40 },
            Unconstrained("ba") with { PropagationDelayMs = 40 },
            Unconstrained("cb") with { PropagationDelayMs = 20 },
            Unconstrained("dc") with { PropagationDelayMs = 40 },
        ],
        MediaFlows =
        [
            Media("s1", 0, 299) with { Forward = ["ab", "bc", "cd"], Backward = ["dc", "cb", "ba"] },
            Media("s2", 0, 299) with { Forward = ["ab"], Backward = ["ba"] },
            Media("s3", 0, 299) with { Forward = ["cd"], Backward = ["dc"] },
        ],
        Bottlenecks = ["ab", "cd"],
    };

    private static LinkDefinition Bottleneck(string id, double referenceMbps, params (double At, double Ratio)[] steps)
    {
        var list = new List<CapacityStep>();
        foreach ((double at, double ratio) in steps)
        {
            list.Add(new CapacityStep(at, ratio * referenceMbps * Mbps));
        }
        return new LinkDefinition { Id = id, Capacity = list, PropagationDelayMs = 50, QueueMs = 300, JitterMs = JitterStdMs };
    }

    private static LinkDefinition Unconstrained(string id) => new() { Id = id, PropagationDelayMs = 50, JitterMs = JitterStdMs };

    private static MediaFlowDefinition Media(string id, double start, double stop) => new()
    {
        Id = id,
        Forward = ["fwd"],
        Backward = ["bwd"],
        StartSeconds = start,
        StopSeconds = stop,
        AudioBps = 20_000,
    };
}
