using RtcStack.NetSim.Metrics;

namespace RtcStack.NetSim.Scenarios;

/// <summary>Everything a run produced: the definition, the 200 ms series and the computed summary.</summary>
public sealed class ScenarioResult
{
    /// <summary>Creates a result.</summary>
    public ScenarioResult(ScenarioDefinition definition, string controller, int seed, double durationSeconds,
        IReadOnlyList<double> times, IReadOnlyList<FlowSeries> flows, IReadOnlyList<LinkSeries> links, long events)
    {
        Definition = definition;
        Controller = controller;
        Seed = seed;
        DurationSeconds = durationSeconds;
        Times = times;
        Flows = flows;
        Links = links;
        Events = events;
        Summary = ScenarioAnalysis.Summarize(this);
    }

    /// <summary>Scenario.</summary>
    public ScenarioDefinition Definition { get; }

    /// <summary>Controller name used for flows that did not name one.</summary>
    public string Controller { get; }

    /// <summary>Seed.</summary>
    public int Seed { get; }

    /// <summary>Simulated seconds.</summary>
    public double DurationSeconds { get; }

    /// <summary>Interval end times, s.</summary>
    public IReadOnlyList<double> Times { get; }

    /// <summary>Flow series.</summary>
    public IReadOnlyList<FlowSeries> Flows { get; }

    /// <summary>Link series.</summary>
    public IReadOnlyList<LinkSeries> Links { get; }

    /// <summary>Simulator events processed.</summary>
    public long Events { get; }

    /// <summary>RFC 8868 summary.</summary>
    public ScenarioSummary Summary { get; }
}
