namespace RtcStack.Congestion.Gcc;

/// <summary>
/// The delay-based rate controller (draft-ietf-rmcat-gcc-02 §5.5; libwebrtc aimd_rate_control.cc). States Hold,
/// Increase and Decrease are driven by the detector: Normal → Increase, Overusing → Decrease, Underusing → Hold.
/// Increase is multiplicative (×1.08 per second) far from the link capacity estimate and additive (about one packet
/// per response time, at least 4 kbps/s) near it; every increase is capped at 1.5 × acknowledged rate + 10 kbps.
/// Decrease sets the rate to 0.85 × acknowledged rate (or 0.85 × link capacity estimate if that is lower than the
/// current rate would otherwise become) and moves to Hold.
/// </summary>
public sealed class AimdRateControl
{
    /// <summary>Multiplicative decrease factor β (libwebrtc kDefaultBackoffFactor / draft §5.5 β = 0.85).</summary>
    public const double Beta = 0.85;

    /// <summary>Multiplicative increase per second far from convergence (draft §5.5 η = 1.08).</summary>
    public const double MultiplicativeIncreasePerSecond = 1.08;

    /// <summary>Minimum additive increase rate (kMinIncreaseRateBpsPerSecond).</summary>
    public const double MinIncreaseRateBpsPerSecond = 4000;

    /// <summary>Cap factor on the acknowledged rate during increase.</summary>
    public const double MaxIncreaseFactorOfAcked = 1.5;

    /// <summary>Additive slack on the cap (10 kbps).</summary>
    public const double MaxIncreaseSlackBps = 10_000;

    /// <summary>RTT assumed until one is measured (kDefaultRtt).</summary>
    public static readonly TimeSpan DefaultRtt = TimeSpan.FromMilliseconds(200);

    /// <summary>Minimum interval between two decreases when the rate is still above half the estimate (initial_backoff_interval).</summary>
    public static readonly TimeSpan InitialBackoffInterval = TimeSpan.FromMilliseconds(200);

    private readonly double _minBps;
    private readonly double _maxBps;
    private double _currentBps;
    private bool _initialized;
    private RateControlState _state = RateControlState.Hold;
    private TimeSpan? _timeLastBitrateChange;
    private TimeSpan? _timeLastBitrateDecrease;
    private TimeSpan? _timeFirstThroughputEstimate;
    private double _latestAckedBps = double.NaN;
    private double _lastDecreaseBps = double.NaN;

    /// <summary>Creates the controller with configured bounds and start rate.</summary>
    public AimdRateControl(double minBps, double maxBps, double startBps)
    {
        _minBps = minBps;
        _maxBps = maxBps;
        _currentBps = startBps;
        _initialized = true;
    }

    /// <summary>Link capacity estimate used to pick additive vs multiplicative increase.</summary>
    public LinkCapacityEstimator LinkCapacity { get; } = new();

    /// <summary>Current estimate, bps.</summary>
    public double LatestEstimateBps => _currentBps;

    /// <summary>Current state.</summary>
    public RateControlState State => _state;

    /// <summary>RTT used for the additive increase response time and reduction interval.</summary>
    public TimeSpan Rtt { get; set; } = DefaultRtt;

    /// <summary>Whether the sender is application limited (libwebrtc SetInApplicationLimitedRegion).</summary>
    public bool InAlr { get; set; }

    /// <summary>True when an estimate exists.</summary>
    public bool ValidEstimate => _initialized;

    /// <summary>Overrides the estimate (probe results, initial rate).</summary>
    public void SetEstimate(double bps, TimeSpan now)
    {
        _initialized = true;
        double prev = _currentBps;
        _currentBps = Clamp(bps);
        _timeLastBitrateChange = now;
        if (_currentBps < prev)
        {
            _timeLastBitrateDecrease = now;
        }
    }

    /// <summary>
    /// True when another decrease is allowed: at least one RTT (clamped 10–200 ms) since the last change, or the
    /// acknowledged rate has fallen below half the estimate.
    /// </summary>
    public bool TimeToReduceFurther(TimeSpan now, double ackedBps)
    {
        TimeSpan interval = TimeSpan.FromTicks(Math.Clamp(Rtt.Ticks, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromMilliseconds(200).Ticks));
        if (_timeLastBitrateChange is null || now - _timeLastBitrateChange.Value >= interval)
        {
            return true;
        }
        if (ValidEstimate)
        {
            return ackedBps < 0.5 * LatestEstimateBps;
        }
        return false;
    }

    /// <summary>True when, without an acknowledged rate, the estimate may be halved (200 ms since the last decrease).</summary>
    public bool InitialTimeToReduceFurther(TimeSpan now) =>
        _timeLastBitrateDecrease is null || now - _timeLastBitrateDecrease.Value >= InitialBackoffInterval;

    /// <summary>Runs one AIMD step for the detector state and the acknowledged rate (NaN when unknown).</summary>
    public double Update(BandwidthUsage usage, double ackedBps, TimeSpan now)
    {
        if (!_initialized)
        {
            if (_timeFirstThroughputEstimate is null && !double.IsNaN(ackedBps))
            {
                _timeFirstThroughputEstimate = now;
            }
            else if (_timeFirstThroughputEstimate is { } t && now - t > TimeSpan.FromSeconds(5) && !double.IsNaN(ackedBps))
            {
                _currentBps = ackedBps;
                _initialized = true;
            }
        }
        ChangeBitrate(usage, ackedBps, now);
        return _currentBps;
    }

    /// <summary>
    /// Additive increase rate near convergence: one average packet per response time (RTT + 100 ms), at least
    /// 4 kbps/s, with the packet size taken from a 30 fps frame of the current rate split into ≤1200-byte packets.
    /// </summary>
    public double NearMaxIncreaseRateBpsPerSecond()
    {
        const double frameInterval = 1.0 / 30;
        double frameSizeBytes = _currentBps * frameInterval / 8;
        double packetsPerFrame = Math.Ceiling(frameSizeBytes / 1200.0);
        double avgPacketSizeBits = 8 * frameSizeBytes / Math.Max(packetsPerFrame, 1);
        double responseTime = (Rtt + TimeSpan.FromMilliseconds(100)).TotalSeconds;
        return Math.Max(MinIncreaseRateBpsPerSecond, avgPacketSizeBits / responseTime);
    }

    private void ChangeBitrate(BandwidthUsage usage, double ackedInput, TimeSpan now)
    {
        double? newBps = null;
        if (!double.IsNaN(ackedInput))
        {
            _latestAckedBps = ackedInput;
        }
        double acked = double.IsNaN(ackedInput) ? _latestAckedBps : ackedInput;
        if (!_initialized && usage != BandwidthUsage.Overusing)
        {
            return;
        }
        ChangeState(usage, now);
        switch (_state)
        {
            case RateControlState.Hold:
                break;
            case RateControlState.Increase:
                {
                    if (!double.IsNaN(acked) && acked / 1000 > LinkCapacity.UpperBoundKbps)
                    {
                        LinkCapacity.Reset();
                    }
                    double limit = double.IsNaN(acked) ? double.PositiveInfinity : MaxIncreaseFactorOfAcked * acked + MaxIncreaseSlackBps;
                    if (_currentBps < limit)
                    {
                        double increase = LinkCapacity.HasEstimate
                            ? AdditiveIncrease(now)
                            : MultiplicativeIncrease(now);
                        newBps = Math.Min(_currentBps + increase, limit);
                    }
                    _timeLastBitrateChange = now;
                    break;
                }
            case RateControlState.Decrease:
                {
                    if (!double.IsNaN(acked))
                    {
                        double decreased = acked * Beta;
                        if (decreased > _currentBps && LinkCapacity.HasEstimate)
                        {
                            decreased = Beta * LinkCapacity.EstimateKbps * 1000;
                        }
                        if (decreased < _currentBps)
                        {
                            newBps = decreased;
                            _lastDecreaseBps = _currentBps - decreased;
                        }
                        if (acked / 1000 < LinkCapacity.LowerBoundKbps)
                        {
                            LinkCapacity.Reset();
                        }
                        LinkCapacity.OnOveruseDetected(acked / 1000);
                    }
                    _initialized = true;
                    _state = RateControlState.Hold;
                    _timeLastBitrateChange = now;
                    _timeLastBitrateDecrease = now;
                    break;
                }
        }
        _currentBps = Clamp(newBps ?? _currentBps);
    }

    /// <summary>Size of the last decrease (bps), NaN when none yet.</summary>
    public double LastDecreaseBps => _lastDecreaseBps;

    private double MultiplicativeIncrease(TimeSpan now)
    {
        double alpha = MultiplicativeIncreasePerSecond;
        if (_timeLastBitrateChange is { } last)
        {
            double seconds = Math.Min((now - last).TotalSeconds, 1.0);
            alpha = Math.Pow(alpha, seconds);
        }
        return Math.Max(_currentBps * (alpha - 1.0), 1000);
    }

    private double AdditiveIncrease(TimeSpan now)
    {
        if (_timeLastBitrateChange is not { } last)
        {
            return 0;
        }
        return NearMaxIncreaseRateBpsPerSecond() * (now - last).TotalSeconds;
    }

    private void ChangeState(BandwidthUsage usage, TimeSpan now)
    {
        switch (usage)
        {
            case BandwidthUsage.Normal:
                if (_state == RateControlState.Hold)
                {
                    _timeLastBitrateChange = now;
                    _state = RateControlState.Increase;
                }
                break;
            case BandwidthUsage.Overusing:
                if (_state != RateControlState.Decrease)
                {
                    _state = RateControlState.Decrease;
                }
                break;
            case BandwidthUsage.Underusing:
                _state = RateControlState.Hold;
                break;
        }
    }

    private double Clamp(double bps) => Math.Clamp(bps, _minBps, _maxBps);
}
