using RtcStack.NetSim.Scenarios;

namespace RtcStack.Cli.Sim;

/// <summary>
/// The numbers of one run that the comparison table shows (RFC 8868 metrics reduced to one value each), shared by
/// <c>sim</c>'s comparison.md and the sweep's merged table.
/// </summary>
internal static class HeadlineMetrics
{
    /// <summary>Column headers, in the order <see cref="From"/> returns the values.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "media rate (Mbps)", "utilisation after conv. (min phase)", "conv. time (max, s)", "qdelay p50 (ms)", "qdelay p95 (ms)",
        "p95 excl. 5 s after drops (ms)", "loss", "frame delay p95 (ms)", "Jain 5 s",
    ];

    /// <summary>CSV column stems, same order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "media_rate_mbps", "utilisation", "convergence_s", "qdelay_p50_ms", "qdelay_p95_ms", "qdelay_p95_outside_drops_ms", "loss", "frame_delay_p95_ms", "jain_5s",
    ];

    /// <summary>True for the columns shown as percentages.</summary>
    public static bool IsFraction(int column) => column is 1 or 6;

    /// <summary>
    /// The values: summed media receive rate; the lowest utilisation after convergence over the bottleneck phases
    /// (0 for a phase that never converged); the longest convergence (+∞: not reached); the highest media p50, p95 and
    /// p95-outside-drops queuing delay, loss and p95 frame delay; the mean Jain index over 5 s windows. NaN: not
    /// applicable.
    /// </summary>
    public static double[] From(ScenarioSummary s)
    {
        var media = s.Flows.Where(f => f.Kind == "media").ToList();
        bool any = media.Count > 0;
        return
        [
            media.Sum(f => f.AvgReceiveBps) / 1e6,
            s.Phases.Count > 0 ? s.Phases.Min(p => double.IsNaN(p.UtilisationAfterConvergence) ? 0 : p.UtilisationAfterConvergence) : double.NaN,
            s.Phases.Count > 0 ? s.Phases.Max(p => double.IsNaN(p.ConvergenceSeconds) ? double.PositiveInfinity : p.ConvergenceSeconds) : double.NaN,
            any ? media.Max(f => f.QueueDelayP50Ms) : double.NaN,
            any ? media.Max(f => f.QueueDelayP95Ms) : double.NaN,
            any ? media.Max(f => f.QueueDelayP95OutsideDropsMs) : double.NaN,
            any ? media.Max(f => f.LossRate) : double.NaN,
            any ? media.Max(f => f.FrameDelayP95Ms) : double.NaN,
            s.Fairness.Find(f => f.WindowSeconds == 5)?.MeanJainIndex ?? double.NaN,
        ];
    }
}
