namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Application-limited region detector (libwebrtc alr_detector.cc): a 500 ms <see cref="IntervalBudget"/> refilled at
/// 65 % of the estimate and spent by sent bytes; ALR starts when more than 80 % of the budget is unused and ends when
/// less than 50 % is.
/// </summary>
public sealed class AlrDetector
{
    /// <summary>Fraction of the estimate the budget refills at (bandwidth_usage_ratio).</summary>
    public const double BandwidthUsageRatio = 0.65;

    /// <summary>Budget ratio above which ALR starts (start_budget_level_ratio).</summary>
    public const double StartBudgetLevelRatio = 0.80;

    /// <summary>Budget ratio below which ALR ends (stop_budget_level_ratio).</summary>
    public const double StopBudgetLevelRatio = 0.50;

    private readonly IntervalBudget _budget = new(0, true);
    private TimeSpan? _lastSend;

    /// <summary>When the current ALR started; null when not in ALR.</summary>
    public TimeSpan? AlrStartTime { get; private set; }

    /// <summary>Records bytes sent at <paramref name="now"/>.</summary>
    public void OnBytesSent(int bytes, TimeSpan now)
    {
        if (_lastSend is not { } last)
        {
            _lastSend = now;
            return;
        }
        double deltaMs = (now - last).TotalMilliseconds;
        _lastSend = now;
        _budget.UseBudget(bytes);
        _budget.IncreaseBudget(deltaMs);
        if (_budget.BudgetRatio > StartBudgetLevelRatio && AlrStartTime is null)
        {
            AlrStartTime = now;
        }
        else if (_budget.BudgetRatio < StopBudgetLevelRatio && AlrStartTime is not null)
        {
            AlrStartTime = null;
        }
    }

    /// <summary>Sets the estimate the budget is derived from.</summary>
    public void SetEstimatedBitrate(double bps) => _budget.SetTargetRateKbps(bps * BandwidthUsageRatio / 1000);
}
