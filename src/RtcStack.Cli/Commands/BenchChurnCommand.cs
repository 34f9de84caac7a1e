using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RtcStack.WebRtc.Io;

namespace RtcStack.Cli.Commands;

/// <summary>
/// <c>rtcstack bench churn</c>: sessions are created, connected, used and closed, a batch at a time; afterwards the
/// process's live heap, RSS and descriptors must be back within 5 % of where they were after the warm-up batches, and
/// the hosts must hold no session and no route.
/// </summary>
internal static class BenchChurnCommand
{
    public const double Limit = 0.05;

    public static Command Create()
    {
        var sessions = new Option<int>("--sessions") { Description = "Sessions in all (two per call).", DefaultValueFactory = _ => 10_000 };
        var batch = new Option<int>("--batch") { Description = "Sessions alive at a time.", DefaultValueFactory = _ => 100 };
        var warmUp = new Option<int>("--warm-up-sessions") { Description = "Sessions before the baseline sample (default a tenth of --sessions): the GC's heap sizing, lazily loaded framework code and the thread pool settle first (RSS reached its plateau after about 800 sessions here).", DefaultValueFactory = _ => -1 };
        var mediaMs = new Option<int>("--media-ms") { Description = "How long each batch talks (20 ms packets both ways) before it hangs up.", DefaultValueFactory = _ => 500 };
        var command = new Command("churn",
            "Churn: calls between sessions on one UdpEventLoop over loopback are set up, carry Opus both ways, and hang up (BYE, close_notify, removed from the hosts), a batch at a time. " +
            $"Compares the live managed heap, RSS, open descriptors and threads after the last batch with those after the warm-up batches (limit {Limit:P0}; threads are printed, not judged) and checks that no session or route is left. Exit 0 when all hold, 1 otherwise.")
        {
            sessions, batch, mediaMs, warmUp,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            if (!UdpEventLoop.IsSupported)
            {
                error.WriteLine("error: bench churn needs the event loop (Linux on x64)");
                return 2;
            }

            int total = parse.GetValue(sessions);
            int perBatch = parse.GetValue(batch);
            int ms = parse.GetValue(mediaMs);
            if (total < 4 || perBatch < 2 || perBatch % 2 != 0 || total % perBatch != 0 || ms < 100)
            {
                error.WriteLine("error: --batch must be even, --sessions a multiple of it (at least two batches), --media-ms at least 100");
                return 2;
            }

            int warm = parse.GetValue(warmUp) < 0 ? total / 10 : parse.GetValue(warmUp);
            int baselineBatch = Math.Clamp((warm + perBatch - 1) / perBatch, 1, total / perBatch - 1);
            return Run(output, total / perBatch, perBatch / 2, TimeSpan.FromMilliseconds(ms), baselineBatch);
        });
        return command;
    }

    private static int Run(TextWriter output, int batches, int pairsPerBatch, TimeSpan media, int baselineBatch)
    {
        using var harness = new BenchHarness();

        // Sampling itself loads framework code (System.Diagnostics.Process and what it uses: open files, pipes);
        // do it once before anything is counted.
        _ = ProcessSample.Take(TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        ProcessSample? first = null;
        long sent = 0, received = 0, silentPairs = 0;
        for (int i = 0; i < batches; i++)
        {
            List<BenchHarness.BenchPair> pairs = harness.Connect(pairsPerBatch);
            harness.StartMedia(pairs);
            Thread.Sleep(media);
            harness.StopMedia();
            Thread.Sleep(100);
            foreach (BenchHarness.BenchPair p in pairs)
            {
                (long s, long r) = p.Count();
                sent += s;
                received += r;
                silentPairs += r == 0 ? 1 : 0;
                p.Close();
            }

            if ((i + 1) % Math.Max(1, batches / 10) == 0 || i == batches - 1 || i + 1 == baselineBatch)
            {
                // The baseline comes after the warm-up batches: by then the JIT, the GC's heap sizing and the thread
                // pool have settled (after one batch of 100 RSS was still 25 % below the plateau it reached after
                // about 800 sessions and kept to 10,000).
                ProcessSample s = ProcessSample.Take(clock.Elapsed);
                if (i + 1 == baselineBatch)
                {
                    first = s;
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(i + 1) * 2 * pairsPerBatch,7} sessions closed after {clock.Elapsed.TotalSeconds,6:0.0} s; hosts hold {harness.HostA.SessionCount + harness.HostB.SessionCount} sessions, {harness.HostA.RouteCount} routes; heap {s.ManagedBytes / 1048576.0:0.0} MB, RSS {s.RssBytes / 1048576.0:0.0} MB, {s.Descriptors} fds, {s.Threads} threads"));
                output.Flush();
            }
        }

        ProcessSample last = ProcessSample.Take(clock.Elapsed);
        ProcessSample f = first!.Value;
        (double managed, double rss, double fds, double threads) = ProcessSample.MaxDrift(f, [last]);
        bool empty = harness.HostA.SessionCount + harness.HostB.SessionCount == 0 && harness.HostA.RouteCount == 0;
        bool back = managed <= Limit && rss <= Limit && fds <= Limit;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after batch {baselineBatch}: heap {f.ManagedBytes / 1048576.0:0.0} MB, RSS {f.RssBytes / 1048576.0:0.0} MB, {f.Descriptors} fds, {f.Threads} threads"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after batch {batches}: heap {last.ManagedBytes / 1048576.0:0.0} MB, RSS {last.RssBytes / 1048576.0:0.0} MB, {last.Descriptors} fds, {last.Threads} threads"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"drift: heap {managed:P1}, RSS {rss:P1}, descriptors {fds:P1} (limit {Limit:P0}): {(back ? "back" : "NOT BACK")}; threads {threads:P1} (not judged: the runtime's thread pool); hosts empty: {(empty ? "yes" : "NO")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{2 * batches * pairsPerBatch} sessions in {clock.Elapsed.TotalSeconds:0.0} s; media: {received} of {sent} packets received; calls that heard nothing: {silentPairs}"));
        return back && empty && silentPairs == 0 ? 0 : 1;
    }
}
