namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Running estimate of the bottleneck capacity seen at over-use (libwebrtc link_capacity_estimator.cc; the draft's
/// "average max bitrate", draft-ietf-rmcat-gcc-02 §5.5): exponential average of the acknowledged rate at each over-use
/// (α = 0.05) or of probe results (α = 0.5), with a normalised variance clamped to [0.4, 2.5]. AIMD uses it to switch
/// from multiplicative to additive increase ("near convergence") and resets it when the rate leaves ±3σ.
/// </summary>
public sealed class LinkCapacityEstimator
{
    private double _estimateKbps = double.NaN;
    private double _deviationKbps = 0.4;

    /// <summary>True once a sample has been taken.</summary>
    public bool HasEstimate => !double.IsNaN(_estimateKbps);

    /// <summary>The estimate in kbps (NaN when none).</summary>
    public double EstimateKbps => _estimateKbps;

    /// <summary>Estimate + 3 standard deviations, kbps (∞ without estimate).</summary>
    public double UpperBoundKbps => HasEstimate ? _estimateKbps + 3 * DeviationEstimateKbps : double.PositiveInfinity;

    /// <summary>Estimate − 3 standard deviations, kbps (0 without estimate).</summary>
    public double LowerBoundKbps => HasEstimate ? Math.Max(0, _estimateKbps - 3 * DeviationEstimateKbps) : 0;

    private double DeviationEstimateKbps => Math.Sqrt(_deviationKbps * _estimateKbps);

    /// <summary>Forgets the estimate.</summary>
    public void Reset() => _estimateKbps = double.NaN;

    /// <summary>Sample at over-use: the acknowledged rate.</summary>
    public void OnOveruseDetected(double acknowledgedKbps) => Update(acknowledgedKbps, 0.05);

    /// <summary>Sample from a probe result.</summary>
    public void OnProbeRate(double probeKbps) => Update(probeKbps, 0.5);

    private void Update(double sampleKbps, double alpha)
    {
        if (double.IsNaN(_estimateKbps))
        {
            _estimateKbps = sampleKbps;
        }
        else
        {
            _estimateKbps = (1 - alpha) * _estimateKbps + alpha * sampleKbps;
        }
        double norm = Math.Max(_estimateKbps, 1.0);
        double error = _estimateKbps - sampleKbps;
        _deviationKbps = (1 - alpha) * _deviationKbps + alpha * error * error / norm;
        _deviationKbps = Math.Clamp(_deviationKbps, 0.4, 2.5);
    }
}
