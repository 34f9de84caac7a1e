using RtcStack.NetSim.Metrics;

namespace RtcStack.NetSim.Scenarios;

/// <summary>Computes the RFC 8868 summary from a run's series.</summary>
public static class ScenarioAnalysis
{
    /// <summary>Utilisation that counts as converged.</summary>
    public const double ConvergedUtilisation = 0.85;

    /// <summary>Queuing delay p95 that counts as converged, ms.</summary>
    public const double ConvergedDelayMs = 100;

    /// <summary>Time after a capacity drop excluded from the delay bound, s.</summary>
    public const double DropExclusionSeconds = 5;

    /// <summary>Summarises a run.</summary>
    public static ScenarioSummary Summarize(ScenarioResult r)
    {
        List<double> dropTimes = CapacityDropTimes(r.Definition);
        var flows = new List<FlowSummary>();
        foreach (FlowSeries f in r.Flows)
        {
            flows.Add(SummarizeFlow(r, f, dropTimes));
        }
        return new ScenarioSummary
        {
            Scenario = r.Definition.Name,
            Controller = r.Controller,
            Seed = r.Seed,
            DurationSeconds = r.DurationSeconds,
            Flows = flows,
            Phases = Phases(r),
            Fairness = [Fairness(r, 1), Fairness(r, 5), Fairness(r, 20)],
            SameAlgorithmRateRatioAfter20s = SameAlgorithmRatio(r),
            MediaShareOfCapacity = MediaShare(r),
        };
    }

    /// <summary>Percentile (nearest rank) of a list; NaN when empty.</summary>
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        values.Sort();
        int idx = (int)Math.Ceiling(p / 100.0 * values.Count) - 1;
        return values[Math.Clamp(idx, 0, values.Count - 1)];
    }

    /// <summary>Times at which any bottleneck's capacity decreased.</summary>
    public static List<double> CapacityDropTimes(ScenarioDefinition d)
    {
        var list = new List<double>();
        foreach (LinkDefinition l in d.Links)
        {
            for (int i = 1; i < l.Capacity.Count; i++)
            {
                if (l.Capacity[i].Bps < l.Capacity[i - 1].Bps)
                {
                    list.Add(l.Capacity[i].AtSeconds);
                }
            }
        }
        return list;
    }

    private static FlowSummary SummarizeFlow(ScenarioResult r, FlowSeries f, List<double> drops)
    {
        double send = 0, recv = 0, target = 0;
        int n = 0;
        for (int i = 0; i < r.Times.Count; i++)
        {
            double t = r.Times[i];
            if (t <= f.StartSeconds || t > f.StopSeconds)
            {
                continue;
            }
            send += f.SendBps[i];
            recv += f.ReceiveBps[i];
            target += double.IsNaN(f.TargetBps[i]) ? 0 : f.TargetBps[i];
            n++;
        }
        n = Math.Max(n, 1);
        var all = new List<double>(f.PacketQueueDelays.Count);
        var outside = new List<double>(f.PacketQueueDelays.Count);
        foreach ((double t, double d) in f.PacketQueueDelays)
        {
            all.Add(d);
            bool excluded = false;
            foreach (double drop in drops)
            {
                if (t >= drop && t < drop + DropExclusionSeconds)
                {
                    excluded = true;
                    break;
                }
            }
            if (!excluded)
            {
                outside.Add(d);
            }
        }
        var frames = new List<double>(f.FrameDelays.Count);
        foreach ((double _, double d) in f.FrameDelays)
        {
            frames.Add(d);
        }
        double active = Math.Max(Math.Min(f.StopSeconds, r.DurationSeconds) - f.StartSeconds, 1e-9);
        return new FlowSummary
        {
            Id = f.Id,
            Kind = f.Kind,
            Controller = f.Controller,
            AvgSendBps = send / n,
            AvgReceiveBps = recv / n,
            AvgTargetBps = target / n,
            QueueDelayP50Ms = Percentile(all, 50),
            QueueDelayP95Ms = Percentile(all, 95),
            QueueDelayP95OutsideDropsMs = Percentile(outside, 95),
            LossRate = f.PacketsSent > 0 ? (double)f.PacketsDropped / f.PacketsSent : 0,
            FrameDelayP95Ms = Percentile(frames, 95),
            FeedbackOverhead = f.MediaBytesSent > 0 ? (double)f.FeedbackBytes / f.MediaBytesSent : 0,
            FeedbackBps = f.FeedbackBytes * 8 / active,
        };
    }

    private static List<PhaseSummary> Phases(ScenarioResult r)
    {
        var result = new List<PhaseSummary>();
        double dt = MetricsCollector.Interval.TotalSeconds;
        // Per-interval p95 queuing delay over all media packets.
        int count = r.Times.Count;
        if (count == 0)
        {
            // Shorter than one metrics interval: no samples, so no phases to summarise.
            return result;
        }
        var buckets = new List<double>[count];
        foreach (FlowSeries f in r.Flows)
        {
            if (f.Kind != "media")
            {
                continue;
            }
            foreach ((double t, double d) in f.PacketQueueDelays)
            {
                int i = Math.Clamp((int)(t / dt), 0, count - 1);
                (buckets[i] ??= []).Add(d);
            }
        }
        var p95 = new double[count];
        for (int i = 0; i < count; i++)
        {
            p95[i] = buckets[i] is { } b ? Percentile(b, 95) : 0;
        }
        var boundaries = new SortedSet<double> { 0, r.DurationSeconds };
        foreach (MediaFlowDefinition m in r.Definition.MediaFlows)
        {
            boundaries.Add(m.StartSeconds);
            if (m.StopSeconds is { } s)
            {
                boundaries.Add(s);
            }
            foreach (double[] p in m.Pauses)
            {
                boundaries.Add(p[0]);
                boundaries.Add(p[1]);
            }
        }
        foreach (CrossTrafficDefinition c in r.Definition.CrossTraffic)
        {
            boundaries.Add(c.StartSeconds);
            if (c.StopSeconds is { } s)
            {
                boundaries.Add(s);
            }
        }
        foreach (LinkDefinition l in r.Definition.Links)
        {
            foreach (CapacityStep s in l.Capacity)
            {
                boundaries.Add(s.AtSeconds);
            }
        }
        var points = new List<double>();
        foreach (double b in boundaries)
        {
            if (b >= 0 && b <= r.DurationSeconds)
            {
                points.Add(b);
            }
        }
        foreach (string linkId in r.Definition.Bottlenecks)
        {
            LinkSeries? ls = null;
            foreach (LinkSeries s in r.Links)
            {
                if (s.Id == linkId)
                {
                    ls = s;
                }
            }
            LinkDefinition? ld = r.Definition.Links.Find(l => l.Id == linkId);
            if (ls is null || ld is null)
            {
                continue;
            }
            for (int k = 0; k + 1 < points.Count; k++)
            {
                double start = points[k], end = points[k + 1];
                if (end - start < 1 || !AnyMediaActive(r.Definition, start, end))
                {
                    continue;
                }
                int i0 = (int)Math.Round(start / dt), i1 = Math.Min((int)Math.Round(end / dt), count);
                double cap = CapacityAt(ld, start);
                double usable = Math.Min(cap, DemandOn(r.Definition, linkId, start, end));
                bool afterDrop = start > 0 && CapacityAt(ld, start - 1e-6) > cap;
                double conv = double.NaN;
                const int window = 5; // 1 s of 200 ms intervals
                for (int i = i0; i + window <= i1; i++)
                {
                    double thr = 0;
                    bool delayOk = true;
                    for (int j = i; j < i + window; j++)
                    {
                        thr += ls.ThroughputBps[j];
                        delayOk &= p95[j] < ConvergedDelayMs;
                    }
                    if (thr / (usable * window) >= ConvergedUtilisation && delayOk)
                    {
                        conv = (i - i0) * dt;
                        break;
                    }
                }
                result.Add(new PhaseSummary
                {
                    Link = linkId,
                    Start = start,
                    End = end,
                    CapacityBps = cap,
                    UsableBps = usable,
                    AfterDrop = afterDrop,
                    ConvergenceSeconds = conv,
                    Utilisation = Utilisation(ls, usable, i0, i1),
                    UtilisationAfterConvergence = double.IsNaN(conv) ? double.NaN : Utilisation(ls, usable, i0 + (int)Math.Round(conv / dt), i1),
                });
            }
        }
        return result;
    }

    private static double Utilisation(LinkSeries ls, double usable, int from, int to)
    {
        double thr = 0;
        for (int j = from; j < to; j++)
        {
            thr += ls.ThroughputBps[j];
        }
        return to > from && usable > 0 ? thr / (usable * (to - from)) : double.NaN;
    }

    /// <summary>
    /// Highest wire rate a media flow can produce: its video encoder maximum plus its CBR audio, each with the
    /// per-packet IP/UDP/RTP overhead of the simulator's packetisation (video: 30 fps frames split into packets of at
    /// most 1200 B payload; audio: one packet per 20 ms).
    /// </summary>
    public static double WireDemandBps(MediaFlowDefinition m)
    {
        const int overhead = Endpoints.MediaSenderEndpoint.RtpOverhead + Endpoints.MediaSenderEndpoint.IpUdpOverhead;
        double demand = 0;
        if (m.Video)
        {
            double frameBytes = m.MaxBps / 8 / 30;
            double packets = Math.Ceiling(frameBytes / 1200);
            demand += (frameBytes + packets * overhead) * 8 * 30;
        }
        if (m.AudioBps > 0)
        {
            demand += (m.AudioBps / 8 * 0.02 + overhead) * 8 * 50;
        }
        return demand;
    }

    /// <summary>Demand on a link during [start, end): ∞ with active cross traffic, else the active media flows' wire demand.</summary>
    private static double DemandOn(ScenarioDefinition d, string linkId, double start, double end)
    {
        foreach (CrossTrafficDefinition c in d.CrossTraffic)
        {
            if (c.Forward.Contains(linkId) && c.StartSeconds < end && (c.StopSeconds ?? double.MaxValue) > start)
            {
                return double.PositiveInfinity;
            }
        }
        double demand = 0;
        foreach (MediaFlowDefinition m in d.MediaFlows)
        {
            bool paused = m.Pauses.Exists(p => p[0] < end && p[1] > start);
            if (m.Forward.Contains(linkId) && m.StartSeconds <= start && (m.StopSeconds ?? double.MaxValue) >= end && !paused)
            {
                demand += WireDemandBps(m);
            }
        }
        return demand > 0 ? demand : double.PositiveInfinity;
    }

    private static double CapacityAt(LinkDefinition l, double t)
    {
        double c = double.PositiveInfinity;
        foreach (CapacityStep s in l.Capacity)
        {
            if (s.AtSeconds <= t)
            {
                c = s.Bps;
            }
        }
        return c;
    }

    private static bool AnyMediaActive(ScenarioDefinition d, double start, double end)
    {
        foreach (MediaFlowDefinition m in d.MediaFlows)
        {
            if (m.StartSeconds <= start && (m.StopSeconds ?? double.MaxValue) >= end)
            {
                return true;
            }
        }
        return false;
    }

    private static FairnessSummary Fairness(ScenarioResult r, double windowSeconds)
    {
        double dt = MetricsCollector.Interval.TotalSeconds;
        int per = (int)Math.Round(windowSeconds / dt);
        var media = r.Flows.Where(f => f.Kind == "media").ToList();
        int windows = 0, within = 0;
        double jainSum = 0, maxRatio = double.NaN;
        var rates = new List<double>();
        for (int i0 = 0; i0 + per <= r.Times.Count; i0 += per)
        {
            double ws = r.Times[i0] - dt, we = r.Times[i0 + per - 1];
            rates.Clear();
            foreach (FlowSeries f in media)
            {
                MediaFlowDefinition def = r.Definition.MediaFlows.Find(m => m.Id == f.Id)!;
                bool paused = def.Pauses.Exists(p => p[0] < we && p[1] > ws);
                if (f.StartSeconds <= ws && f.StopSeconds >= we && !paused)
                {
                    double sum = 0;
                    for (int j = i0; j < i0 + per; j++)
                    {
                        sum += f.ReceiveBps[j];
                    }
                    rates.Add(sum / per);
                }
            }
            if (rates.Count < 2)
            {
                continue;
            }
            windows++;
            double s1 = 0, s2 = 0, mn = double.MaxValue, mx = 0;
            foreach (double x in rates)
            {
                s1 += x;
                s2 += x * x;
                mn = Math.Min(mn, x);
                mx = Math.Max(mx, x);
            }
            jainSum += s2 > 0 ? s1 * s1 / (rates.Count * s2) : 1;
            double ratio = mn > 0 ? mx / mn : double.PositiveInfinity;
            maxRatio = double.IsNaN(maxRatio) ? ratio : Math.Max(maxRatio, ratio);
            if (ratio <= 3)
            {
                within++;
            }
        }
        return new FairnessSummary
        {
            WindowSeconds = windowSeconds,
            Windows = windows,
            MeanJainIndex = windows > 0 ? jainSum / windows : double.NaN,
            FractionWithinRatio3 = windows > 0 ? (double)within / windows : double.NaN,
            MaxRatio = maxRatio,
        };
    }

    private static double SameAlgorithmRatio(ScenarioResult r)
    {
        var media = r.Flows.Where(f => f.Kind == "media").ToList();
        if (media.Count < 2 || media.Select(f => f.Controller).Distinct().Count() != 1)
        {
            return double.NaN;
        }
        double from = media.Max(f => f.StartSeconds) + 20;
        double to = Math.Min(media.Min(f => f.StopSeconds), r.DurationSeconds);
        if (to - from < 1)
        {
            return double.NaN;
        }
        var avgs = new List<double>();
        foreach (FlowSeries f in media)
        {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < r.Times.Count; i++)
            {
                double t = r.Times[i];
                if (t > from && t <= to && !IsPaused(r.Definition, f.Id, t))
                {
                    sum += f.ReceiveBps[i];
                    n++;
                }
            }
            avgs.Add(n > 0 ? sum / n : 0);
        }
        double mn = avgs.Min(), mx = avgs.Max();
        return mn > 0 ? mx / mn : double.PositiveInfinity;
    }

    private static bool IsPaused(ScenarioDefinition d, string id, double t) =>
        d.MediaFlows.Find(m => m.Id == id)?.Pauses.Exists(p => t > p[0] && t <= p[1] + 5) ?? false;

    private static double MediaShare(ScenarioResult r)
    {
        if (r.Definition.CrossTraffic.Count == 0 || r.Definition.Bottlenecks.Count == 0)
        {
            return double.NaN;
        }
        LinkSeries? ls = r.Links.FirstOrDefault(l => l.Id == r.Definition.Bottlenecks[0]);
        var media = r.Flows.Where(f => f.Kind == "media").ToList();
        if (ls is null || media.Count == 0)
        {
            return double.NaN;
        }
        double from = media.Min(f => f.StartSeconds) + 10;
        double mediaBits = 0, cap = 0;
        for (int i = 0; i < r.Times.Count; i++)
        {
            if (r.Times[i] <= from)
            {
                continue;
            }
            foreach (FlowSeries f in media)
            {
                mediaBits += f.ReceiveBps[i];
            }
            cap += ls.CapacityBps[i];
        }
        return cap > 0 ? mediaBits / cap : double.NaN;
    }
}
