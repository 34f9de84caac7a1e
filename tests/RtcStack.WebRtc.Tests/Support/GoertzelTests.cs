using RtcStack.TestSupport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Support;

/// <summary>The tone check every audio test leans on must not pass silence or noise-free nothing.</summary>
public class GoertzelTests
{
    private static readonly double[] Candidates = [440, 660, 550, 880];

    [Fact]
    public void SilenceHasNoStrongestTone()
    {
        (double f, double ratio) = Goertzel.Strongest(new short[48000], 48000, Candidates);
        Assert.True(double.IsNaN(f), $"silence reported {f} Hz");
        Assert.False(ratio > 100, $"silence passed a ratio check with {ratio}");
    }

    [Fact]
    public void ATooQuietToneIsNoTone()
    {
        short[] pcm = new short[48000];
        Goertzel.Tone(pcm, 440, 48000, 0, amplitude: 0.005);
        Assert.True(double.IsNaN(Goertzel.Strongest(pcm, 48000, Candidates).Frequency));
        Goertzel.Tone(pcm, 440, 48000, 0, amplitude: 0.02);
        Assert.Equal(440, Goertzel.Strongest(pcm, 48000, Candidates).Frequency);
    }

    [Theory]
    [InlineData(440, 0.3)]
    [InlineData(660, 0.05)]
    [InlineData(880, 0.9)]
    public void AToneIsFoundWithAFiniteRatioAndItsAmplitude(double hz, double amplitude)
    {
        short[] pcm = new short[48000];
        Goertzel.Tone(pcm, hz, 48000, 0, amplitude);
        (double f, double ratio) = Goertzel.Strongest(pcm, 48000, Candidates);
        Assert.Equal(hz, f);
        Assert.True(double.IsFinite(ratio) && ratio > 100, $"ratio {ratio}");
        Assert.InRange(Goertzel.Amplitude(Goertzel.Power(pcm, hz, 48000), pcm.Length), amplitude * 0.95, amplitude * 1.05);
    }

    [Fact]
    public void PeakOfSilenceIsZeroHertz()
    {
        Assert.Equal(0, Goertzel.Peak(new short[4800], 48000));
    }
}
