using RtcStack.NetSim.Metrics;
using RtcStack.NetSim.Scenarios;
using ScottPlot;

namespace RtcStack.Cli.Commands;

/// <summary>One PNG per run: rates vs capacity, queuing delay, loss (ScottPlot).</summary>
public static class ResultPlotter
{
    /// <summary>Renders the three panels into <paramref name="path"/>.</summary>
    public static void Plot(ScenarioResult r, string path)
    {
        double[] t = [.. r.Times];
        var rate = new Plot();
        rate.Title($"{r.Definition.Name} — {r.Controller} (seed {r.Seed})");
        rate.YLabel("Mbps");
        foreach (LinkSeries l in r.Links)
        {
            var cap = rate.Add.Scatter(t, l.CapacityBps.Select(v => v / 1e6).ToArray());
            cap.LegendText = $"{l.Id} capacity";
            cap.MarkerSize = 0;
            cap.LineWidth = 2;
            cap.LinePattern = LinePattern.Dashed;
            cap.Color = Colors.Black;
        }
        foreach (FlowSeries f in r.Flows)
        {
            var s = rate.Add.Scatter(t, f.ReceiveBps.Select(v => v / 1e6).ToArray());
            s.LegendText = $"{f.Id} ({(f.Kind == "media" ? f.Controller : f.Kind)}) received";
            s.MarkerSize = 0;
            if (f.Kind == "media")
            {
                var tg = rate.Add.Scatter(t, f.TargetBps.Select(v => v / 1e6).ToArray());
                tg.LegendText = $"{f.Id} target";
                tg.MarkerSize = 0;
                tg.LinePattern = LinePattern.Dotted;
                tg.Color = s.Color;
            }
        }
        rate.ShowLegend(Alignment.UpperRight);

        var delay = new Plot();
        delay.YLabel("queuing delay (ms)");
        foreach (FlowSeries f in r.Flows.Where(f => f.Kind == "media"))
        {
            var s = delay.Add.Scatter(t, f.QueueDelayMaxMs.Select(v => double.IsNaN(v) ? 0 : v).ToArray());
            s.LegendText = $"{f.Id} max per 200 ms";
            s.MarkerSize = 0;
        }
        delay.ShowLegend(Alignment.UpperRight);

        var loss = new Plot();
        loss.YLabel("loss (%)");
        loss.XLabel("time (s)");
        foreach (FlowSeries f in r.Flows)
        {
            var s = loss.Add.Scatter(t, f.LossRate.Select(v => v * 100).ToArray());
            s.LegendText = f.Id;
            s.MarkerSize = 0;
        }
        loss.ShowLegend(Alignment.UpperRight);

        var multi = new Multiplot();
        multi.RemovePlot(multi.GetPlot(0));
        multi.AddPlot(rate);
        multi.AddPlot(delay);
        multi.AddPlot(loss);
        multi.Layout = new ScottPlot.MultiplotLayouts.Rows();
        multi.SavePng(path, 1400, 1200);
    }
}
