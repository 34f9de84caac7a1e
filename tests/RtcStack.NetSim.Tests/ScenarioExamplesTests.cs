using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;
using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.NetSim.Tests;

/// <summary>The example scenario files under samples/scenarios parse and do what their descriptions say.</summary>
public class ScenarioExamplesTests
{
    private static readonly string s_dir = Path.Combine(RepoPaths.Root, "samples", "scenarios");

    private static ScenarioResult Run(string file, double seconds, string controller = "gcc")
    {
        string path = Path.Combine(s_dir, file);
        Assert.True(ScenarioFile.TryParse(File.ReadAllText(path), out ScenarioDefinition? def, out string? error), error);
        return ScenarioRunner.Run(def!, controller, 1, new ScenarioRunOptions { Duration = TimeSpan.FromSeconds(seconds), BaseDirectory = s_dir });
    }

    [Fact]
    public void CapacityScheduleFollowsItsSteps()
    {
        ScenarioResult r = Run("capacity-schedule.json", 30);
        LinkSeries fwd = Assert.Single(r.Links);
        Assert.Equal(2_000_000, fwd.CapacityBps[IndexAt(r, 10)]);
        Assert.Equal(500_000, fwd.CapacityBps[IndexAt(r, 20)]);
        Assert.Equal(1_000_000, fwd.CapacityBps[IndexAt(r, 28)]);
        // The flow adapts: while the link carries 0.5 Mbps it receives less than before the drop.
        FlowSeries f = Assert.Single(r.Flows);
        Assert.True(f.ReceiveBps[IndexAt(r, 24)] < f.ReceiveBps[IndexAt(r, 14)]);
    }

    [Fact]
    public void MahimahiReplayDeliversOnlyWhatTheTraceAllows()
    {
        ScenarioResult r = Run("mahimahi-replay.json", 24, "nada");
        LinkSeries fwd = Assert.Single(r.Links);
        // The trace steps once a second through 0.3–6 Mbps (traces/make_trace.py) and repeats after 12 s. In its
        // 0.3 Mbps seconds (8–9 s and 20–21 s) the link delivers 25 packets of 1500 bytes a second: at most 6 per
        // 200 ms interval (5, plus one at an interval edge); in its 6 Mbps seconds far more.
        foreach (double t in new[] { 8.4, 8.6, 8.8, 9.0, 20.4, 20.6, 20.8, 21.0 })
        {
            Assert.InRange(fwd.ThroughputBps[IndexAt(r, t)], 0, 6 * 12_000 / 0.2);
        }
        Assert.True(fwd.ThroughputBps.Max() > 1_000_000, $"max {fwd.ThroughputBps.Max()}");
        Assert.True(r.Flows[0].ReceiveBps.Sum() > 0);
    }

    [Fact]
    public void TwoRttsGivesTheLongFlowEightyMillisecondsMoreOneWayDelay()
    {
        ScenarioResult r = Run("two-rtts.json", 25);
        Assert.Equal(2, r.Flows.Count);
        FlowSummary shortRtt = r.Summary.Flows.Single(f => f.Id == "short-rtt");
        FlowSummary longRtt = r.Summary.Flows.Single(f => f.Id == "long-rtt");
        Assert.True(shortRtt.AvgReceiveBps > 100_000 && longRtt.AvgReceiveBps > 100_000);
        // Access links add 10 ms and 90 ms one way: the shortest frame delays (capture to completion, least queuing)
        // differ by those 80 ms plus what pacing and serialising the two flows' smallest frames took (measured 87 ms).
        double Min(string id) => r.Flows.Single(f => f.Id == id).FrameDelays.Min(x => x.DelayMs);
        Assert.InRange(Min("long-rtt") - Min("short-rtt"), 80, 100);
    }

    private static int IndexAt(ScenarioResult r, double seconds)
    {
        for (int i = 0; i < r.Times.Count; i++)
        {
            if (r.Times[i] >= seconds)
            {
                return i;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(seconds));
    }
}
