using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;

namespace RtcStack.Cli.Commands;

/// <summary>Writes simulation results as CSV, JSON and Markdown.</summary>
public static class ResultWriter
{
    /// <summary>One row per 200 ms interval: per-flow rates, delays and loss, per-link capacity and utilisation.</summary>
    public static void WriteCsv(ScenarioResult r, string path)
    {
        var sb = new StringBuilder();
        sb.Append("time_s");
        foreach (LinkSeries l in r.Links)
        {
            sb.Append(CultureInfo.InvariantCulture, $",{l.Id}_capacity_bps,{l.Id}_throughput_bps,{l.Id}_utilisation,{l.Id}_queue_bytes,{l.Id}_drops");
        }
        foreach (FlowSeries f in r.Flows)
        {
            sb.Append(CultureInfo.InvariantCulture, $",{f.Id}_send_bps,{f.Id}_recv_bps,{f.Id}_target_bps,{f.Id}_qdelay_p50_ms,{f.Id}_qdelay_max_ms,{f.Id}_loss,{f.Id}_frame_delay_ms");
        }
        sb.Append('\n');
        for (int i = 0; i < r.Times.Count; i++)
        {
            sb.Append(F(r.Times[i]));
            foreach (LinkSeries l in r.Links)
            {
                sb.Append(',').Append(F(l.CapacityBps[i])).Append(',').Append(F(l.ThroughputBps[i])).Append(',').Append(F(l.Utilisation[i]))
                  .Append(',').Append(F(l.QueueBytes[i])).Append(',').Append(F(l.Drops[i]));
            }
            foreach (FlowSeries f in r.Flows)
            {
                sb.Append(',').Append(F(f.SendBps[i])).Append(',').Append(F(f.ReceiveBps[i])).Append(',').Append(F(f.TargetBps[i]))
                  .Append(',').Append(F(f.QueueDelayP50Ms[i])).Append(',').Append(F(f.QueueDelayMaxMs[i])).Append(',').Append(F(f.LossRate[i]))
                  .Append(',').Append(F(f.FrameDelayMs[i]));
            }
            sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>The summary as JSON.</summary>
    public static void WriteJson(ScenarioSummary s, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(s, SummaryJsonContext.Default.ScenarioSummary));

    /// <summary>A Markdown table comparing controllers across cases.</summary>
    public static string ComparisonMarkdown(IReadOnlyList<ScenarioSummary> summaries)
    {
        var sb = new StringBuilder();
        sb.Append("| case | cc | media rate (Mbps) | utilisation after conv. (min phase) | conv. time (max, s) | qdelay p50 / p95 (ms) | p95 excl. 5 s after drops (ms) | loss | frame delay p95 (ms) | Jain 5 s | rate ratio after 20 s | media share vs TCP | feedback overhead |\n");
        sb.Append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (ScenarioSummary s in summaries)
        {
            var media = s.Flows.Where(f => f.Kind == "media").ToList();
            double rate = media.Sum(f => f.AvgReceiveBps) / 1e6;
            double minUtil = s.Phases.Count > 0 ? s.Phases.Min(p => double.IsNaN(p.UtilisationAfterConvergence) ? 0 : p.UtilisationAfterConvergence) : double.NaN;
            double maxConv = s.Phases.Count > 0 ? s.Phases.Max(p => double.IsNaN(p.ConvergenceSeconds) ? double.PositiveInfinity : p.ConvergenceSeconds) : double.NaN;
            double p50 = media.Count > 0 ? media.Max(f => f.QueueDelayP50Ms) : double.NaN;
            double p95 = media.Count > 0 ? media.Max(f => f.QueueDelayP95Ms) : double.NaN;
            double p95x = media.Count > 0 ? media.Max(f => f.QueueDelayP95OutsideDropsMs) : double.NaN;
            double loss = media.Count > 0 ? media.Max(f => f.LossRate) : double.NaN;
            double frame = media.Count > 0 ? media.Max(f => f.FrameDelayP95Ms) : double.NaN;
            double fb = media.Count > 0 ? media.Average(f => f.FeedbackOverhead) : double.NaN;
            FairnessSummary? j5 = s.Fairness.Find(f => f.WindowSeconds == 5);
            sb.Append(CultureInfo.InvariantCulture,
                $"| {s.Scenario} | {s.Controller} | {rate:F2} | {Pct(minUtil)} | {Num(maxConv, "F1")} | {Num(p50, "F0")} / {Num(p95, "F0")} | {Num(p95x, "F0")} | {Pct(loss)} | {Num(frame, "F0")} | {Num(j5?.MeanJainIndex ?? double.NaN, "F2")} | {Num(s.SameAlgorithmRateRatioAfter20s, "F2")} | {Pct(s.MediaShareOfCapacity)} | {Pct(fb)} |\n");
        }
        return sb.ToString();
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);

    private static string Num(double v, string format) =>
        double.IsNaN(v) ? "–" : double.IsInfinity(v) ? "not reached" : v.ToString(format, CultureInfo.InvariantCulture);

    private static string Pct(double v) => double.IsNaN(v) ? "–" : (v * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";
}

/// <summary>JSON source generation for summaries (NaN written as a string, as JSON has no NaN).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ScenarioSummary))]
internal sealed partial class SummaryJsonContext : JsonSerializerContext;
