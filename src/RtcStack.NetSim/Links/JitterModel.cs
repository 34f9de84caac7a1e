namespace RtcStack.NetSim.Links;

/// <summary>
/// Packet delay variation as RFC 8867 §4.3 describes it: a truncated Gaussian (mean 0, standard deviation σ, cut at
/// ±3σ — our choice of truncation) added to the propagation delay, with the no-reordering rule: a packet never
/// arrives before the previous packet on the link (so jitter delays but does not reorder).
/// </summary>
public sealed class JitterModel
{
    /// <summary>Creates a model with standard deviation <paramref name="stdDev"/>.</summary>
    public JitterModel(TimeSpan stdDev, double truncation = 3)
    {
        StdDev = stdDev;
        Truncation = truncation;
    }

    /// <summary>σ.</summary>
    public TimeSpan StdDev { get; }

    /// <summary>Truncation in units of σ.</summary>
    public double Truncation { get; }

    /// <summary>Draws one PDV sample (can be negative).</summary>
    public TimeSpan Sample(Random rng)
    {
        if (StdDev <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        double z;
        do
        {
            // Box–Muller.
            double u1 = 1.0 - rng.NextDouble();
            double u2 = rng.NextDouble();
            z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        while (Math.Abs(z) > Truncation);
        return TimeSpan.FromTicks((long)(z * StdDev.Ticks));
    }
}
