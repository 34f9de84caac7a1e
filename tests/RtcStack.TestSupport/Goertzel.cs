namespace RtcStack.TestSupport;

/// <summary>
/// The Goertzel algorithm: the power of one frequency in a block of samples, for checking that a
/// decoded tone is the one that was sent (e.g. 440 Hz versus 660 Hz) without a full FFT.
/// </summary>
public static class Goertzel
{
    /// <summary>Returns the power of <paramref name="frequency"/> Hz in <paramref name="samples"/> taken at <paramref name="sampleRate"/> Hz.</summary>
    public static double Power(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        double w = 2 * Math.PI * frequency / sampleRate;
        double coeff = 2 * Math.Cos(w);
        double s1 = 0, s2 = 0;
        foreach (short x in samples)
        {
            double s0 = (x / 32768.0) + (coeff * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coeff * s1 * s2);
    }

    /// <summary>The quietest tone <see cref="Strongest"/> reports: 0.01 of full scale (-40 dBFS) in amplitude.</summary>
    public const double DefaultMinimumAmplitude = 0.01;

    /// <summary>
    /// Returns the frequency among <paramref name="candidates"/> with the most power, and the ratio of
    /// its power to the strongest other candidate's. When the strongest candidate's amplitude is below
    /// <paramref name="minimumAmplitude"/> (of full scale) there is no tone: the frequency is NaN and the ratio 0.
    /// When no other candidate has any power the ratio is NaN rather than infinite, so a check of the form
    /// <c>ratio &gt; 100</c> fails on a signal it cannot judge (silence used to pass as +∞).
    /// </summary>
    public static (double Frequency, double Ratio) Strongest(ReadOnlySpan<short> samples, int sampleRate, double[] candidates, double minimumAmplitude = DefaultMinimumAmplitude)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        double best = double.NaN, bestPower = -1, second = 0;
        foreach (double f in candidates)
        {
            double p = Power(samples, f, sampleRate);
            if (p > bestPower)
            {
                second = Math.Max(second, bestPower);
                bestPower = p;
                best = f;
            }
            else
            {
                second = Math.Max(second, p);
            }
        }

        if (samples.Length == 0 || Amplitude(bestPower, samples.Length) < minimumAmplitude)
        {
            return (double.NaN, 0);
        }

        return (best, second <= 0 ? double.NaN : bestPower / second);
    }

    /// <summary>As <see cref="Strongest(ReadOnlySpan{short}, int, double[], double)"/> with the default minimum amplitude.</summary>
    public static (double Frequency, double Ratio) Strongest(ReadOnlySpan<short> samples, int sampleRate, params double[] candidates)
        => Strongest(samples, sampleRate, candidates, DefaultMinimumAmplitude);

    /// <summary>
    /// The amplitude (fraction of full scale) of a sine whose Goertzel power over <paramref name="count"/> samples is
    /// <paramref name="power"/>: a sine of amplitude A at the analysed frequency gives a power of about (A·N/2)².
    /// </summary>
    public static double Amplitude(double power, int count) => count == 0 || power <= 0 ? 0 : 2 * Math.Sqrt(power) / count;

    /// <summary>
    /// Returns the frequency with the most power between <paramref name="from"/> and <paramref name="to"/> Hz,
    /// scanned in steps of <paramref name="step"/> Hz: a check that does not depend on a list of candidates.
    /// </summary>
    public static double Peak(ReadOnlySpan<short> samples, int sampleRate, double from = 100, double to = 2000, double step = 2)
    {
        double best = 0, bestPower = 0;
        for (double f = from; f <= to; f += step)
        {
            double p = Power(samples, f, sampleRate);
            if (p > bestPower)
            {
                bestPower = p;
                best = f;
            }
        }

        return best;
    }

    /// <summary>Fills <paramref name="destination"/> with a sine of <paramref name="frequency"/> Hz starting at sample <paramref name="start"/>.</summary>
    public static void Tone(Span<short> destination, double frequency, int sampleRate, long start, double amplitude = 0.3)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (short)(amplitude * 32767 * Math.Sin(2 * Math.PI * frequency * (start + i) / sampleRate));
        }
    }
}
