namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Loss-based control (draft-ietf-rmcat-gcc-02 §6; libwebrtc send_side_bandwidth_estimation.cc, the classic
/// loss-based estimator): losses are accumulated until at least 20 packets are covered; below 2 % loss the rate grows
/// to 1.08 × the minimum rate of the last second + 1 kbps; above 10 % it is cut to rate × (1 − 0.5 p), at most once
/// per 300 ms + RTT; in between it holds. The result never exceeds the delay-based estimate. During the first 2 s
/// without loss the delay-based estimate (start-up probing) is followed directly.
/// </summary>
public sealed class LossBasedBandwidthEstimation
{
    /// <summary>Loss fraction at or below which the rate increases (kDefaultLowLossThreshold).</summary>
    public const double LowLossThreshold = 0.02;

    /// <summary>Loss fraction above which the rate decreases (kDefaultHighLossThreshold).</summary>
    public const double HighLossThreshold = 0.10;

    /// <summary>Packets needed before a loss fraction is computed (kLimitNumPackets).</summary>
    public const int LimitNumPackets = 20;

    /// <summary>Increase interval: the rate grows from the minimum over this window (kBweIncreaseInterval).</summary>
    public static readonly TimeSpan IncreaseInterval = TimeSpan.FromMilliseconds(1000);

    /// <summary>Base decrease interval, plus RTT (kBweDecreaseInterval).</summary>
    public static readonly TimeSpan DecreaseInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>Start phase in which the delay-based estimate is trusted (kStartPhase).</summary>
    public static readonly TimeSpan StartPhase = TimeSpan.FromMilliseconds(2000);

    /// <summary>Loss reports older than 1.2 × this stop driving the estimate (kMaxRtcpFeedbackInterval).</summary>
    public static readonly TimeSpan MaxFeedbackInterval = TimeSpan.FromMilliseconds(5000);

    private readonly double _minBps;
    private readonly double _maxBps;
    private readonly MinHistory _minHistory = new();
    private double _delayBasedLimitBps = double.PositiveInfinity;
    private int _lostSinceUpdate;
    private int _expectedSinceUpdate;
    private TimeSpan? _firstReportTime;
    private TimeSpan? _lastLossReport;
    private TimeSpan? _timeLastDecrease;
    private bool _hasDecreasedSinceLastFraction;

    /// <summary>Creates the estimator.</summary>
    public LossBasedBandwidthEstimation(double minBps, double maxBps, double startBps)
    {
        _minBps = minBps;
        _maxBps = maxBps;
        TargetBps = startBps;
    }

    /// <summary>Current target, bps (min of loss-based and delay-based).</summary>
    public double TargetBps { get; private set; }

    /// <summary>Last loss fraction in 1/256 units (RFC 3550 fraction lost encoding).</summary>
    public int LastFractionLoss { get; private set; }

    /// <summary>RTT used for the decrease interval.</summary>
    public TimeSpan Rtt { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Adds loss counts from one feedback report.</summary>
    public void UpdatePacketsLost(int lost, int total, TimeSpan now)
    {
        _firstReportTime ??= now;
        if (total <= 0)
        {
            return;
        }
        _lostSinceUpdate += lost;
        _expectedSinceUpdate += total;
        if (_expectedSinceUpdate < LimitNumPackets)
        {
            return;
        }
        _hasDecreasedSinceLastFraction = false;
        long lostQ8 = (long)Math.Max(_lostSinceUpdate, 0) << 8;
        LastFractionLoss = (int)Math.Min(lostQ8 / _expectedSinceUpdate, 255);
        _lostSinceUpdate = 0;
        _expectedSinceUpdate = 0;
        _lastLossReport = now;
        UpdateEstimate(now);
    }

    /// <summary>Sets the delay-based limit (upper bound of the target).</summary>
    public void UpdateDelayBasedEstimate(double bps, TimeSpan now)
    {
        _delayBasedLimitBps = bps <= 0 ? double.PositiveInfinity : bps;
        UpdateTarget(TargetBps, now);
    }

    /// <summary>Sets the target directly (probe result), removing the delay-based cap until the next update.</summary>
    public void SetSendBitrate(double bps, TimeSpan now)
    {
        _delayBasedLimitBps = double.PositiveInfinity;
        UpdateTarget(bps, now);
        _minHistory.Clear();
    }

    /// <summary>Periodic update (also run after every loss report).</summary>
    public void UpdateEstimate(TimeSpan now)
    {
        if (LastFractionLoss == 0 && IsInStartPhase(now))
        {
            double newBps = TargetBps;
            if (!double.IsPositiveInfinity(_delayBasedLimitBps))
            {
                newBps = Math.Max(_delayBasedLimitBps, newBps);
            }
            if (newBps != TargetBps)
            {
                _minHistory.Clear();
                _minHistory.AddLast((now, TargetBps));
                UpdateTarget(newBps, now);
                return;
            }
        }
        UpdateMinHistory(now);
        if (_lastLossReport is not { } lastReport)
        {
            UpdateTarget(TargetBps, now);
            return;
        }
        if (now - lastReport < 1.2 * MaxFeedbackInterval)
        {
            double loss = LastFractionLoss / 256.0;
            if (loss <= LowLossThreshold)
            {
                double newBps = _minHistory.First.Bps * 1.08 + 0.5 + 1000;
                UpdateTarget(newBps, now);
                return;
            }
            if (loss > HighLossThreshold && !_hasDecreasedSinceLastFraction
                && (_timeLastDecrease is not { } td || now - td >= DecreaseInterval + Rtt))
            {
                _timeLastDecrease = now;
                double newBps = TargetBps * (512 - LastFractionLoss) / 512.0;
                _hasDecreasedSinceLastFraction = true;
                UpdateTarget(newBps, now);
                return;
            }
        }
        UpdateTarget(TargetBps, now);
    }

    private bool IsInStartPhase(TimeSpan now) => _firstReportTime is not { } f || now - f < StartPhase;

    private void UpdateMinHistory(TimeSpan now)
    {
        while (_minHistory.Count > 0 && now - _minHistory.First.Time + TimeSpan.FromMilliseconds(1) > IncreaseInterval)
        {
            _minHistory.RemoveFirst();
        }
        while (_minHistory.Count > 0 && TargetBps <= _minHistory.Last.Bps)
        {
            _minHistory.RemoveLast();
        }
        _minHistory.AddLast((now, TargetBps));
    }

    private void UpdateTarget(double bps, TimeSpan now)
    {
        _ = now;
        double upper = Math.Min(_delayBasedLimitBps, _maxBps);
        TargetBps = Math.Max(Math.Min(bps, upper), _minBps);
    }

    /// <summary>
    /// The (time, rate) pairs of the last second, oldest first, kept increasing in rate (a monotonic deque): a ring that
    /// grows only while the history is longer than ever before, so the 25 ms updates allocate nothing (a
    /// <see cref="LinkedList{T}"/> allocated a node per update).
    /// </summary>
    private sealed class MinHistory
    {
        private (TimeSpan Time, double Bps)[] _items = new (TimeSpan, double)[8];
        private int _head;

        public int Count { get; private set; }

        public (TimeSpan Time, double Bps) First => _items[_head];

        public (TimeSpan Time, double Bps) Last => _items[(_head + Count - 1) & (_items.Length - 1)];

        public void Clear()
        {
            _head = 0;
            Count = 0;
        }

        public void AddLast((TimeSpan Time, double Bps) item)
        {
            if (Count == _items.Length)
            {
                var items = new (TimeSpan, double)[_items.Length * 2];
                for (int i = 0; i < Count; i++)
                {
                    items[i] = _items[(_head + i) & (_items.Length - 1)];
                }

                _items = items;
                _head = 0;
            }

            _items[(_head + Count) & (_items.Length - 1)] = item;
            Count++;
        }

        public void RemoveFirst()
        {
            _head = (_head + 1) & (_items.Length - 1);
            Count--;
        }

        public void RemoveLast() => Count--;
    }
}
