namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Delay-gradient estimator used by libwebrtc today in place of the draft's Kalman filter
/// (draft-ietf-rmcat-gcc-02 §5.3 describes a Kalman filter; libwebrtc replaced it with trendline_estimator.cc):
/// accumulates the per-group one-way delay variation, smooths it exponentially (coefficient 0.9), fits a least-squares
/// line over the last 20 groups against arrival time, and compares slope × min(n, 60) × 4 with an
/// <see cref="AdaptiveThreshold"/>. Over-use is signalled only after the signal stays above the threshold for more than
/// 10 ms, for at least two groups, with a non-decreasing trend.
/// </summary>
public sealed class TrendlineEstimator
{
    /// <summary>Regression window in groups (kDefaultTrendlineWindowSize).</summary>
    public const int DefaultWindowSize = 20;

    /// <summary>Exponential smoothing coefficient of the accumulated delay (kDefaultTrendlineSmoothingCoeff).</summary>
    public const double SmoothingCoefficient = 0.9;

    /// <summary>Gain applied to the slope before thresholding (kDefaultTrendlineThresholdGain).</summary>
    public const double ThresholdGain = 4.0;

    /// <summary>Cap on the delta count that scales the slope (kMinNumDeltas).</summary>
    public const int MinNumDeltas = 60;

    /// <summary>Cap on the delta counter (kDeltaCounterMax).</summary>
    public const int DeltaCounterMax = 1000;

    /// <summary>Time above threshold before over-use is signalled, ms (kOverUsingTimeThreshold).</summary>
    public const double OverusingTimeThresholdMs = 10;

    private readonly int _windowSize;
    private readonly double[] _x;
    private readonly double[] _y;
    private int _count;
    private int _head;
    private int _numDeltas;
    private double _firstArrivalMs = double.NaN;
    private double _accumulatedDelay;
    private double _smoothedDelay;
    private double _prevTrend;
    private double _timeOverUsing = -1;
    private int _overuseCounter;

    /// <summary>Creates an estimator with the given regression window.</summary>
    public TrendlineEstimator(int windowSize = DefaultWindowSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 2);
        _windowSize = windowSize;
        _x = new double[windowSize];
        _y = new double[windowSize];
    }

    /// <summary>The adaptive threshold in use.</summary>
    public AdaptiveThreshold Threshold { get; } = new();

    /// <summary>Current verdict.</summary>
    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;

    /// <summary>Last slope of the regression (ms of delay per ms of arrival time).</summary>
    public double Trend => _prevTrend;

    /// <summary>Last modified trend: slope × min(n, 60) × gain, compared with the threshold.</summary>
    public double ModifiedTrend { get; private set; }

    /// <summary>Number of deltas seen (capped at 1000).</summary>
    public int NumDeltas => _numDeltas;

    /// <summary>Feeds the deltas of one completed packet group.</summary>
    /// <param name="arrivalDeltaMs">Arrival time difference between groups.</param>
    /// <param name="sendDeltaMs">Send time difference between groups.</param>
    /// <param name="arrivalTimeMs">Arrival time of the group (receiver clock, ms).</param>
    public void Update(double arrivalDeltaMs, double sendDeltaMs, double arrivalTimeMs)
    {
        double delta = arrivalDeltaMs - sendDeltaMs;
        _numDeltas = Math.Min(_numDeltas + 1, DeltaCounterMax);
        if (double.IsNaN(_firstArrivalMs))
        {
            _firstArrivalMs = arrivalTimeMs;
        }
        _accumulatedDelay += delta;
        _smoothedDelay = SmoothingCoefficient * _smoothedDelay + (1 - SmoothingCoefficient) * _accumulatedDelay;

        int slot = (_head + _count) % _windowSize;
        if (_count == _windowSize)
        {
            slot = _head;
            _head = (_head + 1) % _windowSize;
        }
        else
        {
            _count++;
        }
        _x[slot] = arrivalTimeMs - _firstArrivalMs;
        _y[slot] = _smoothedDelay;

        double trend = _prevTrend;
        if (_count == _windowSize && TryLinearFitSlope(out double slope))
        {
            trend = slope;
        }
        Detect(trend, sendDeltaMs, arrivalTimeMs);
    }

    /// <summary>Least-squares slope of the stored (arrival, smoothed delay) points.</summary>
    internal bool TryLinearFitSlope(out double slope)
    {
        double sumX = 0, sumY = 0;
        for (int i = 0; i < _count; i++)
        {
            sumX += _x[i];
            sumY += _y[i];
        }
        double xAvg = sumX / _count, yAvg = sumY / _count;
        double numerator = 0, denominator = 0;
        for (int i = 0; i < _count; i++)
        {
            double dx = _x[i] - xAvg;
            numerator += dx * (_y[i] - yAvg);
            denominator += dx * dx;
        }
        if (denominator == 0)
        {
            slope = 0;
            return false;
        }
        slope = numerator / denominator;
        return true;
    }

    private void Detect(double trend, double sendDeltaMs, double nowMs)
    {
        if (_numDeltas < 2)
        {
            State = BandwidthUsage.Normal;
            return;
        }
        double modified = Math.Min(_numDeltas, MinNumDeltas) * trend * ThresholdGain;
        ModifiedTrend = modified;
        double threshold = Threshold.Threshold;
        if (modified > threshold)
        {
            if (_timeOverUsing == -1)
            {
                // Assume the signal has been above the threshold for half the send delta.
                _timeOverUsing = sendDeltaMs / 2;
            }
            else
            {
                _timeOverUsing += sendDeltaMs;
            }
            _overuseCounter++;
            if (_timeOverUsing > OverusingTimeThresholdMs && _overuseCounter > 1 && trend >= _prevTrend)
            {
                _timeOverUsing = 0;
                _overuseCounter = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (modified < -threshold)
        {
            _timeOverUsing = -1;
            _overuseCounter = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _timeOverUsing = -1;
            _overuseCounter = 0;
            State = BandwidthUsage.Normal;
        }
        _prevTrend = trend;
        Threshold.Update(modified, nowMs);
    }
}
