namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Throughput estimate from acknowledged bytes (libwebrtc bitrate_estimator.cc): bytes are summed over windows of
/// 500 ms (first estimate) then 150 ms; each window's rate updates a scalar Bayesian estimate whose sample variance
/// grows with the relative deviation from the estimate (scale 10, or 20 in ALR when the sample is lower), with
/// process noise 5 kbps².
/// </summary>
public sealed class BitrateEstimator
{
    /// <summary>Window of the first sample (kInitialRateWindowMs).</summary>
    public const double InitialWindowMs = 500;

    /// <summary>Window of later samples (kRateWindowMs).</summary>
    public const double WindowMs = 150;

    /// <summary>Uncertainty scale of a sample.</summary>
    public const double UncertaintyScale = 10;

    /// <summary>Uncertainty scale when in ALR and the sample is below the estimate.</summary>
    public const double UncertaintyScaleInAlr = 20;

    private double _sumBytes;
    private double _currentWindowMs;
    private double _prevTimeMs = -1;
    private double _estimateKbps = -1;
    private double _estimateVar = 50;

    /// <summary>Estimate in bps, NaN before the first window completed.</summary>
    public double BitrateBps => _estimateKbps < 0 ? double.NaN : _estimateKbps * 1000;

    /// <summary>Adds <paramref name="bytes"/> acknowledged as arriving at <paramref name="atMs"/>.</summary>
    public void Update(double atMs, double bytes, bool inAlr)
    {
        double window = _estimateKbps < 0 ? InitialWindowMs : WindowMs;
        double sampleKbps = UpdateWindow(atMs, bytes, window);
        if (sampleKbps < 0)
        {
            return;
        }
        if (_estimateKbps < 0)
        {
            _estimateKbps = sampleKbps;
            return;
        }
        double scale = inAlr && sampleKbps < _estimateKbps ? UncertaintyScaleInAlr : UncertaintyScale;
        double sampleUncertainty = scale * Math.Abs(_estimateKbps - sampleKbps) / _estimateKbps;
        double sampleVar = sampleUncertainty * sampleUncertainty;
        double predVar = _estimateVar + 5;
        _estimateKbps = (sampleVar * _estimateKbps + predVar * sampleKbps) / (sampleVar + predVar);
        _estimateKbps = Math.Max(_estimateKbps, 0);
        _estimateVar = sampleVar * predVar / (sampleVar + predVar);
    }

    /// <summary>Widens the variance so the next samples move the estimate faster (after ALR ends).</summary>
    public void ExpectFastRateChange() => _estimateVar += 200;

    private double UpdateWindow(double nowMs, double bytes, double windowMs)
    {
        if (nowMs < _prevTimeMs)
        {
            _prevTimeMs = -1;
            _sumBytes = 0;
            _currentWindowMs = 0;
        }
        if (_prevTimeMs >= 0)
        {
            _currentWindowMs += nowMs - _prevTimeMs;
            if (nowMs - _prevTimeMs > windowMs)
            {
                _sumBytes = 0;
                _currentWindowMs %= windowMs;
            }
        }
        _prevTimeMs = nowMs;
        double sample = -1;
        if (_currentWindowMs >= windowMs)
        {
            sample = 8 * _sumBytes / windowMs;
            _currentWindowMs -= windowMs;
            _sumBytes = 0;
        }
        _sumBytes += bytes;
        return sample;
    }
}
