using System.Text.Json.Serialization;

namespace RtcStack.NetSim.Scenarios;

/// <summary>
/// A simulation scenario as data (and as the JSON scenario file format): links, media flows and cross traffic.
/// Properties are settable (not init-only) so that System.Text.Json source generation keeps the defaults of
/// properties a file leaves out.
/// Times are seconds, delays milliseconds, rates bits per second.
/// </summary>
public sealed record ScenarioDefinition
{
    /// <summary>Scenario name (e.g. "rfc8867-5.1").</summary>
    public string Name { get; set; } = "custom";

    /// <summary>What the scenario models.</summary>
    public string Description { get; set; } = "";

    /// <summary>Simulated duration, seconds.</summary>
    public double DurationSeconds { get; set; } = 100;

    /// <summary>Links.</summary>
    public List<LinkDefinition> Links { get; set; } = [];

    /// <summary>Media flows (controller under test).</summary>
    public List<MediaFlowDefinition> MediaFlows { get; set; } = [];

    /// <summary>Cross traffic.</summary>
    public List<CrossTrafficDefinition> CrossTraffic { get; set; } = [];

    /// <summary>Links whose utilisation is reported (the bottlenecks).</summary>
    public List<string> Bottlenecks { get; set; } = [];
}

/// <summary>A link in a scenario.</summary>
public sealed record LinkDefinition
{
    /// <summary>Link id referenced by flows.</summary>
    public string Id { get; set; } = "";

    /// <summary>Capacity steps; empty and no trace means unconstrained.</summary>
    public List<CapacityStep> Capacity { get; set; } = [];

    /// <summary>Mahimahi trace file (overrides <see cref="Capacity"/>).</summary>
    public string? TraceFile { get; set; }

    /// <summary>One-way propagation delay, ms.</summary>
    public double PropagationDelayMs { get; set; }

    /// <summary>Jitter standard deviation, ms (truncated Gaussian, no reordering).</summary>
    public double JitterMs { get; set; }

    /// <summary>Drop-tail queue in ms at the current capacity (used unless <see cref="QueueBytes"/> is set).</summary>
    public double QueueMs { get; set; } = 300;

    /// <summary>Drop-tail queue in bytes.</summary>
    public long? QueueBytes { get; set; }

    /// <summary>Independent loss probability.</summary>
    public double LossRate { get; set; }

    /// <summary>Gilbert–Elliott loss (overrides <see cref="LossRate"/>).</summary>
    public GilbertElliottDefinition? GilbertElliott { get; set; }
}

/// <summary>One capacity step.</summary>
/// <param name="AtSeconds">Start of the step.</param>
/// <param name="Bps">Capacity from then on.</param>
public sealed record CapacityStep(double AtSeconds, double Bps);

/// <summary>Gilbert–Elliott parameters (per packet).</summary>
/// <param name="PGoodToBad">Transition probability good → bad.</param>
/// <param name="PBadToGood">Transition probability bad → good.</param>
/// <param name="LossInGood">Loss probability in the good state.</param>
/// <param name="LossInBad">Loss probability in the bad state.</param>
public sealed record GilbertElliottDefinition(double PGoodToBad, double PBadToGood, double LossInGood = 0, double LossInBad = 1);

/// <summary>A media flow.</summary>
public sealed record MediaFlowDefinition
{
    /// <summary>Flow name.</summary>
    public string Id { get; set; } = "";

    /// <summary>Links from sender to receiver.</summary>
    public List<string> Forward { get; set; } = [];

    /// <summary>Links from receiver to sender (feedback path).</summary>
    public List<string> Backward { get; set; } = [];

    /// <summary>Extra one-way delay on this flow's own access link, ms (RFC 8867 §5.5 per-flow delays).</summary>
    public double AccessDelayMs { get; set; }

    /// <summary>Start, s.</summary>
    public double StartSeconds { get; set; }

    /// <summary>Stop, s (null: end of run).</summary>
    public double? StopSeconds { get; set; }

    /// <summary>Pauses as [from, to] seconds.</summary>
    public List<double[]> Pauses { get; set; } = [];

    /// <summary>Video encoder minimum, bps (RFC 8867 §4.3: 150 kbps).</summary>
    public double MinBps { get; set; } = 150_000;

    /// <summary>Video encoder maximum, bps (RFC 8867 §4.3: 1.5 Mbps).</summary>
    public double MaxBps { get; set; } = 1_500_000;

    /// <summary>Start rate of the controller and the encoder, bps (RFC 8867 §4.3 media startup behaviour: 150 kbps).</summary>
    public double StartBps { get; set; } = 150_000;

    /// <summary>CBR audio rate alongside the video on the same transport, bps (RFC 8867 §4.3: 20 kbps; 0: none).</summary>
    public double AudioBps { get; set; }

    /// <summary>Video on or off.</summary>
    public bool Video { get; set; } = true;

    /// <summary>"twcc" or "rfc8888".</summary>
    public string Feedback { get; set; } = "twcc";

    /// <summary>RFC 8888 report interval, ms.</summary>
    public double Rfc8888IntervalMs { get; set; } = 100;

    /// <summary>Controller for this flow (null: the one chosen on the command line).</summary>
    public string? Controller { get; set; }
}

/// <summary>Cross traffic.</summary>
public sealed record CrossTrafficDefinition
{
    /// <summary>Name.</summary>
    public string Id { get; set; } = "";

    /// <summary>"cbr", "tcp" (long-lived) or "tcp-short".</summary>
    public string Type { get; set; } = "cbr";

    /// <summary>"newreno" or "cubic".</summary>
    public string Algorithm { get; set; } = "newreno";

    /// <summary>Forward links.</summary>
    public List<string> Forward { get; set; } = [];

    /// <summary>Backward links (ACKs).</summary>
    public List<string> Backward { get; set; } = [];

    /// <summary>Extra one-way access delay, ms.</summary>
    public double AccessDelayMs { get; set; }

    /// <summary>Start, s.</summary>
    public double StartSeconds { get; set; }

    /// <summary>Stop, s (null: end).</summary>
    public double? StopSeconds { get; set; }

    /// <summary>CBR rate, bps.</summary>
    public double Bps { get; set; } = 500_000;

    /// <summary>CBR datagram size (wire), bytes.</summary>
    public int PacketSize { get; set; } = 1200;

    /// <summary>
    /// Short TCP file size, bytes; with <see cref="FileBytesMax"/> the lower end of a uniform range
    /// (RFC 8868 §5.1: 30–50 KB).
    /// </summary>
    public long FileBytes { get; set; } = 30_000;

    /// <summary>Upper end of the uniform short-flow file size, bytes (null: every file is <see cref="FileBytes"/>).</summary>
    public long? FileBytesMax { get; set; }

    /// <summary>
    /// How many of the <see cref="Count"/> short flows start in the ON state (sending a file at the start time); the
    /// others start with an idle period (RFC 8867 §5.7: two of ten). Null: all start ON.
    /// </summary>
    public int? InitiallyOn { get; set; }

    /// <summary>Mean idle time between short-flow files, s.</summary>
    public double MeanIdleSeconds { get; set; } = 10;

    /// <summary>Number of identical flows.</summary>
    public int Count { get; set; } = 1;

    /// <summary>TCP receive window, bytes (default 6 MiB, Linux's default tcp_rmem maximum, so the window does not limit).</summary>
    public long ReceiveWindowBytes { get; set; } = 6 * 1024 * 1024;
}

/// <summary>System.Text.Json source generation for scenario files (trim-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ScenarioDefinition))]
public sealed partial class ScenarioJsonContext : JsonSerializerContext;
