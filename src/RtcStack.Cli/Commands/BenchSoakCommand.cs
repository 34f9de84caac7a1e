using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench soak</c>: N session pairs talk for M minutes on one event loop; the process's live managed
/// heap, RSS, open descriptors and threads are sampled and must stay flat after the warm-up, and every packet
/// sent must arrive.
/// </summary>
internal static class BenchSoakCommand
{
    public const double FlatLimit = 0.05;
    public const double DeliveryTarget = 0.9999;

    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long the pairs talk.", DefaultValueFactory = _ => 30 };
        var pairs = new Option<int>("--pairs") { Description = "Session pairs (use about 80 % of the sustainable count from `bench sessions --event-loop`).", DefaultValueFactory = _ => 560 };
        var sample = new Option<int>("--sample-seconds") { Description = "Seconds between samples.", DefaultValueFactory = _ => 30 };
        var warmUp = new Option<double>("--warm-up-minutes") { Description = "Minutes before the baseline sample (default: a tenth of the run, at least 0.5, at most 5).", DefaultValueFactory = _ => -1 };
        var command = new Command("soak",
            "Long run: N session pairs over loopback on one UdpEventLoop, 50 Opus packets/s each way with SRTP, RTCP and TWCC, for M minutes. " +
            $"After the warm-up the live managed heap, RSS, open descriptors and thread count must stay within {FlatLimit:P0} of the baseline sample and delivery must reach {DeliveryTarget:P2}. Exit 0 when both hold, 1 otherwise.")
        {
            minutes, pairs, sample, warmUp,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            if (!UdpEventLoop.IsSupported)
            {
                error.WriteLine("error: bench soak needs the event loop (Linux on x64)");
                return 2;
            }

            double m = parse.GetValue(minutes);
            int n = parse.GetValue(pairs);
            int every = parse.GetValue(sample);
            if (m <= 0 || n < 1 || every < 1)
            {
                error.WriteLine("error: --minutes, --pairs and --sample-seconds must be positive");
                return 2;
            }

            double w = parse.GetValue(warmUp);
            TimeSpan run = TimeSpan.FromMinutes(m);
            TimeSpan warm = w >= 0 ? TimeSpan.FromMinutes(w) : TimeSpan.FromMinutes(Math.Clamp(m / 10, 0.5, 5));
            return Run(output, n, run, warm, TimeSpan.FromSeconds(every));
        });
        return command;
    }

    private static int Run(TextWriter output, int pairCount, TimeSpan run, TimeSpan warmUp, TimeSpan every)
    {
        using var harness = new BenchHarness();
        _ = ProcessSample.Take(TimeSpan.Zero); // loads what sampling itself uses before anything is counted

        // As `bench sessions` does before it measures: 100 pairs talk for 10 s first, unreported, so that tiered
        // compilation has produced optimized code before the measured pairs start. Without it, a 440-pair soak lost
        // 9 % of its first minute (kernel drops while the loop ran unoptimized code) and none afterwards.
        List<BenchHarness.BenchPair> warm = harness.Connect(Math.Min(100, pairCount));
        harness.StartMedia(warm);
        Thread.Sleep(TimeSpan.FromSeconds(10));
        harness.StopMedia();
        foreach (BenchHarness.BenchPair p in warm)
        {
            p.Close();
        }

        var clock = Stopwatch.StartNew();
        List<BenchHarness.BenchPair> pairs = harness.Connect(pairCount);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pairCount} pairs ({2 * pairCount} sessions) connected in {clock.Elapsed.TotalSeconds:0.0} s; talking for {run.TotalMinutes:0.#} min, baseline after {warmUp.TotalMinutes:0.#} min"));
        output.WriteLine($"{"t s",7} {"heap MB",8} {"RSS MB",8} {"fds",5} {"threads",7} {"sent",11} {"received",11} {"load",5} {"kernel drops",12}");
        harness.StartMedia(pairs);
        clock.Restart();
        var samples = new List<ProcessSample>();
        ProcessSample? baseline = null;
        long sentAtBaseline = 0, receivedAtBaseline = 0;
        while (clock.Elapsed < run)
        {
            TimeSpan next = TimeSpan.FromTicks(Math.Min(run.Ticks, (samples.Count + 1) * every.Ticks));
            TimeSpan wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            ProcessSample s = ProcessSample.Take(clock.Elapsed);
            samples.Add(s);
            (long sent, long received) = Totals(pairs);
            long drops = harness.HostA.ReadSocketStatistics().KernelDrops + harness.HostB.ReadSocketStatistics().KernelDrops;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.At.TotalSeconds,7:0} {s.ManagedBytes / 1048576.0,8:0.0} {s.RssBytes / 1048576.0,8:0.0} {s.Descriptors,5} {s.Threads,7} {sent,11} {received,11} {harness.Loop.Utilisation,5:0.00} {drops,12}{(baseline is { } bs && s.Threads != bs.Threads ? "  threads " + s.ThreadDifference(bs) : "")}"));
            output.Flush();
            if (baseline is null && s.At >= warmUp)
            {
                baseline = s;
                (sentAtBaseline, receivedAtBaseline) = (sent, received);
            }
        }

        harness.StopMedia();
        Thread.Sleep(1000);
        (long totalSent, long totalReceived) = Totals(pairs);
        double whole = totalSent == 0 ? 0 : (double)totalReceived / totalSent;

        // Judged, like flatness, after the warm-up: the packets sent after the baseline sample against those
        // received after it (a packet in flight at the baseline counts where it landed, a few in 10^6).
        long steadySent = totalSent - sentAtBaseline;
        long steadyReceived = totalReceived - receivedAtBaseline;
        double delivery = steadySent == 0 ? 0 : Math.Min(1.0, (double)steadyReceived / steadySent);
        ProcessSample b = baseline ?? samples[^1];
        (double managed, double rss, double fds, double threads) = ProcessSample.MaxDrift(b, samples.Where(s => s.At >= b.At));
        bool flat = managed <= FlatLimit && rss <= FlatLimit && fds <= FlatLimit && threads <= FlatLimit;
        bool delivered = delivery >= DeliveryTarget;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after the baseline at {b.At.TotalSeconds:0} s, largest drift: heap {managed:P1}, RSS {rss:P1}, descriptors {fds:P1}, threads {threads:P1} (limit {FlatLimit:P0}): {(flat ? "flat" : "NOT FLAT")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"delivery after the baseline {steadyReceived} of {steadySent} packets = {100 * delivery:0.0000} % (target {100 * DeliveryTarget:0.00} %): {(delivered ? "met" : "MISSED")}; whole run {totalReceived} of {totalSent} = {100 * whole:0.0000} %"));
        foreach (BenchHarness.BenchPair p in pairs)
        {
            p.Close();
        }

        return flat && delivered ? 0 : 1;
    }

    private static (long Sent, long Received) Totals(List<BenchHarness.BenchPair> pairs)
    {
        long sent = 0, received = 0;
        foreach (BenchHarness.BenchPair p in pairs)
        {
            (long s, long r) = p.Count();
            sent += s;
            received += r;
        }

        return (sent, received);
    }
}
