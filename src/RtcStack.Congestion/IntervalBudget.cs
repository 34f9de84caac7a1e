namespace RtcStack.Congestion;

/// <summary>
/// A byte budget that refills at a target rate and is capped at 500 ms worth of bytes (libwebrtc
/// modules/pacing/interval_budget.cc: kWindowMs = 500). Used by the ALR detector; optionally lets unused budget
/// accumulate ("can build up underuse").
/// </summary>
public sealed class IntervalBudget
{
    /// <summary>Budget window: the most the budget holds, in milliseconds of the target rate.</summary>
    public const int WindowMs = 500;

    private readonly bool _canBuildUpUnderuse;
    private double _targetRateKbps;
    private double _maxBytes;
    private double _bytesRemaining;

    /// <summary>Creates a budget with an initial target rate.</summary>
    public IntervalBudget(double initialTargetRateKbps, bool canBuildUpUnderuse)
    {
        _canBuildUpUnderuse = canBuildUpUnderuse;
        SetTargetRateKbps(initialTargetRateKbps);
    }

    /// <summary>Bytes left (negative: overused).</summary>
    public double BytesRemaining => Math.Max(0, _bytesRemaining);

    /// <summary>Sets the refill rate and re-clamps the budget to ±window.</summary>
    public void SetTargetRateKbps(double kbps)
    {
        _targetRateKbps = kbps;
        _maxBytes = WindowMs * kbps / 8.0;
        _bytesRemaining = Math.Clamp(_bytesRemaining, -_maxBytes, _maxBytes);
    }

    /// <summary>Adds the bytes earned over <paramref name="deltaMs"/>.</summary>
    public void IncreaseBudget(double deltaMs)
    {
        double bytes = _targetRateKbps * deltaMs / 8.0;
        if (_bytesRemaining < 0 || _canBuildUpUnderuse)
        {
            _bytesRemaining = Math.Min(_bytesRemaining + bytes, _maxBytes);
        }
        else
        {
            _bytesRemaining = Math.Min(bytes, _maxBytes);
        }
    }

    /// <summary>Spends bytes (floor at −window).</summary>
    public void UseBudget(double bytes) => _bytesRemaining = Math.Max(_bytesRemaining - bytes, -_maxBytes);

    /// <summary>Remaining budget as a fraction of the window (−1..1); 0 when the rate is 0.</summary>
    public double BudgetRatio => _maxBytes == 0 ? 0 : _bytesRemaining / _maxBytes;
}
