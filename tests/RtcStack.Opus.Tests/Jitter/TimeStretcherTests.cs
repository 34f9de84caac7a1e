using RtcStack.Opus.Jitter;
using Xunit;

namespace RtcStack.Opus.Tests.Jitter;

/// <summary>WSOLA time-stretching: output length, continuity, and refusal on audio that does not repeat.</summary>
public sealed class TimeStretcherTests
{
    private static short[] Tone(int frames, int channels, double frequency, int rate = 48000, double amplitude = 10000)
    {
        var pcm = new short[frames * channels];
        for (int i = 0; i < frames; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                pcm[(i * channels) + c] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate));
            }
        }

        return pcm;
    }

    private static int MaxStep(ReadOnlySpan<short> pcm, int channels)
    {
        int max = 0;
        for (int i = channels; i < pcm.Length; i++)
        {
            max = Math.Max(max, Math.Abs(pcm[i] - pcm[i - channels]));
        }

        return max;
    }

    [Theory]
    [InlineData(200.0, 1)] // 5 ms period: 240 samples
    [InlineData(150.0, 2)] // 6.67 ms: 320 samples
    [InlineData(440.0, 1)]
    public void AccelerateRemovesWholePeriodsWithoutAJump(double frequency, int channels)
    {
        short[] input = Tone(960, channels, frequency);
        var output = new short[input.Length];
        int frames = TimeStretcher.Accelerate(input, channels, 120, 480, output);

        int removed = 960 - frames;
        Assert.InRange(removed, 120, 480);
        double periods = removed * frequency / 48000;
        Assert.True(Math.Abs(periods - Math.Round(periods)) < 0.02, $"removed {removed} samples = {periods:F3} periods");
        Assert.True(MaxStep(output.AsSpan(0, frames * channels), channels) <= MaxStep(input, channels) + 2);
        Assert.Equal(input[0], output[0]);
        Assert.Equal(input[^1], output[(frames * channels) - 1]); // the block still ends where it ended
    }

    [Theory]
    [InlineData(200.0, 1)]
    [InlineData(150.0, 2)]
    public void DecelerateRepeatsWholePeriodsWithoutAJump(double frequency, int channels)
    {
        short[] input = Tone(960, channels, frequency);
        var output = new short[(960 + 480) * channels];
        int frames = TimeStretcher.Decelerate(input, channels, 120, 480, output);

        int inserted = frames - 960;
        Assert.InRange(inserted, 120, 480);
        double periods = inserted * frequency / 48000;
        Assert.True(Math.Abs(periods - Math.Round(periods)) < 0.02, $"inserted {inserted} samples = {periods:F3} periods");
        Assert.True(MaxStep(output.AsSpan(0, frames * channels), channels) <= MaxStep(input, channels) + 2);
        Assert.Equal(input[^1], output[(frames * channels) - 1]);
    }

    [Fact]
    public void LoudNoiseIsLeftAsItIs()
    {
        var rng = new Random(7);
        var input = new short[960];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (short)rng.Next(-20000, 20000);
        }

        var output = new short[960 + 480];
        Assert.Equal(960, TimeStretcher.Accelerate(input, 1, 120, 480, output));
        Assert.Equal(input, output.AsSpan(0, 960).ToArray());
        Assert.Equal(960, TimeStretcher.Decelerate(input, 1, 120, 480, output));
        Assert.Equal(input, output.AsSpan(0, 960).ToArray());
    }

    [Fact]
    public void NearSilenceIsStretchedAnyway()
    {
        var rng = new Random(3);
        var input = new short[960];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (short)rng.Next(-20, 20);
        }

        var output = new short[960 + 480];
        Assert.True(TimeStretcher.Accelerate(input, 1, 120, 480, output) < 960);
        Assert.True(TimeStretcher.Decelerate(input, 1, 120, 480, output) > 960);
    }

    [Fact]
    public void LagIsCappedSoTwoPeriodsFit()
    {
        short[] input = Tone(200, 1, 200); // shorter than two 5 ms periods
        var output = new short[200 + 480];
        Assert.Equal(200, TimeStretcher.Accelerate(input, 1, 120, 480, output));
        Assert.Throws<ArgumentException>(() => TimeStretcher.Decelerate(input, 1, 120, 480, new short[300]));
    }
}
