namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Turns feedback for probe packets into a capacity estimate (libwebrtc probe_bitrate_estimator.cc). A cluster counts
/// once at least 80 % of its packets and bytes are reported; send rate excludes the last packet's bytes and receive
/// rate the first packet's; ratios above 2 are rejected; if the receive rate is below 90 % of the send rate the link
/// was saturated and the result is 95 % of the receive rate, otherwise min(send, receive).
/// </summary>
public sealed class ProbeBitrateEstimator
{
    /// <summary>Fraction of a cluster's packets that must be reported (kMinReceivedProbesRatio).</summary>
    public const double MinReceivedProbesRatio = 0.80;

    /// <summary>Fraction of a cluster's bytes that must be reported (kMinReceivedBytesRatio).</summary>
    public const double MinReceivedBytesRatio = 0.80;

    /// <summary>Largest receive/send ratio accepted (kMaxValidRatio).</summary>
    public const double MaxValidRatio = 2.0;

    /// <summary>Receive/send ratio below which the link is taken as saturated (kMinRatioForUnsaturatedLink).</summary>
    public const double MinRatioForUnsaturatedLink = 0.9;

    /// <summary>Fraction of the receive rate used when saturated (kTargetUtilizationFraction).</summary>
    public const double TargetUtilizationFraction = 0.95;

    /// <summary>Clusters older than this are dropped (kMaxClusterHistory).</summary>
    public static readonly TimeSpan MaxClusterHistory = TimeSpan.FromSeconds(1);

    /// <summary>Longest valid send or receive interval of a cluster (kMaxProbeInterval).</summary>
    public static readonly TimeSpan MaxProbeInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<int, Cluster> _clusters = new();
    private readonly List<int> _expired = new();
    private double _lastEstimateBps = double.NaN;

    /// <summary>Adds a probe packet's feedback; <paramref name="config"/> is the cluster as requested. Returns the estimate or NaN.</summary>
    public double HandleProbe(in PacketResult packet, in ProbeClusterConfig config)
    {
        EraseOld(packet.ArrivalTime);
        if (!_clusters.TryGetValue(config.Id, out Cluster c))
        {
            c = new Cluster
            {
                FirstSend = TimeSpan.MaxValue,
                LastSend = TimeSpan.MinValue,
                FirstReceive = TimeSpan.MaxValue,
                LastReceive = TimeSpan.MinValue,
            };
        }
        TimeSpan send = packet.Sent.SendTime;
        TimeSpan recv = packet.ArrivalTime;
        int size = packet.Sent.Size;
        if (send < c.FirstSend)
        {
            c.FirstSend = send;
        }
        if (send > c.LastSend)
        {
            c.LastSend = send;
            c.SizeLastSend = size;
        }
        if (recv < c.FirstReceive)
        {
            c.FirstReceive = recv;
            c.SizeFirstReceive = size;
        }
        if (recv > c.LastReceive)
        {
            c.LastReceive = recv;
        }
        c.SizeTotal += size;
        c.NumProbes++;
        _clusters[config.Id] = c;

        double minProbes = config.TargetProbeCount * MinReceivedProbesRatio;
        double minBytes = config.MinBytes * MinReceivedBytesRatio;
        if (c.NumProbes < minProbes || c.SizeTotal < minBytes)
        {
            return double.NaN;
        }
        TimeSpan sendInterval = c.LastSend - c.FirstSend;
        TimeSpan receiveInterval = c.LastReceive - c.FirstReceive;
        if (sendInterval <= TimeSpan.Zero || sendInterval > MaxProbeInterval
            || receiveInterval <= TimeSpan.Zero || receiveInterval > MaxProbeInterval)
        {
            return double.NaN;
        }
        double sendRate = 8.0 * (c.SizeTotal - c.SizeLastSend) / sendInterval.TotalSeconds;
        double receiveRate = 8.0 * (c.SizeTotal - c.SizeFirstReceive) / receiveInterval.TotalSeconds;
        if (receiveRate / sendRate > MaxValidRatio)
        {
            return double.NaN;
        }
        double result = Math.Min(sendRate, receiveRate);
        if (receiveRate < MinRatioForUnsaturatedLink * sendRate)
        {
            result = TargetUtilizationFraction * receiveRate;
        }
        _lastEstimateBps = result;
        return result;
    }

    /// <summary>Returns the last estimate (NaN if none since the previous call) and clears it.</summary>
    public double FetchAndResetLastEstimate()
    {
        double r = _lastEstimateBps;
        _lastEstimateBps = double.NaN;
        return r;
    }

    private void EraseOld(TimeSpan now)
    {
        _expired.Clear();
        foreach (KeyValuePair<int, Cluster> kv in _clusters)
        {
            if (kv.Value.LastReceive != TimeSpan.MinValue && now - kv.Value.LastReceive > MaxClusterHistory)
            {
                _expired.Add(kv.Key);
            }
        }
        foreach (int id in _expired)
        {
            _clusters.Remove(id);
        }
    }

    private struct Cluster
    {
        public TimeSpan FirstSend;
        public TimeSpan LastSend;
        public TimeSpan FirstReceive;
        public TimeSpan LastReceive;
        public int SizeLastSend;
        public int SizeFirstReceive;
        public long SizeTotal;
        public int NumProbes;
    }
}
