using System.Globalization;
using System.Text;
using RtcStack.NetSim.Scenarios;
using ScottPlot;

namespace RtcStack.Cli.Sim;

/// <summary>
/// The merged plots of a sweep: one PNG per scenario (<c>merged-SCENARIO.png</c>) with a line per group (controller and
/// parameters) at the median across seeds and a band from the 5th to the 95th percentile, per 200 ms step, of the media
/// flows' received rate (summed) and their queuing delay (the largest of the flows' per-step maximum), with the first
/// link's capacity. Read from the cells' time-series CSVs, so the plots, like the tables, depend only on the cell results.
/// </summary>
internal static class SweepPlotter
{
    /// <summary>Writes one PNG per scenario into <paramref name="outDir"/>; returns their paths.</summary>
    public static List<string> Write(string outDir, IReadOnlyList<SweepGroup> groups, IReadOnlyList<SweepCellResult>[] perGroup, IReadOnlyDictionary<int, string> csvByCell)
    {
        var written = new List<string>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (IGrouping<string, SweepGroup> scenario in groups.GroupBy(g => g.Scenario))
        {
            var rate = new Plot();
            var delay = new Plot();
            rate.Title($"{scenario.Key}: median across seeds, band 5th–95th percentile");
            rate.YLabel("media received (Mbps)");
            delay.YLabel("queuing delay, max per 200 ms (ms)");
            delay.XLabel("time (s)");
            bool capacityDrawn = false;
            bool any = false;
            int colour = 0;
            foreach (SweepGroup g in scenario)
            {
                List<CellSeries> series = [];
                foreach (SweepCellResult r in perGroup[g.Index].OrderBy(r => r.Cell))
                {
                    if (csvByCell.TryGetValue(r.Cell, out string? csv) && CellSeries.TryRead(csv, r.Summary, out CellSeries? s))
                    {
                        series.Add(s!);
                    }
                }

                if (series.Count == 0)
                {
                    continue;
                }

                int n = series.Min(s => s.Times.Length);
                double[] t = series[0].Times[..n];
                if (!capacityDrawn && series[0].CapacityBps is double[] cap)
                {
                    var c = rate.Add.Scatter(t, cap[..n].Select(v => v / 1e6).ToArray());
                    c.LegendText = $"{series[0].CapacityLink} capacity";
                    c.MarkerSize = 0;
                    c.LineWidth = 2;
                    c.LinePattern = LinePattern.Dashed;
                    c.Color = Colors.Black;
                    capacityDrawn = true;
                }

                Color color = new ScottPlot.Palettes.Category10().GetColor(colour++);
                string label = $"{g.Controller}{(g.Parameters.Length == 0 ? "" : " " + g.Parameters)} ({series.Count} seeds)";
                AddBand(rate, t, Bands(series.Select(s => s.MediaReceiveBps[..n]).ToList(), 1e-6), color, label);
                AddBand(delay, t, Bands(series.Select(s => s.QueueDelayMaxMs[..n]).ToList(), 1), color, label);
                any = true;
            }

            if (!any)
            {
                continue;
            }

            rate.ShowLegend(Alignment.UpperRight);
            var multi = new Multiplot();
            multi.RemovePlot(multi.GetPlot(0));
            multi.AddPlot(rate);
            multi.AddPlot(delay);
            multi.Layout = new ScottPlot.MultiplotLayouts.Rows();
            string name = "merged-" + FileSafe(scenario.Key);
            string unique = name;
            for (int i = 2; !usedNames.Add(unique); i++)
            {
                unique = name + "-" + i.ToString(CultureInfo.InvariantCulture);
            }

            string path = Path.Combine(outDir, unique + ".png");
            multi.SavePng(path, 1400, 900);
            written.Add(path);
        }

        return written;
    }

    /// <summary>
    /// Per step, the median and the 5th and 95th percentiles (linear interpolation, as the tables) of the series'
    /// values, each multiplied by <paramref name="scale"/>; NaN values (no sample in that step) are left out, and a step
    /// with none is NaN.
    /// </summary>
    internal static (double[] Median, double[] P5, double[] P95) Bands(IReadOnlyList<double[]> series, double scale)
    {
        int n = series.Count == 0 ? 0 : series.Min(s => s.Length);
        var median = new double[n];
        var p5 = new double[n];
        var p95 = new double[n];
        var values = new List<double>(series.Count);
        for (int i = 0; i < n; i++)
        {
            values.Clear();
            foreach (double[] s in series)
            {
                if (!double.IsNaN(s[i]))
                {
                    values.Add(s[i] * scale);
                }
            }

            values.Sort();
            median[i] = SweepMerger.Percentile(values, 0.5);
            p5[i] = SweepMerger.Percentile(values, 0.05);
            p95[i] = SweepMerger.Percentile(values, 0.95);
        }

        return (median, p5, p95);
    }

    private static void AddBand(Plot plot, double[] t, (double[] Median, double[] P5, double[] P95) b, Color color, string label)
    {
        // A step without a value (NaN) is drawn at 0 in the band, as the single-run plots draw missing delays.
        double[] lo = b.P5.Select(v => double.IsNaN(v) ? 0 : v).ToArray();
        double[] hi = b.P95.Select(v => double.IsNaN(v) ? 0 : v).ToArray();
        var fill = plot.Add.FillY(t, lo, hi);
        fill.FillColor = color.WithAlpha(0.25);
        fill.LineWidth = 0;
        var line = plot.Add.Scatter(t, b.Median.Select(v => double.IsNaN(v) ? 0 : v).ToArray());
        line.Color = color;
        line.MarkerSize = 0;
        line.LineWidth = 2;
        line.LegendText = label;
    }

    private static string FileSafe(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        return sb.Length == 0 ? "scenario" : sb.ToString();
    }

    /// <summary>The columns of one cell's CSV that the merged plots use.</summary>
    internal sealed class CellSeries
    {
        public required double[] Times { get; init; }

        public required double[] MediaReceiveBps { get; init; }

        public required double[] QueueDelayMaxMs { get; init; }

        public double[]? CapacityBps { get; init; }

        public string CapacityLink { get; init; } = "";

        /// <summary>Reads a cell CSV (<see cref="Commands.ResultWriter.WriteCsv"/>); false when it is missing or not of that shape.</summary>
        public static bool TryRead(string path, ScenarioSummary summary, out CellSeries? series)
        {
            series = null;
            if (!File.Exists(path))
            {
                return false;
            }

            string[] lines = File.ReadAllLines(path);
            if (lines.Length < 2)
            {
                return false;
            }

            string[] header = lines[0].Split(',');
            if (header[0] != "time_s")
            {
                return false;
            }

            string[] media = summary.Flows.Where(f => f.Kind == "media").Select(f => f.Id).ToArray();
            int[] recv = media.Select(id => Array.IndexOf(header, id + "_recv_bps")).Where(i => i > 0).ToArray();
            int[] qdelay = media.Select(id => Array.IndexOf(header, id + "_qdelay_max_ms")).Where(i => i > 0).ToArray();
            int capacity = Array.FindIndex(header, h => h.EndsWith("_capacity_bps", StringComparison.Ordinal));
            if (recv.Length == 0)
            {
                return false;
            }

            int rows = lines.Length - 1;
            var t = new double[rows];
            var rate = new double[rows];
            var delay = new double[rows];
            double[]? cap = capacity > 0 ? new double[rows] : null;
            for (int i = 0; i < rows; i++)
            {
                string[] cells = lines[i + 1].Split(',');
                if (cells.Length != header.Length)
                {
                    return false;
                }

                t[i] = Parse(cells[0]);
                double sum = 0;
                foreach (int c in recv)
                {
                    double v = Parse(cells[c]);
                    sum += double.IsNaN(v) ? 0 : v;
                }

                rate[i] = sum;
                double d = double.NaN;
                foreach (int c in qdelay)
                {
                    double v = Parse(cells[c]);
                    if (!double.IsNaN(v) && (double.IsNaN(d) || v > d))
                    {
                        d = v;
                    }
                }

                delay[i] = d;
                if (cap is not null)
                {
                    cap[i] = Parse(cells[capacity]);
                }
            }

            series = new CellSeries
            {
                Times = t,
                MediaReceiveBps = rate,
                QueueDelayMaxMs = delay,
                CapacityBps = cap,
                CapacityLink = capacity > 0 ? header[capacity][..^"_capacity_bps".Length] : "",
            };
            return true;
        }

        private static double Parse(string s) =>
            s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
    }
}
