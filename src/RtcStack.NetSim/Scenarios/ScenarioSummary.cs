namespace RtcStack.NetSim.Scenarios;

/// <summary>RFC 8868 metrics of one run (serialised as the JSON summary).</summary>
public sealed record ScenarioSummary
{
    /// <summary>Scenario name.</summary>
    public string Scenario { get; init; } = "";

    /// <summary>Controller.</summary>
    public string Controller { get; init; } = "";

    /// <summary>Seed.</summary>
    public int Seed { get; init; }

    /// <summary>Simulated seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Per-flow metrics.</summary>
    public List<FlowSummary> Flows { get; init; } = [];

    /// <summary>Per-bottleneck steady phases with convergence and utilisation.</summary>
    public List<PhaseSummary> Phases { get; init; } = [];

    /// <summary>Fairness among media flows over 1, 5 and 20 s windows.</summary>
    public List<FairnessSummary> Fairness { get; init; } = [];

    /// <summary>
    /// Ratio of the highest to the lowest average receive rate of same-controller media flows, measured from 20 s after
    /// the last of them started to the first stop (NaN with fewer than two flows).
    /// </summary>
    public double SameAlgorithmRateRatioAfter20s { get; init; } = double.NaN;

    /// <summary>Sum of media receive rates over the bottleneck capacity from 10 s after media start (competition cases).</summary>
    public double MediaShareOfCapacity { get; init; } = double.NaN;
}

/// <summary>One flow's RFC 8868 metrics.</summary>
public sealed record FlowSummary
{
    /// <summary>Flow id.</summary>
    public string Id { get; init; } = "";

    /// <summary>"media", "tcp", "cbr".</summary>
    public string Kind { get; init; } = "";

    /// <summary>Controller (media).</summary>
    public string Controller { get; init; } = "";

    /// <summary>Average sending rate while active, bps.</summary>
    public double AvgSendBps { get; init; }

    /// <summary>Average receiving rate while active, bps.</summary>
    public double AvgReceiveBps { get; init; }

    /// <summary>Average target, bps.</summary>
    public double AvgTargetBps { get; init; }

    /// <summary>Median queuing delay, ms.</summary>
    public double QueueDelayP50Ms { get; init; }

    /// <summary>95th-percentile queuing delay, ms.</summary>
    public double QueueDelayP95Ms { get; init; }

    /// <summary>95th-percentile queuing delay excluding the 5 s after each capacity drop, ms.</summary>
    public double QueueDelayP95OutsideDropsMs { get; init; }

    /// <summary>Packets lost / sent.</summary>
    public double LossRate { get; init; }

    /// <summary>95th-percentile frame delay, ms.</summary>
    public double FrameDelayP95Ms { get; init; }

    /// <summary>Feedback bytes / media bytes.</summary>
    public double FeedbackOverhead { get; init; }

    /// <summary>Average feedback rate, bps.</summary>
    public double FeedbackBps { get; init; }
}

/// <summary>A constant-capacity phase of a bottleneck.</summary>
public sealed record PhaseSummary
{
    /// <summary>Link.</summary>
    public string Link { get; init; } = "";

    /// <summary>Start, s.</summary>
    public double Start { get; init; }

    /// <summary>End, s.</summary>
    public double End { get; init; }

    /// <summary>Capacity, bps.</summary>
    public double CapacityBps { get; init; }

    /// <summary>
    /// Usable capacity, bps: the capacity, or less when the active media flows crossing the link cannot use it all
    /// (the sum of their encoder maxima at wire level, <see cref="ScenarioAnalysis.WireDemandBps"/>) and no cross
    /// traffic is active on it. Utilisation and convergence are measured against this.
    /// </summary>
    public double UsableBps { get; init; }

    /// <summary>True when the phase began with a capacity drop.</summary>
    public bool AfterDrop { get; init; }

    /// <summary>
    /// Seconds from the phase start until, for a full second, utilisation of the usable capacity ≥ 85 % and media
    /// queuing delay p95 &lt; 100 ms (NaN: not reached in the phase).
    /// </summary>
    public double ConvergenceSeconds { get; init; } = double.NaN;

    /// <summary>Throughput over the usable capacity from convergence to the phase end (NaN if not converged).</summary>
    public double UtilisationAfterConvergence { get; init; } = double.NaN;

    /// <summary>Throughput over the usable capacity over the whole phase.</summary>
    public double Utilisation { get; init; }
}

/// <summary>Fairness over windows of one length.</summary>
public sealed record FairnessSummary
{
    /// <summary>Window, s.</summary>
    public double WindowSeconds { get; init; }

    /// <summary>Windows with at least two active media flows.</summary>
    public int Windows { get; init; }

    /// <summary>Mean Jain's fairness index.</summary>
    public double MeanJainIndex { get; init; } = double.NaN;

    /// <summary>Fraction of windows whose max/min rate ratio lies within 0.333–3 (RFC 8868 §2).</summary>
    public double FractionWithinRatio3 { get; init; } = double.NaN;

    /// <summary>Largest max/min ratio seen.</summary>
    public double MaxRatio { get; init; } = double.NaN;
}
