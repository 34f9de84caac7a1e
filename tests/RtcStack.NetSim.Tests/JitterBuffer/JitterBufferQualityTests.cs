using RtcStack.NetSim.Links;
using RtcStack.Opus.Jitter;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests.JitterBuffer;

/// <summary>
/// Issue 17's quality targets for the adaptive jitter buffer, measured in virtual time on the RFC 8868 jitter models,
/// Gilbert–Elliott burst loss and a cellular-like profile (two minutes of 20 ms packets each): at most 1 % of the audio
/// concealed because packets came late, with a mean playout delay of at most the jitter's 95th percentile plus 20 ms.
/// A fixed 40 ms buffer runs on the same profiles for comparison. docs/jitter-buffer.md has the table.
/// </summary>
public sealed class JitterBufferQualityTests(ITestOutputHelper output)
{
    private const int Packets = 6000;

    /// <summary>The profiles on which the issue's targets are met (and must stay met).</summary>
    public static TheoryData<string> Profiles => ["rfc8868-nr-bpdv-5ms", "rfc8868-rbpdv-5ms", "rfc8868-rbpdv-15ms", "gilbert-elliott"];

    internal static ProfilePacket[] Profile(string name) => name switch
    {
        "rfc8868-nr-bpdv-5ms" => JitterProfiles.NrBpdv(Packets, 5, seed: 1),
        "rfc8868-rbpdv-5ms" => JitterProfiles.Rbpdv(Packets, 5, seed: 2),
        "rfc8868-rbpdv-15ms" => JitterProfiles.Rbpdv(Packets, 15, seed: 3),
        // Mean burst of 1/0.3 = 3.3 packets, 3.2 % long-run loss, over the recommended NR-BPDV jitter.
        "gilbert-elliott" => JitterProfiles.NrBpdv(Packets, 5, seed: 4, LossModel.GilbertElliott(0.01, 0.3)),
        "cellular" => JitterProfiles.Cellular(Packets, seed: 5),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void AdaptiveBufferMeetsTheIssueTargets(string profile)
    {
        ProfilePacket[] packets = Profile(profile);
        JitterBufferQuality adaptive = JitterBufferQuality.Measure("adaptive", packets, new JitterBufferOptions());
        JitterBufferQuality fixed40 = JitterBufferQuality.Measure("fixed 40 ms", packets, new JitterBufferOptions { Adaptive = false, InitialDelay = TimeSpan.FromMilliseconds(40) });
        output.WriteLine("| profile | buffer | P95 jitter ms | mean playout delay ms | mean time in buffer ms | mean target ms | late-loss | concealment | network loss | late packets | packets over the bound |");
        output.WriteLine(adaptive.Row(profile));
        output.WriteLine(fixed40.Row(profile));

        string report = $"{profile}: {adaptive.LateLossRate:P2} of the audio concealed because late (target 1 %), "
            + $"mean playout delay {adaptive.MeanPlayoutDelayMs:F1} ms (bound {adaptive.DelayBoundMs:F1} ms)";
        Assert.True(adaptive.LateLossRate <= 0.01 && adaptive.MeanPlayoutDelayMs <= adaptive.DelayBoundMs, report);
    }

    /// <summary>
    /// The cellular-like profile misses both targets (issue 17 stays open on it; docs/jitter-buffer.md): 2.07 % of its
    /// packets arrive later than the delay bound because of radio stalls, so at most one target can hold, and the buffer
    /// measured 1.85 % late-loss (target 1 %) at a mean playout delay of 55.4 ms (bound 34.0 ms). This pins that miss so it
    /// cannot grow unnoticed, and checks the buffer still loses less audio to lateness than a fixed 40 ms buffer; it does
    /// not turn the miss into a pass.
    /// </summary>
    [Fact]
    public void CellularProfileMissesTheTargetsByNoMoreThanMeasured()
    {
        ProfilePacket[] packets = Profile("cellular");
        JitterBufferQuality adaptive = JitterBufferQuality.Measure("adaptive", packets, new JitterBufferOptions());
        JitterBufferQuality fixed40 = JitterBufferQuality.Measure("fixed 40 ms", packets, new JitterBufferOptions { Adaptive = false, InitialDelay = TimeSpan.FromMilliseconds(40) });
        output.WriteLine(adaptive.Row("cellular"));
        output.WriteLine(fixed40.Row("cellular"));
        Assert.True(adaptive.LateLossRate <= 0.0185 + 1e-9, $"late-loss {adaptive.LateLossRate:P2}, measured 1.85 % when written");
        Assert.True(adaptive.MeanPlayoutDelayMs <= 55.4 + 0.05, $"mean playout delay {adaptive.MeanPlayoutDelayMs:F1} ms, measured 55.4 ms when written");
        Assert.True(adaptive.LateLossRate <= fixed40.LateLossRate, $"adaptive {adaptive.LateLossRate:P2} against fixed 40 ms {fixed40.LateLossRate:P2}");
    }
}
