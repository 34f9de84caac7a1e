namespace RtcStack.NetSim.Tests.JitterBuffer;

/// <summary>
/// A lower bound, valid for any jitter buffer (causal or clairvoyant), on the audio a profile forces a buffer to lose to
/// lateness at a given mean playout delay. Used to show where the two targets cannot both hold.
/// <para>
/// Model. Slot k is packet k's 20 ms of audio; d_k is the playout delay (above the smallest one-way delay of the run)
/// at which slot k plays. A delivered packet with jitter j_k is played only if d_k ≥ j_k; otherwise it is late and its
/// 20 ms are lost to lateness (concealed or skipped). Between slots the output runs 20 ms + (d_k − d_{k−1}) of real
/// time, and a played packet supplies only 20 ms of audio, so any rise of the delay is audio that came from no packet
/// (concealment while holding, or time-stretching insertions). The audio lost to lateness is therefore at least
/// Q = 20 · late + Σ max(0, d_k − d_{k−1}). Nothing else is charged: the initial delay is free, the delay may fall
/// at any rate (acceleration costs nothing here), network losses cost nothing, and the buffer may know the future. So
/// every real buffer's playout is one feasible sequence d, and its late concealment plus deceleration insertions are at
/// least its Q.
/// </para>
/// <para>
/// Bound. For λ ≥ 0 let V(λ) be the least Q + λ · Σ_played d_k over all sequences (dynamic programming over d in whole
/// milliseconds, jitter rounded down, which only weakens the requirement). A buffer with Q ≤ 1 % of the audio sent and
/// mean playout delay ≤ B over its played packets has Q + λ · Σ d ≤ 0.01 · T + λ · B · delivered. If V(λ) exceeds that
/// for some λ, no buffer meets both targets on the profile (counting stretching insertions as audio lost to
/// lateness, which is what they are: audio that no packet carried).
/// </para>
/// </summary>
internal static class LatenessBound
{
    /// <summary>V(λ) in ms of audio (plus λ · ms of delay) for jitter values <paramref name="jitterMs"/> (null: lost in the network).</summary>
    public static double Value(double?[] jitterMs, double lambda, int freeRiseMs = 0)
    {
        int max = 0;
        foreach (double? j in jitterMs)
        {
            max = j is double v ? Math.Max(max, (int)Math.Floor(v)) : max;
        }

        int size = max + 1;
        var cost = new double[size];
        var next = new double[size];
        var suffix = new double[size];
        foreach (double? j in jitterMs)
        {
            // Transition: falling is free, rising by r costs max(0, r - freeRiseMs).
            suffix[size - 1] = cost[size - 1];
            for (int d = size - 2; d >= 0; d--)
            {
                suffix[d] = Math.Min(cost[d], suffix[d + 1]);
            }

            double prefix = double.MaxValue;
            for (int d = 0; d < size; d++)
            {
                int from = d - freeRiseMs;
                if (from > 0)
                {
                    prefix = Math.Min(prefix, cost[from - 1] - (from - 1));
                }

                next[d] = Math.Min(suffix[Math.Max(0, from)], prefix == double.MaxValue ? double.MaxValue : prefix + d - freeRiseMs);
            }

            if (j is double jitter)
            {
                int need = (int)Math.Floor(jitter);
                for (int d = 0; d < size; d++)
                {
                    next[d] += d >= need ? lambda * d : 20;
                }
            }

            (cost, next) = (next, cost);
        }

        double best = double.MaxValue;
        foreach (double c in cost)
        {
            best = Math.Min(best, c);
        }

        return best;
    }

    /// <summary>
    /// The largest margin, over a grid of λ, by which V(λ) exceeds what a buffer meeting both targets could reach
    /// (0.01 · T + λ · B · delivered), in ms. Positive: the targets conflict on the profile for any buffer.
    /// </summary>
    public static (double MarginMs, double Lambda) ConflictMargin(ProfilePacket[] profile, double boundMs, int freeRiseMs = 0)
    {
        double?[] jitter = Jitter(profile);
        int delivered = jitter.Count(j => j is not null);
        double sentMs = profile.Length * 20.0;
        (double margin, double lambda) best = (double.MinValue, 0);
        foreach (double lambda in (double[])[0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1])
        {
            double margin = Value(jitter, lambda, freeRiseMs) - ((0.01 * sentMs) + (lambda * boundMs * delivered));
            if (margin > best.margin)
            {
                best = (margin, lambda);
            }
        }

        return best;
    }

    /// <summary>Each packet's one-way delay above the smallest of the run (null: lost in the network).</summary>
    public static double?[] Jitter(ProfilePacket[] profile)
    {
        double min = double.MaxValue;
        foreach (ProfilePacket p in profile)
        {
            if (p.ArrivalMs is double a)
            {
                min = Math.Min(min, a - p.SentMs);
            }
        }

        return profile.Select(p => p.ArrivalMs is double a ? a - p.SentMs - min : (double?)null).ToArray();
    }
}
