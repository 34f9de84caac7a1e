namespace RtcStack.NetSim.Links;

/// <summary>
/// Packet delay variation as RFC 8868 §4.5 specifies it for evaluations: NR-BPDV (§4.5.2, "approximately random
/// subject to no-reordering bounded PDV") with the recommended distribution of §4.5.3,
/// z(n) ~ |max(min(N(0, std²), N_STD·std), −N_STD·std)| (recommended std = 5 ms, N_STD = 3). The link adds z(n) to
/// the propagation delay and then applies the no-reordering rule: a packet never leaves before the previous packet
/// plus that packet's serialisation time at the link rate.
/// </summary>
public sealed class JitterModel
{
    /// <summary>RFC 8868 §4.5.3 recommended standard deviation.</summary>
    public static TimeSpan RecommendedStdDev { get; } = TimeSpan.FromMilliseconds(5);

    /// <summary>RFC 8868 §4.5.3 recommended N_STD.</summary>
    public const double RecommendedTruncation = 3;

    /// <summary>Creates a model with standard deviation <paramref name="stdDev"/> truncated at <paramref name="truncation"/>·σ.</summary>
    public JitterModel(TimeSpan stdDev, double truncation = RecommendedTruncation)
    {
        StdDev = stdDev;
        Truncation = truncation;
    }

    /// <summary>σ (std).</summary>
    public TimeSpan StdDev { get; }

    /// <summary>N_STD: truncation in units of σ.</summary>
    public double Truncation { get; }

    /// <summary>Largest delay a sample can add: N_STD·σ.</summary>
    public TimeSpan Max => TimeSpan.FromTicks((long)(Truncation * StdDev.Ticks));

    /// <summary>Draws one PDV sample z(n) ≥ 0 (RFC 8868 §4.5.3).</summary>
    public TimeSpan Sample(Random rng)
    {
        if (StdDev <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        // Box–Muller; the RFC clamps (max/min) rather than redraws, then takes the absolute value.
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        double z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        z = Math.Abs(Math.Clamp(z, -Truncation, Truncation));
        return TimeSpan.FromTicks((long)(z * StdDev.Ticks));
    }
}
