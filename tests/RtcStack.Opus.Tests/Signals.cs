namespace RtcStack.Opus.Tests;

/// <summary>Test signals and measurements: tones, a speech-like signal, the Goertzel filter and RMS level.</summary>
internal static class Signals
{
    /// <summary>Fills interleaved PCM with a sine of <paramref name="frequency"/> Hz at <paramref name="amplitude"/> (0..1 of full scale).</summary>
    public static void FillTone(Span<short> pcm, int channels, int sampleRate, double frequency, double amplitude, long startSample)
    {
        int frames = pcm.Length / channels;
        for (int i = 0; i < frames; i++)
        {
            double v = amplitude * Math.Sin(2 * Math.PI * frequency * (startSample + i) / sampleRate);
            short s = (short)Math.Round(v * short.MaxValue);
            for (int c = 0; c < channels; c++)
            {
                pcm[(i * channels) + c] = s;
            }
        }
    }

    /// <summary>Float version of <see cref="FillTone"/>.</summary>
    public static void FillTone(Span<float> pcm, int channels, int sampleRate, double frequency, double amplitude, long startSample)
    {
        int frames = pcm.Length / channels;
        for (int i = 0; i < frames; i++)
        {
            float v = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * (startSample + i) / sampleRate));
            for (int c = 0; c < channels; c++)
            {
                pcm[(i * channels) + c] = v;
            }
        }
    }

    /// <summary>A vowel-like harmonic signal with a 4 Hz syllable envelope (so SILK's VAD sees speech), or silence.</summary>
    public static void FillSpeechLike(Span<short> pcm, int channels, int sampleRate, long startSample, bool silent, bool syllables = true)
    {
        int frames = pcm.Length / channels;
        for (int i = 0; i < frames; i++)
        {
            double t = (double)(startSample + i) / sampleRate;
            double v = 0;
            if (!silent)
            {
                double f0 = 140 + (20 * Math.Sin(2 * Math.PI * 0.7 * t));
                for (int h = 1; h <= 12; h++)
                {
                    double formant = Math.Exp(-Math.Pow(((h * f0) - 700) / 400, 2)) + (0.5 * Math.Exp(-Math.Pow(((h * f0) - 1200) / 300, 2))) + 0.05;
                    v += formant * Math.Sin(2 * Math.PI * h * f0 * t) / h;
                }

                v *= syllables ? 0.35 * (0.55 + (0.45 * Math.Sin(2 * Math.PI * 4 * t))) : 0.25;
            }

            short s = (short)Math.Clamp(Math.Round(v * short.MaxValue), short.MinValue, short.MaxValue);
            for (int c = 0; c < channels; c++)
            {
                pcm[(i * channels) + c] = s;
            }
        }
    }

    /// <summary>Goertzel power of <paramref name="frequency"/> in one channel, normalised to the signal power (1.0 for a pure tone at that frequency).</summary>
    public static double GoertzelRatio(ReadOnlySpan<short> pcm, int channels, int channel, int sampleRate, double frequency)
    {
        int n = pcm.Length / channels;
        double coeff = 2 * Math.Cos(2 * Math.PI * frequency / sampleRate);
        double s1 = 0, s2 = 0, energy = 0;
        for (int i = 0; i < n; i++)
        {
            double x = pcm[(i * channels) + channel];
            energy += x * x;
            double s0 = x + (coeff * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        double power = (s1 * s1) + (s2 * s2) - (coeff * s1 * s2);

        // For a pure tone of amplitude A over N samples, power ~ (A N / 2)^2 and energy ~ A^2 N / 2.
        return energy == 0 ? 0 : power / (energy * n / 2);
    }

    /// <summary>RMS level of one channel in dBFS.</summary>
    public static double RmsDbfs(ReadOnlySpan<short> pcm, int channels, int channel)
    {
        int n = pcm.Length / channels;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double x = pcm[(i * channels) + channel] / 32768.0;
            sum += x * x;
        }

        double rms = Math.Sqrt(sum / n);
        return rms == 0 ? double.NegativeInfinity : 20 * Math.Log10(rms);
    }
}
