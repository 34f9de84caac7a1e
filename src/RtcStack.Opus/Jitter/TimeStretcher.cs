namespace RtcStack.Opus.Jitter;

/// <summary>
/// Time-stretching of decoded PCM by one pitch period, the waveform-similarity overlap-add (WSOLA) way: find the lag
/// at which the signal best repeats itself (normalised cross-correlation, searched coarsely on a decimated signal and
/// refined at full rate), then remove one period (accelerate) or repeat one (decelerate) with a linear cross-fade over
/// that period so the output has no discontinuity. A block that does not repeat well enough (correlation below
/// <see cref="MinCorrelation"/>) and is not near-silent is left as it is. Interleaved 16-bit PCM; no allocation.
/// </summary>
public static class TimeStretcher
{
    /// <summary>The correlation a lag needs before a period of loud audio is removed or repeated.</summary>
    public const double MinCorrelation = 0.6;

    /// <summary>Mean square level (per sample) under which a block counts as near-silent and is stretched regardless (about -50 dBFS).</summary>
    private const double SilentMeanSquare = 100.0 * 100.0;

    private const int Decimation = 4;

    /// <summary>
    /// Removes one pitch period of between <paramref name="minLag"/> and <paramref name="maxLag"/> samples per channel
    /// from <paramref name="input"/> into <paramref name="output"/> (at least as long as the input). Returns the samples
    /// per channel written: the input length minus the removed period, or the input length when nothing was removed.
    /// </summary>
    public static int Accelerate(ReadOnlySpan<short> input, int channels, int minLag, int maxLag, Span<short> output)
    {
        int frames = Validate(input, channels, output.Length, 0);
        int lag = FindLag(input, channels, frames, minLag, maxLag);
        if (lag == 0)
        {
            input.CopyTo(output);
            return frames;
        }

        // out[0, lag) fades from x[i] to x[i + lag]; then x[2·lag, n) follows, so out[lag] = x[2·lag] continues out[lag - 1] ≈ x[2·lag - 1].
        CrossFade(input, 0, lag, channels, lag, output);
        input[(2 * lag * channels)..].CopyTo(output[(lag * channels)..]);
        return frames - lag;
    }

    /// <summary>
    /// Repeats one pitch period of between <paramref name="minLag"/> and <paramref name="maxLag"/> samples per channel
    /// of <paramref name="input"/> into <paramref name="output"/> (at least input plus <paramref name="maxLag"/>
    /// samples per channel). Returns the samples per channel written: the input length plus the period, or the input
    /// length when nothing was added.
    /// </summary>
    public static int Decelerate(ReadOnlySpan<short> input, int channels, int minLag, int maxLag, Span<short> output)
    {
        int frames = Validate(input, channels, output.Length, maxLag);
        int lag = FindLag(input, channels, frames, minLag, maxLag);
        if (lag == 0)
        {
            input.CopyTo(output);
            return frames;
        }

        // out = x[0, lag), then lag samples fading from x[lag + i] to x[i] (ending ≈ x[lag - 1]), then x[lag, n) again.
        input[..(lag * channels)].CopyTo(output);
        CrossFade(input, lag, 0, channels, lag, output[(lag * channels)..]);
        input[(lag * channels)..].CopyTo(output[(2 * lag * channels)..]);
        return frames + lag;
    }

    /// <summary>
    /// Returns the lag in [<paramref name="minLag"/>, <paramref name="maxLag"/>] (capped so that two periods fit in the
    /// block) at which the block best repeats, or 0 when none repeats well enough and the block is not near-silent.
    /// </summary>
    public static int FindLag(ReadOnlySpan<short> input, int channels, int frames, int minLag, int maxLag)
    {
        maxLag = Math.Min(maxLag, frames / 2);
        if (minLag < 1 || maxLag < minLag)
        {
            return 0;
        }

        // Coarse search on every Decimation-th sample (channel 0 carries the decision for all channels).
        int bestLag = 0;
        double bestScore = double.NegativeInfinity;
        for (int lag = minLag; lag <= maxLag; lag += Decimation)
        {
            double score = Correlation(input, channels, frames, lag, Decimation, out _);
            if (score > bestScore)
            {
                bestScore = score;
                bestLag = lag;
            }
        }

        int from = Math.Max(minLag, bestLag - Decimation + 1);
        int to = Math.Min(maxLag, bestLag + Decimation - 1);
        bestScore = double.NegativeInfinity;
        double energy = 0;
        for (int lag = from; lag <= to; lag++)
        {
            double score = Correlation(input, channels, frames, lag, 1, out double meanSquare);
            if (score > bestScore)
            {
                bestScore = score;
                bestLag = lag;
                energy = meanSquare;
            }
        }

        return bestScore >= MinCorrelation || energy < SilentMeanSquare ? bestLag : 0;
    }

    private static double Correlation(ReadOnlySpan<short> x, int channels, int frames, int lag, int step, out double meanSquare)
    {
        // Compare the first period-long stretch after the lag: x[i] against x[i + lag] for i in [0, min(lag, n - 2·lag) + lag).
        int length = Math.Min(frames - lag, 2 * lag);
        double xy = 0;
        double xx = 0;
        double yy = 0;
        int count = 0;
        for (int i = 0; i < length; i += step)
        {
            double a = x[i * channels];
            double b = x[(i + lag) * channels];
            xy += a * b;
            xx += a * a;
            yy += b * b;
            count++;
        }

        meanSquare = count == 0 ? 0 : (xx + yy) / (2.0 * count);
        double norm = Math.Sqrt(xx * yy);
        return norm <= 0 ? (xx + yy == 0 ? 1.0 : 0.0) : xy / norm;
    }

    private static void CrossFade(ReadOnlySpan<short> x, int fromStart, int toStart, int channels, int length, Span<short> output)
    {
        for (int i = 0; i < length; i++)
        {
            // Weight of the "to" segment rises from 0 to (length - 1) / length.
            double w = (double)i / length;
            for (int c = 0; c < channels; c++)
            {
                double a = x[((fromStart + i) * channels) + c];
                double b = x[((toStart + i) * channels) + c];
                output[(i * channels) + c] = (short)Math.Round((a * (1 - w)) + (b * w));
            }
        }
    }

    private static int Validate(ReadOnlySpan<short> input, int channels, int outputLength, int extra)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (input.Length % channels != 0)
        {
            throw new ArgumentException("The input is not a whole number of samples per channel.", nameof(input));
        }

        int frames = input.Length / channels;
        if (outputLength < (frames + extra) * channels)
        {
            throw new ArgumentException("The output is too short.", "output");
        }

        return frames;
    }
}
