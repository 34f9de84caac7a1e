using System.Globalization;
using RtcStack.Cli.Bottleneck;
using RtcStack.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// Issue 14: our GCC against Chromium's on the same emulated link, through the code of <c>rtcstack bottleneck</c>
/// (<see cref="BottleneckComparison"/>: three namespaces with a tbf following the shortened RFC 8867 §5.1 schedule,
/// Chromium sending to our session, our session sending to Chromium, and the same schedule in NetSim). Writes the three
/// curves (PNG, SVG, CSV) and the table to artifacts/bottleneck/ as the command does; specs/gcc.md has the measured
/// numbers and the bounds below.
/// </summary>
[Trait("Category", "Interop")]
[Collection(QuietMachineCollection.Name)]
public sealed class BottleneckComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OurGccAndChromiumsFollowTheSameRfc8867CapacitySchedule()
    {
        BottleneckSchedule schedule = BottleneckSchedule.Short;
        var log = new StringWriter();
        BottleneckCurve[] curves;
        try
        {
            curves = await BottleneckComparison.RunAllAsync(schedule, HeadlessBrowserPath(), log, CancellationToken.None);
        }
        finally
        {
            output.WriteLine(log.ToString());
        }

        BottleneckCurve chromium = curves[0], ours = curves[1], sim = curves[2];
        string dir = Path.Combine(RepoPaths.Root, "artifacts", "bottleneck");
        string table = BottleneckComparison.WriteFiles(dir, curves, schedule, $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine(table);
        output.WriteLine("files in " + dir);
        foreach (BottleneckCurve c in curves)
        {
            output.WriteLine(c.Name + ":");
            for (int i = 0; i < c.T.Count; i += 5)
            {
                output.WriteLine($"  t={c.T[i],5:F1} cap {c.CapacityBps[i] / 1e3,5:F0} est {c.EstimateBps[i] / 1e3,6:F0} enc {c.EncoderTargetBps[i] / 1e3,6:F0} thr {c.ThroughputBps[i] / 1e3,6:F0} q {c.QueueDelayMs[i],5:F0} ms sender queue {c.SenderQueueBytes[i],7:F0} B");
            }
        }

        // What the runs must show (bounds in specs/gcc.md, "Against Chromium", set from the first measurement at load
        // average 19: Chromium 48 %, ours 63 %, NetSim 68 % utilisation; drop adapted in 1.0-3 s).
        foreach (BottleneckCurve c in curves)
        {
            Assert.True(c.T.Count >= schedule.DurationSeconds / BottleneckComparison.Step * 0.8, $"{c.Name}: {c.T.Count} samples");

            // Never more through the bottleneck than its capacity (a check of the measurement itself), and, for our
            // GCC, at least 40 % of it used over the run. Chromium's utilisation measures its encoder more than its GCC
            // (application-limited: about 0.75 Mbit/s sent for a 1.3 Mbit/s target) and, on a loaded machine, our
            // receiver's stalls (arrival times are taken when a datagram is processed): 48, 55, 37 and 55 % in four
            // runs, so it is reported, not bounded from below.
            Assert.InRange(c.Utilisation(), ReferenceEquals(c, chromium) ? 0 : 0.40, 1.02);

            // The 2.5 → 0.6 Mbit/s drop at 25 s: the estimate is at or under 0.6 Mbit/s within 4 s.
            double? drop = c.TimeToAdapt(25, 35, 2_500_000, 600_000);
            Assert.True(drop is <= 4.0, $"{c.Name}: estimate not under 0.6 Mbit/s within 4 s of the drop ({drop?.ToString("F1", CultureInfo.InvariantCulture) ?? "never"})");

            // The 0.6 → 1.0 Mbit/s rise at 35 s: the estimate grows (by 15 % or more) by the end.
            double atRise = c.EstimateBps[c.T.FindIndex(t => t >= 35)];
            double atEnd = c.EstimateBps.Where(v => !double.IsNaN(v)).Last();
            Assert.True(atEnd >= atRise * 1.15, $"{c.Name}: estimate {atRise / 1e3:F0} kbit/s at the rise, {atEnd / 1e3:F0} kbit/s at the end");
        }

        // Our GCC through the real bottleneck and in NetSim: utilisation within 20 points of each other, and our real-link
        // estimate at least as fast as Chromium's to go under the new capacity after the drop (+1 s).
        Assert.InRange(ours.Utilisation() - sim.Utilisation(), -0.20, 0.20);
        Assert.True(ours.TimeToAdapt(25, 35, 2_500_000, 600_000) <= chromium.TimeToAdapt(25, 35, 2_500_000, 600_000) + 1.0,
            "our estimate took more than 1 s longer than Chromium's to go under the dropped capacity");
    }

    /// <summary>The suite's Chromium (a missing browser fails, naming the package).</summary>
    private static string HeadlessBrowserPath() => RtcStack.TestSupport.Browsers.HeadlessBrowser.RequireExecutable(RtcStack.TestSupport.Browsers.BrowserKind.Chromium);
}
