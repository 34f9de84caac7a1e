namespace RtcStack.Congestion.Gcc;

/// <summary>
/// The over-use detector's adaptive threshold γ (draft-ietf-rmcat-gcc-02 §5.4 eq. for del_var_th;
/// libwebrtc trendline_estimator.cc UpdateThreshold): γ moves toward |m| with gain k_up when |m| is above it and k_down
/// when below, per millisecond elapsed (capped at 100 ms), clamped to [6, 600]. Samples more than 15 ms above γ do not
/// adapt it, so a single spike cannot drag the threshold up.
/// </summary>
public sealed class AdaptiveThreshold
{
    /// <summary>Initial threshold (ms).</summary>
    public const double InitialThreshold = 12.5;

    /// <summary>Gain when |m| &gt; γ (libwebrtc k_up_).</summary>
    public const double KUp = 0.0087;

    /// <summary>Gain when |m| &lt; γ (libwebrtc k_down_).</summary>
    public const double KDown = 0.039;

    /// <summary>Lower clamp.</summary>
    public const double MinThreshold = 6;

    /// <summary>Upper clamp.</summary>
    public const double MaxThreshold = 600;

    /// <summary>Samples above γ + this do not adapt γ (kMaxAdaptOffsetMs).</summary>
    public const double MaxAdaptOffsetMs = 15;

    /// <summary>Largest time step used in one adaptation (kMaxTimeDeltaMs).</summary>
    public const double MaxTimeDeltaMs = 100;

    private double _lastUpdateMs = double.NaN;

    /// <summary>Current threshold γ in ms (in the modified-trend units of <see cref="TrendlineEstimator"/>).</summary>
    public double Threshold { get; private set; } = InitialThreshold;

    /// <summary>Adapts γ to a new modified trend sample <paramref name="modifiedTrend"/> seen at <paramref name="nowMs"/>.</summary>
    public void Update(double modifiedTrend, double nowMs)
    {
        if (double.IsNaN(_lastUpdateMs))
        {
            _lastUpdateMs = nowMs;
        }
        double abs = Math.Abs(modifiedTrend);
        if (abs > Threshold + MaxAdaptOffsetMs)
        {
            _lastUpdateMs = nowMs;
            return;
        }
        double k = abs < Threshold ? KDown : KUp;
        double dt = Math.Min(nowMs - _lastUpdateMs, MaxTimeDeltaMs);
        Threshold += k * (abs - Threshold) * dt;
        Threshold = Math.Clamp(Threshold, MinThreshold, MaxThreshold);
        _lastUpdateMs = nowMs;
    }
}
