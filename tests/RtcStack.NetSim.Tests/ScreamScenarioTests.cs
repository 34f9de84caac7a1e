using RtcStack.NetSim.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests;

/// <summary>
/// SCReAM (RFC 8298) through the RFC 8867 presets with the same bounds <see cref="ScenarioBoundTests"/> asserts for
/// GCC and NADA (seed 1): utilisation ≥ 85 % of the usable capacity in each steady phase after convergence, media
/// queuing delay p95 &lt; 100 ms outside the 5 s after drops, and the same-algorithm rate ratio ≤ 2. Bounds SCReAM
/// misses are recorded as strict expected failures with the measured value (specs/rfc8298.md), not loosened.
/// </summary>
public class ScreamScenarioTests(ITestOutputHelper output)
{
    private ScenarioSummary Run(string scenario)
    {
        ScenarioSummary s = ScenarioRunner.Run(Rfc8867Presets.Get(scenario)!, "scream", 1).Summary;
        foreach (PhaseSummary p in s.Phases)
        {
            output.WriteLine($"phase {p.Link} {p.Start}-{p.End} s usable {p.UsableBps / 1e6:F2} Mbps: conv {p.ConvergenceSeconds:F1} s, util after {p.UtilisationAfterConvergence:P1}");
        }
        foreach (FlowSummary f in s.Flows)
        {
            output.WriteLine($"{f.Id}: recv {f.AvgReceiveBps / 1e6:F2} Mbps, qdelay p95 {f.QueueDelayP95Ms:F0} ms (outside drops {f.QueueDelayP95OutsideDropsMs:F0}), loss {f.LossRate:P2}");
        }
        output.WriteLine($"ratio {s.SameAlgorithmRateRatioAfter20s:F2}");
        return s;
    }

    [Fact]
    public void UtilisationAfterConvergenceIsAtLeast85PercentOn52()
    {
        ScenarioSummary s = Run("rfc8867-5.2");
        Assert.NotEmpty(s.Phases);
        foreach (PhaseSummary p in s.Phases)
        {
            Assert.False(double.IsNaN(p.ConvergenceSeconds), $"phase {p.Start}-{p.End} s never converged");
            Assert.True(p.UtilisationAfterConvergence >= 0.85, $"phase {p.Start}-{p.End} s: utilisation after convergence {p.UtilisationAfterConvergence:P1}");
        }
    }

    /// <summary>
    /// The 85 % utilisation bound is <b>missed</b> on 5.1 and 5.4 (seed 1): every phase converges, and the last phase
    /// of each reaches 84.5 % after convergence (5.1: 80–99 s at 1 Mbps; 5.4: 40–119 s, three flows on 3.5 Mbps),
    /// 0.5 points short; the other phases pass. Strict expected failure, not a loosened bound: it fails if the worst
    /// phase falls below 80 % (a regression) and fails once it reaches 85 % (then assert the bound again).
    /// </summary>
    [Theory]
    [InlineData("rfc8867-5.1")]
    [InlineData("rfc8867-5.4")]
    public void UtilisationMissesThe85PercentBoundByLessThanFivePointsAsDocumented(string scenario)
    {
        ScenarioSummary s = Run(scenario);
        Assert.NotEmpty(s.Phases);
        Assert.All(s.Phases, p => Assert.False(double.IsNaN(p.ConvergenceSeconds), $"phase {p.Start}-{p.End} s never converged"));
        double worst = s.Phases.Min(p => p.UtilisationAfterConvergence);
        output.WriteLine($"worst phase utilisation after convergence {worst:P1}");
        Assert.True(worst >= 0.80, $"{worst:P1}: regression below the documented 84.5 %");
        Assert.True(worst < 0.85, $"{worst:P1} now meets the 85 % bound: assert the bound and update specs/rfc8298.md");
    }

    [Theory]
    [InlineData("rfc8867-5.1")]
    [InlineData("rfc8867-5.2")]
    [InlineData("rfc8867-5.4")]
    public void QueuingDelayP95Below100MsOutsideDrops(string scenario)
    {
        ScenarioSummary s = Run(scenario);
        foreach (FlowSummary f in s.Flows.Where(f => f.Kind == "media"))
        {
            Assert.True(f.QueueDelayP95OutsideDropsMs < 100, $"{f.Id}: p95 {f.QueueDelayP95OutsideDropsMs:F1} ms");
        }
    }

    [Theory]
    [InlineData("rfc8867-5.2")]
    [InlineData("rfc8867-5.4")]
    public void SameAlgorithmFlowsShareWithinFactorTwo(string scenario)
    {
        ScenarioSummary s = Run(scenario);
        Assert.InRange(s.SameAlgorithmRateRatioAfter20s, 1.0, 2.0);
    }

    /// <summary>The closed loop of <see cref="ClosedLoopTests"/> (1 Mbps, 50 ms each way, 300 ms queue) with SCReAM.</summary>
    [Theory]
    [InlineData("twcc")]
    [InlineData("rfc8888")]
    public void AdaptsToOneMbpsWithEitherFeedbackButMissesThe100MsP95AsDocumented(string feedback)
    {
        var def = new ScenarioDefinition
        {
            Name = "closed-loop-1mbps",
            DurationSeconds = 40,
            Links =
            [
                new LinkDefinition { Id = "fwd", Capacity = [new CapacityStep(0, 1_000_000)], PropagationDelayMs = 50, QueueMs = 300 },
                new LinkDefinition { Id = "bwd", PropagationDelayMs = 50 },
            ],
            MediaFlows = [new MediaFlowDefinition { Id = "m", Forward = ["fwd"], Backward = ["bwd"], Feedback = feedback, AudioBps = 32_000 }],
            Bottlenecks = ["fwd"],
        };
        ScenarioResult r = ScenarioRunner.Run(def, "scream", 7);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < r.Times.Count; i++)
        {
            if (r.Times[i] > 15)
            {
                sum += r.Flows[0].ReceiveBps[i];
                n++;
            }
        }
        double p95 = r.Summary.Flows[0].QueueDelayP95Ms;
        output.WriteLine($"{feedback}: {sum / n / 1e3:F0} kbps, p95 {p95:F0} ms");
        Assert.True(sum / n >= 850_000, $"scream/{feedback}: {sum / n / 1e3:F0} kbps");
        // Missed: the 100 ms p95 bound GCC and NADA meet here; SCReAM's delay-based window aims at QDELAY_TARGET_LO =
        // 100 ms and measured 108 ms (TWCC) and 126 ms (RFC 8888) p95. Strict expected failure (specs/rfc8298.md):
        // fails above 150 ms (regression) and once p95 drops below 100 ms (then assert the bound again).
        Assert.True(p95 >= 100, $"p95 {p95:F0} ms now meets the 100 ms bound: assert it and update specs/rfc8298.md");
        Assert.True(p95 < 150, $"p95 {p95:F0} ms: regression beyond the documented {(feedback == "twcc" ? 108 : 126)} ms");
        Assert.True(r.Summary.Flows[0].FeedbackBps > 0);
    }
}
