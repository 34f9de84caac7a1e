using System.Globalization;
using System.Text;
using ScottPlot;

namespace RtcStack.Cli.Bottleneck;

/// <summary>
/// One congestion controller's run through the capacity schedule, on a 200 ms grid: the capacity in effect, the
/// controller's estimate (and, for Chromium, its encoder target), the bytes that left the bottleneck and the queuing
/// delay at the bottleneck (backlog ÷ rate at the end of each step), with the metrics the comparison reports.
/// </summary>
internal sealed class BottleneckCurve(string name)
{
    public string Name { get; } = name;

    public List<double> T { get; } = [];

    public List<double> CapacityBps { get; } = [];

    public List<double> EstimateBps { get; } = [];

    public List<double> EncoderTargetBps { get; } = [];

    public List<double> ThroughputBps { get; } = [];

    public List<double> QueueDelayMs { get; } = [];

    /// <summary>Gets each sample's interval, s (the real runs' samples can come late on a loaded machine).</summary>
    public List<double> Dt { get; } = [];

    /// <summary>Gets what our sender held at each sample, bytes: the session's pacer queue plus the delay line (real run (b) only; NaN otherwise).</summary>
    public List<double> SenderQueueBytes { get; } = [];

    public long Drops { get; set; }

    public void Add(double t, double dt, double capacity, double estimate, double encoderTarget, double throughput, double queueDelayMs, double senderQueueBytes = double.NaN)
    {
        SenderQueueBytes.Add(senderQueueBytes);
        T.Add(t);
        Dt.Add(dt);
        CapacityBps.Add(capacity);
        EstimateBps.Add(estimate);
        EncoderTargetBps.Add(encoderTarget);
        ThroughputBps.Add(throughput);
        QueueDelayMs.Add(queueDelayMs);
    }

    /// <summary>Bytes that left the bottleneck over the capacity offered, between <paramref name="from"/> and <paramref name="to"/> s.</summary>
    public double Utilisation(double from = 0, double to = double.MaxValue)
    {
        double sent = 0, offered = 0;
        for (int i = 0; i < T.Count; i++)
        {
            if (T[i] > from && T[i] <= to && !double.IsNaN(ThroughputBps[i]))
            {
                sent += ThroughputBps[i] * Dt[i];
                offered += CapacityBps[i] * Dt[i];
            }
        }

        return offered == 0 ? double.NaN : sent / offered;
    }

    /// <summary>The 95th percentile (nearest rank) of the queuing delay samples.</summary>
    public double QueueDelayP95Ms(double from = 0, double to = double.MaxValue)
    {
        double[] d = [.. Enumerable.Range(0, T.Count).Where(i => T[i] > from && T[i] <= to && !double.IsNaN(QueueDelayMs[i])).Select(i => QueueDelayMs[i]).Order()];
        return d.Length == 0 ? double.NaN : d[Math.Min(d.Length - 1, (int)Math.Ceiling(d.Length * 0.95) - 1)];
    }

    /// <summary>
    /// Seconds after a capacity change at <paramref name="at"/> from <paramref name="before"/> to <paramref name="capacity"/>
    /// until the estimate has adapted: for a drop, the first sample at or under the new capacity; for a rise (or the
    /// start, before = 0), the first at or over <paramref name="riseFraction"/> of it. Null when it never did before
    /// <paramref name="until"/>.
    /// </summary>
    public double? TimeToAdapt(double at, double until, double before, double capacity, double riseFraction = 0.8)
    {
        int first = T.FindIndex(t => t > at + 0.05);
        if (first < 0)
        {
            return null;
        }

        bool drop = capacity < before;
        for (int i = first; i < T.Count && T[i] <= until; i++)
        {
            double e = EstimateBps[i];
            if (double.IsNaN(e))
            {
                continue;
            }

            if (drop ? e <= capacity : e >= capacity * riseFraction)
            {
                return Math.Max(0, T[i] - at);
            }
        }

        return null;
    }

    public string ToCsv()
    {
        var sb = new StringBuilder("t_s,capacity_bps,estimate_bps,encoder_target_bps,throughput_bps,queue_delay_ms,sender_queue_bytes\n");
        for (int i = 0; i < T.Count; i++)
        {
            sb.AppendLine(string.Join(',', new[] { T[i], CapacityBps[i], EstimateBps[i], EncoderTargetBps[i], ThroughputBps[i], QueueDelayMs[i], SenderQueueBytes[i] }
                .Select(v => double.IsNaN(v) ? "" : v.ToString("0.###", CultureInfo.InvariantCulture))));
        }

        return sb.ToString();
    }

    /// <summary>Rates (capacity, estimates, encoder target) above, throughput in the middle, queuing delay below (PNG); the estimates alone (SVG).</summary>
    public static void Plot(IReadOnlyList<BottleneckCurve> curves, string title, string pngPath, string svgPath)
    {
        var estimate = new Plot();
        estimate.Title(title);
        estimate.YLabel("estimate, Mbit/s");
        var throughput = new Plot();
        throughput.YLabel("left the bottleneck, Mbit/s");
        var delay = new Plot();
        delay.YLabel("queuing delay, ms");
        delay.XLabel("time, s");
        foreach (Plot p in new[] { estimate, throughput })
        {
            var cap = p.Add.Scatter(curves[0].T.ToArray(), curves[0].CapacityBps.Select(v => v / 1e6).ToArray());
            cap.LegendText = "capacity (tbf / NetSim link)";
            cap.MarkerSize = 0;
            cap.LineWidth = 2;
            cap.LinePattern = LinePattern.Dashed;
            cap.Color = Colors.Black;
        }

        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < curves.Count; c++)
        {
            BottleneckCurve curve = curves[c];
            Color color = palette.GetColor(c);
            double[] t = [.. curve.T];
            Line(estimate, t, curve.EstimateBps.Select(v => v / 1e6), color, curve.Name, LinePattern.Solid);
            if (curve.EncoderTargetBps.Any(v => !double.IsNaN(v)))
            {
                Line(estimate, t, curve.EncoderTargetBps.Select(v => v / 1e6), color, curve.Name + " encoder target", LinePattern.Dotted);
            }

            Line(throughput, t, curve.ThroughputBps.Select(v => v / 1e6), color, curve.Name, LinePattern.Solid);
            Line(delay, t, curve.QueueDelayMs, color, curve.Name, LinePattern.Solid);
        }

        estimate.ShowLegend(Alignment.UpperRight);
        delay.ShowLegend(Alignment.UpperRight);
        var multi = new Multiplot();
        multi.RemovePlot(multi.GetPlot(0));
        multi.AddPlot(estimate);
        multi.AddPlot(throughput);
        multi.AddPlot(delay);
        multi.Layout = new ScottPlot.MultiplotLayouts.Rows();
        multi.SavePng(pngPath, 1400, 1100);
        // Multiplot writes PNG only: the SVG has the estimates panel.
        estimate.SaveSvg(svgPath, 1400, 500);

        static void Line(Plot p, double[] t, IEnumerable<double> y, Color color, string label, LinePattern pattern)
        {
            double[] ys = [.. y];
            double[] xs = [.. t.Where((_, i) => !double.IsNaN(ys[i]))];
            ys = [.. ys.Where(v => !double.IsNaN(v))];
            if (xs.Length == 0)
            {
                return;
            }

            var s = p.Add.Scatter(xs, ys);
            s.LegendText = label;
            s.MarkerSize = 0;
            s.LineWidth = 1.5f;
            s.LinePattern = pattern;
            s.Color = color;
        }
    }
}
