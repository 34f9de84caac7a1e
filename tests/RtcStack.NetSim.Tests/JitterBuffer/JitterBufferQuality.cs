using RtcStack.Opus.Jitter;

namespace RtcStack.NetSim.Tests.JitterBuffer;

/// <summary>What one profile did to one buffer.</summary>
internal sealed record JitterBufferQuality(
    string Buffer,
    double P95JitterMs,
    double MeanPlayoutDelayMs,
    double MeanBufferDelayMs,
    double MeanTargetDelayMs,
    double LateLossRate,
    double ConcealmentRatio,
    double NetworkLossRate,
    long LateDiscarded,
    double ShareOverBound)
{
    /// <summary>The delay bound: the 95th percentile of the jitter plus 20 ms.</summary>
    public double DelayBoundMs => P95JitterMs + 20;

    /// <summary>
    /// Plays <paramref name="profile"/> (20 ms packets) through a buffer in virtual time, a 10 ms frame per tick,
    /// until every delivered packet has been played or discarded. Playout delay is measured above the smallest one-way
    /// delay of the run (end-to-end delay minus the path's fixed part): the time in the buffer (webrtc-stats
    /// jitterBufferDelay / jitterBufferEmittedCount) plus the mean jitter of the packets it stored. Late-loss is the
    /// audio concealed beyond what the network lost, as a share of the audio sent.
    /// </summary>
    [ThreadStatic]
    public static JitterBufferStatistics? LastStatistics;

    public static JitterBufferQuality Measure(string name, ProfilePacket[] profile, JitterBufferOptions options)
    {
        var buffer = new AdaptiveJitterBuffer(new ToneDecoder(), options);
        var delivered = new List<(double Arrival, int Index)>();
        double minOneWay = double.MaxValue;
        for (int k = 0; k < profile.Length; k++)
        {
            if (profile[k].ArrivalMs is double arrival)
            {
                delivered.Add((arrival, k));
                minOneWay = Math.Min(minOneWay, arrival - profile[k].SentMs);
            }
        }

        delivered.Sort((a, b) => a.Arrival != b.Arrival ? a.Arrival.CompareTo(b.Arrival) : a.Index.CompareTo(b.Index));
        var jitter = new double[delivered.Count];
        for (int i = 0; i < delivered.Count; i++)
        {
            jitter[i] = delivered[i].Arrival - profile[delivered[i].Index].SentMs - minOneWay;
        }

        int first = int.MaxValue;
        int last = -1;
        foreach ((_, int index) in delivered)
        {
            first = Math.Min(first, index);
            last = Math.Max(last, index);
        }

        int lostInside = 0;
        for (int k = first; k <= last; k++)
        {
            lostInside += profile[k].ArrivalMs is null ? 1 : 0;
        }

        var pcm = new short[buffer.FrameSamples];
        double storedJitter = 0;
        long stored = 0;
        int next = 0;
        double end = delivered[^1].Arrival + 10_000;
        for (double t = 0; t < end; t += 10)
        {
            while (next < delivered.Count && delivered[next].Arrival <= t)
            {
                (double arrival, int index) = delivered[next];
                JitterBufferInsertResult result = buffer.Insert(1, (ushort)index, (uint)(index * 960), TimeSpan.FromMilliseconds(arrival), ToneDecoder.Packet((uint)(index * 960)));
                if (result == JitterBufferInsertResult.Stored)
                {
                    storedJitter += jitter[next];
                    stored++;
                }

                next++;
            }

            JitterBufferStatistics now = buffer.Statistics;
            if (next == delivered.Count && now.PacketsDecoded + now.PacketsDiscardedLate == delivered.Count)
            {
                break;
            }

            buffer.GetAudio(TimeSpan.FromMilliseconds(t), pcm);
        }

        JitterBufferStatistics s = buffer.Statistics;
        LastStatistics = s;
        double meanBuffer = s.JitterBufferDelay / s.JitterBufferEmittedCount * 1000;
        double lateConcealed = Math.Max(0, s.ConcealedSamples - (lostInside * 960L));
        return new JitterBufferQuality(
            name,
            Percentile(jitter, 0.95),
            meanBuffer + (storedJitter / stored),
            meanBuffer,
            s.JitterBufferTargetDelay / s.JitterBufferEmittedCount * 1000,
            lateConcealed / ((last - first + 1) * 960.0),
            (double)s.ConcealedSamples / s.TotalSamplesReceived,
            1 - ((double)delivered.Count / profile.Length),
            s.PacketsDiscardedLate,
            ShareAbove(jitter, Percentile(jitter, 0.95) + 20));
    }

    private static double ShareAbove(double[] values, double bound)
    {
        int above = 0;
        foreach (double v in values)
        {
            above += v > bound ? 1 : 0;
        }

        return (double)above / values.Length;
    }

    public string Row(string profile) =>
        $"| {profile} | {Buffer} | {P95JitterMs:F1} | {MeanPlayoutDelayMs:F1} | {MeanBufferDelayMs:F1} | {MeanTargetDelayMs:F1} | {LateLossRate * 100:F2} % | {ConcealmentRatio * 100:F2} % | {NetworkLossRate * 100:F2} % | {LateDiscarded} | {ShareOverBound * 100:F2} % |";

    private static double Percentile(double[] values, double q)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];
    }
}
