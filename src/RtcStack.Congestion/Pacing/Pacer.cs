namespace RtcStack.Congestion.Pacing;

/// <summary>
/// Sans-IO leaky-bucket pacer (libwebrtc pacing_controller.cc in its dynamic mode): media leaves at the pacing rate
/// (2.5 × target with GCC), audio-class packets first; a "media debt" grows by each packet's size and drains at the
/// pacing rate, capped at 500 ms worth. When the queue would take longer than 2 s to drain, the rate is raised so it
/// drains in time. Probe clusters are sent at their own rate, with media when queued and padding otherwise, until
/// both the probe count and byte count are reached (libwebrtc bitrate_prober.cc).
/// </summary>
public sealed class Pacer
{
    /// <summary>Cap on the media debt in time at the pacing rate (kMaxDebtInTime).</summary>
    public static readonly TimeSpan MaxDebtInTime = TimeSpan.FromMilliseconds(500);

    /// <summary>Queue drain time limit (kMaxExpectedQueueLength).</summary>
    public static readonly TimeSpan QueueTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>Probe clusters not started within this time are dropped (kProbeClusterTimeout).</summary>
    public static readonly TimeSpan ProbeClusterTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Smallest padding packet generated for probes.</summary>
    public const int MinPaddingSize = 200;

    /// <summary>Largest padding packet generated for probes.</summary>
    public const int MaxPaddingSize = 1200;

    private const double DebtEpsilon = 1e-6;

    private readonly PacketQueue _high = new();
    private readonly PacketQueue _normal = new();
    private readonly Queue<ProbeState> _probes = new();
    private double _pacingBps = 300_000 * 2.5;
    private double _paddingBps;
    private double _mediaDebtBytes;
    private double _paddingDebtBytes;
    private TimeSpan _lastUpdate;
    private bool _started;

    /// <summary>Bytes waiting.</summary>
    public long QueuedBytes => _high.Bytes + _normal.Bytes;

    /// <summary>Packets waiting.</summary>
    public int QueuedPackets => _high.Count + _normal.Count;

    /// <summary>Current pacing rate, bps.</summary>
    public double PacingRateBps => _pacingBps;

    /// <summary>True while a probe cluster is active.</summary>
    public bool IsProbing => _probes.Count > 0;

    /// <summary>Sets the pacing and padding rates.</summary>
    public void SetRates(double pacingBps, double paddingBps)
    {
        _pacingBps = Math.Max(pacingBps, 1000);
        _paddingBps = paddingBps;
    }

    /// <summary>Queues a packet. <paramref name="highPriority"/> packets (audio) go first.</summary>
    public void Enqueue(long packetId, int size, bool highPriority, TimeSpan now)
    {
        UpdateBudget(now);
        (highPriority ? _high : _normal).Enqueue(packetId, size, now);
    }

    /// <summary>
    /// Counts a packet that left without waiting in the queue (audio that bypasses it, as libwebrtc sends audio when
    /// audio pacing is off, or a retransmission sent at once): its bytes add to the media debt like a paced packet's, so
    /// what follows from the queue keeps the total at the pacing rate.
    /// </summary>
    public void OnPacketSentOutsideQueue(int size, TimeSpan now)
    {
        UpdateBudget(now);
        _mediaDebtBytes += size;
        CapDebt();
    }

    /// <summary>Starts a probe cluster.</summary>
    public void CreateProbeCluster(in ProbeClusterConfig config, TimeSpan now)
    {
        _probes.Enqueue(new ProbeState { Config = config, Created = now });
    }

    /// <summary>
    /// Returns the next packet to send at <paramref name="now"/>, if any. The caller sends it and calls again until
    /// false, then waits until <see cref="PollTimeout"/>.
    /// </summary>
    public bool TryPollSend(TimeSpan now, out PacedSend send)
    {
        UpdateBudget(now);
        DropStaleProbes(now);
        if (_probes.Count > 0)
        {
            ProbeState p = _probes.Peek();
            if (p.Started && now < p.NextSendTime)
            {
                // Wait for the probe's schedule; media does not interleave with an active cluster.
                send = default;
                return false;
            }
            if (!TryDequeue(out long id, out int size))
            {
                id = PacedSend.Padding;
                double recommended = p.Config.TargetRateBps / 8.0 * 0.004;
                size = (int)Math.Clamp(recommended, MinPaddingSize, MaxPaddingSize);
            }
            if (!p.Started)
            {
                p.Started = true;
                p.StartTime = now;
            }
            p.SentBytes += size;
            p.SentPackets++;
            p.NextSendTime = p.StartTime + TimeSpan.FromSeconds(p.SentBytes * 8.0 / p.Config.TargetRateBps);
            _mediaDebtBytes += size;
            if (p.SentPackets >= p.Config.TargetProbeCount && p.SentBytes >= p.Config.MinBytes)
            {
                _probes.Dequeue();
            }
            CapDebt();
            send = new PacedSend(id, size, p.Config.Id);
            return true;
        }
        if (QueuedPackets > 0 && _mediaDebtBytes <= DebtEpsilon)
        {
            TryDequeue(out long id, out int size);
            _mediaDebtBytes += size;
            CapDebt();
            send = new PacedSend(id, size, SentPacket.NotAProbe);
            return true;
        }
        if (QueuedPackets == 0 && _paddingBps > 0 && _paddingDebtBytes <= DebtEpsilon && _mediaDebtBytes <= DebtEpsilon)
        {
            int size = MaxPaddingSize;
            _paddingDebtBytes += size;
            _mediaDebtBytes += size;
            send = new PacedSend(PacedSend.Padding, size, SentPacket.NotAProbe);
            return true;
        }
        send = default;
        return false;
    }

    /// <summary>The next instant something may be sendable; <see cref="TimeSpan.MaxValue"/> when idle.</summary>
    public TimeSpan PollTimeout(TimeSpan now)
    {
        if (_probes.Count > 0)
        {
            ProbeState p = _probes.Peek();
            return p.Started ? p.NextSendTime : now;
        }
        double rate = EffectiveRate(now);
        if (QueuedPackets > 0)
        {
            return _mediaDebtBytes <= DebtEpsilon ? now : _lastUpdate + CeilTicks(_mediaDebtBytes * 8 / rate);
        }
        if (_paddingBps > 0)
        {
            double wait = Math.Max(_mediaDebtBytes * 8 / rate, _paddingDebtBytes * 8 / _paddingBps);
            return _lastUpdate + CeilTicks(Math.Max(wait, 0));
        }
        return TimeSpan.MaxValue;
    }

    private void DropStaleProbes(TimeSpan now)
    {
        while (_probes.Count > 0 && !_probes.Peek().Started && now - _probes.Peek().Created > ProbeClusterTimeout)
        {
            _probes.Dequeue();
        }
    }

    private bool TryDequeue(out long id, out int size)
    {
        if (_high.TryDequeue(out id, out size, out _))
        {
            return true;
        }
        return _normal.TryDequeue(out id, out size, out _);
    }

    private double EffectiveRate(TimeSpan now)
    {
        double rate = _pacingBps;
        long bytes = QueuedBytes;
        if (bytes > 0)
        {
            TimeSpan oldest = _normal.Count > 0 ? _normal.OldestEnqueueTime : _high.OldestEnqueueTime;
            double timeLeft = Math.Max((QueueTimeLimit - (now - oldest)).TotalSeconds, 0.001);
            rate = Math.Max(rate, bytes * 8 / timeLeft);
        }
        return rate;
    }

    private void UpdateBudget(TimeSpan now)
    {
        if (!_started)
        {
            _started = true;
            _lastUpdate = now;
            return;
        }
        double elapsed = (now - _lastUpdate).TotalSeconds;
        if (elapsed <= 0)
        {
            return;
        }
        double rate = EffectiveRate(now);
        _mediaDebtBytes = Math.Max(0, _mediaDebtBytes - rate * elapsed / 8);
        _paddingDebtBytes = Math.Max(0, _paddingDebtBytes - _paddingBps * elapsed / 8);
        _lastUpdate = now;
    }

    private void CapDebt()
    {
        double max = _pacingBps * MaxDebtInTime.TotalSeconds / 8;
        if (_mediaDebtBytes > max)
        {
            _mediaDebtBytes = max;
        }
    }

    // Round waits up so a wake-up always finds the debt drained (a wait rounded down to "now" would spin).
    private static TimeSpan CeilTicks(double seconds) => TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond)));

    private sealed class ProbeState
    {
        public ProbeClusterConfig Config;
        public TimeSpan Created;
        public bool Started;
        public TimeSpan StartTime;
        public TimeSpan NextSendTime;
        public long SentBytes;
        public int SentPackets;
    }
}
