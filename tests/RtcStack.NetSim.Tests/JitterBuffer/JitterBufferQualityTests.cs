using RtcStack.NetSim.Links;
using RtcStack.Opus.Jitter;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.NetSim.Tests.JitterBuffer;

/// <summary>
/// Issue 17's quality targets for the adaptive jitter buffer, measured in virtual time on the RFC 8868 jitter models,
/// Gilbert–Elliott burst loss, a synthetic cellular-like profile and a call over a recorded Mahimahi LTE trace (two minutes of 20 ms packets each): at most 1 % of the audio
/// concealed because packets came late, with a mean playout delay of at most the jitter's 95th percentile plus 20 ms.
/// A fixed 40 ms buffer runs on the same profiles for comparison. docs/jitter-buffer.md has the table.
/// </summary>
public sealed class JitterBufferQualityTests(ITestOutputHelper output)
{
    private const int Packets = 6000;

    /// <summary>
    /// Every profile: the four RFC 8868 / Gilbert–Elliott ones, the synthetic cellular-like one, and audio of a call
    /// over the recorded Verizon LTE Mahimahi trace (with the call's own GCC video, and with a TCP download as well).
    /// </summary>
    public static TheoryData<string> AllProfiles => ["rfc8868-nr-bpdv-5ms", "rfc8868-rbpdv-5ms", "rfc8868-rbpdv-15ms", "gilbert-elliott", "cellular", "verizon-lte-call", "verizon-lte-call-download"];

    internal static ProfilePacket[] Profile(string name) => name switch
    {
        "rfc8868-nr-bpdv-5ms" => JitterProfiles.NrBpdv(Packets, 5, seed: 1),
        "rfc8868-rbpdv-5ms" => JitterProfiles.Rbpdv(Packets, 5, seed: 2),
        "rfc8868-rbpdv-15ms" => JitterProfiles.Rbpdv(Packets, 15, seed: 3),
        // Mean burst of 1/0.3 = 3.3 packets, 3.2 % long-run loss, over the recommended NR-BPDV jitter.
        "gilbert-elliott" => JitterProfiles.NrBpdv(Packets, 5, seed: 4, LossModel.GilbertElliott(0.01, 0.3)),
        "cellular" => JitterProfiles.Cellular(Packets, seed: 5),
        "verizon-lte-call" => JitterProfiles.CellularTrace(JitterProfiles.VerizonLteTrace, Packets, seed: 6),
        "verizon-lte-call-download" => JitterProfiles.CellularTrace(JitterProfiles.VerizonLteTrace, Packets, seed: 7, tcpDownload: true),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> CellularProfiles => ["cellular", "verizon-lte-call", "verizon-lte-call-download"];

    /// <summary>The profiles on which the buffer meets both targets; the three cellular ones miss late-loss (see below).</summary>
    public static TheoryData<string> ProfilesMet => ["rfc8868-nr-bpdv-5ms", "rfc8868-rbpdv-5ms", "rfc8868-rbpdv-15ms", "gilbert-elliott"];

    [Theory]
    [MemberData(nameof(ProfilesMet))]
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
    /// The three cellular profiles miss the late-loss target (issue 17 stays open on them; docs/jitter-buffer.md) while
    /// meeting the delay bound. This pins each miss at what was measured when written, so it cannot grow unnoticed, and
    /// fails once a profile meets both targets (it must then move to <see cref="ProfilesMet"/>). It does not turn the
    /// miss into a pass. The fixed 40 ms buffer's row is printed beside it: on the synthetic profile it loses less to
    /// lateness (1.92 % against 2.33 %) at a longer delay (50 ms against 33.2 ms); on the recorded ones it loses more
    /// (8.10 % on the Verizon call, 93.2 % with the download).
    /// </summary>
    [Theory]
    [InlineData("cellular", 0.0233, 33.2)]
    [InlineData("verizon-lte-call", 0.0397, 91.9)]
    [InlineData("verizon-lte-call-download", 0.0682, 853.5)]
    public void CellularProfilesMissLateLossByNoMoreThanMeasured(string profile, double lateLossWhenWritten, double delayWhenWrittenMs)
    {
        ProfilePacket[] packets = Profile(profile);
        JitterBufferQuality adaptive = JitterBufferQuality.Measure("adaptive", packets, new JitterBufferOptions());
        JitterBufferQuality fixed40 = JitterBufferQuality.Measure("fixed 40 ms", packets, new JitterBufferOptions { Adaptive = false, InitialDelay = TimeSpan.FromMilliseconds(40) });
        output.WriteLine(adaptive.Row(profile));
        output.WriteLine(fixed40.Row(profile));
        Assert.True(adaptive.LateLossRate <= lateLossWhenWritten + 0.00005, $"late-loss {adaptive.LateLossRate:P2}, measured {lateLossWhenWritten:P2} when written");
        Assert.True(adaptive.MeanPlayoutDelayMs <= delayWhenWrittenMs + 0.05, $"mean playout delay {adaptive.MeanPlayoutDelayMs:F1} ms, measured {delayWhenWrittenMs} ms when written");
        Assert.True(adaptive.MeanPlayoutDelayMs <= adaptive.DelayBoundMs, $"mean playout delay {adaptive.MeanPlayoutDelayMs:F1} ms over the bound {adaptive.DelayBoundMs:F1} ms");
        Assert.True(adaptive.LateLossRate > 0.01, $"{profile} now meets both targets: move it to ProfilesMet and update docs/jitter-buffer.md");
    }

    /// <summary>
    /// On the three cellular profiles, <see cref="LatenessBound"/> shows that any buffer, even one that knew the future,
    /// whose mean playout delay stays within the issue's bound plays more than 1 % of the audio from no packet (late
    /// concealment plus time-stretching insertions): the two targets conflict there once insertions are counted. The
    /// bound does not cover late concealment alone (a clairvoyant buffer allowed 1 ms of insertion per 20 ms could
    /// pre-stretch before every stall), so the issue's target is not shown unreachable and these profiles stay open
    /// (<see cref="CellularProfilesMissLateLossByNoMoreThanMeasured"/>). Margins when written (ms beyond the 1.2 s a buffer meeting both could reach): cellular 355,
    /// verizon-lte-call 967, verizon-lte-call-download 297.
    /// </summary>
    [Theory]
    [MemberData(nameof(CellularProfiles))]
    public void OnTheCellularProfilesEveryBufferWithinTheDelayBoundSynthesisesMoreThanOnePercent(string profile)
    {
        ProfilePacket[] packets = Profile(profile);
        JitterBufferQuality adaptive = JitterBufferQuality.Measure("adaptive", packets, new JitterBufferOptions());
        (double margin, double lambda) = LatenessBound.ConflictMargin(packets, adaptive.DelayBoundMs);
        output.WriteLine($"{profile}: bound {adaptive.DelayBoundMs:F1} ms, margin {margin:F0} ms at lambda {lambda}");
        Assert.True(margin > 0, $"{profile}: the bound leaves {-margin:F0} ms of room");
    }

    /// <summary>
    /// The bound is a bound: for every profile and λ, V(λ) is at most what the adaptive buffer itself reached, its audio
    /// lost to lateness (late concealment plus deceleration insertions) plus λ times its summed playout delay. On the four
    /// profiles where the buffer meets the targets, the bound therefore cannot claim a conflict.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllProfiles))]
    public void TheLatenessBoundNeverExceedsWhatTheBufferAchieved(string profile)
    {
        ProfilePacket[] packets = Profile(profile);
        JitterBufferQuality adaptive = JitterBufferQuality.Measure("adaptive", packets, new JitterBufferOptions());
        JitterBufferStatistics stats = JitterBufferQuality.LastStatistics!.Value;
        double sentMs = packets.Length * 20.0;
        double lostToLatenessMs = (adaptive.LateLossRate * sentMs) + (stats.InsertedSamplesForDeceleration / 48.0);
        double played = stats.PacketsDecoded;
        double?[] jitter = LatenessBound.Jitter(packets);
        foreach (double lambda in (double[])[0.001, 0.01, 0.1])
        {
            double bound = LatenessBound.Value(jitter, lambda);
            double achieved = lostToLatenessMs + (lambda * adaptive.MeanPlayoutDelayMs * played);
            output.WriteLine($"{profile}: lambda {lambda}: bound {bound:F0}, buffer {achieved:F0}");
            Assert.True(bound <= achieved, $"{profile}, lambda {lambda}: bound {bound:F0} above the buffer's {achieved:F0}");
        }
    }
}
