using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Congestion.Gcc;
using RtcStack.NetSim.Scenarios;
using RtcStack.Sdp;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// Issue 14: our GCC against Chromium's on the same emulated link. Three namespaces (browser — router — our session,
/// <see cref="BottleneckLink"/>), a tbf on the router following a shortened RFC 8867 §5.1 capacity schedule, a 50 ms
/// one-way delay each way added in user space at our end (<see cref="DelayEndpoint"/>), a 300 ms drop-tail limit.
/// (a) Chromium sends its fake camera (VP8, 1280×720) to our session, which sends transport-cc feedback: Chromium's
/// GCC picks the rate (getStats availableOutgoingBitrate and targetBitrate every 200 ms). (b) Our session sends
/// video-sized frames with our GCC to a Chromium receiver. (c) The same schedule in NetSim with our GCC. Writes the
/// three curves (PNG, SVG, CSV) and a table to artifacts/bottleneck/; specs/gcc.md has the measured numbers.
/// </summary>
[Trait("Category", "Interop")]
[Collection(QuietMachineCollection.Name)]
public sealed class BottleneckComparisonTests(ITestOutputHelper output)
{
    /// <summary>RFC 8867 §5.1 Table 1 (1 Mbps × 1.0 / 2.5 / 0.6 / 1.0), steps shortened from 40/20/20/20 s to 15/10/10/10 s.</summary>
    internal static readonly (double At, double Bps)[] Schedule = [(0, 1_000_000), (15, 2_500_000), (25, 600_000), (35, 1_000_000)];

    internal const double DurationSeconds = 45;

    /// <summary>RFC 8867 §4.2: 50 ms one-way propagation delay; the same both ways in all three runs.</summary>
    internal const double OneWayDelayMs = 50;

    /// <summary>RFC 8867 §4.3: a drop-tail queue of 300 ms at the bottleneck's rate.</summary>
    internal const double QueueMs = 300;

    /// <summary>
    /// The most either GCC may aim at: Chromium caps a 1280×720 VP8 stream at 2.5 Mbit/s (libwebrtc's default maximum
    /// for that resolution), so our session and the NetSim flow get the same maximum and the same 300 kbit/s start.
    /// </summary>
    internal const long MaxBitrateBps = 2_500_000;

    private const double Step = 0.2;

    [Fact]
    public async Task OurGccAndChromiumsFollowTheSameRfc8867CapacitySchedule()
    {
        using var link = new BottleneckLink();
        link.SetRate(BottleneckLink.ToB, Schedule[0].Bps, QueueMs, add: true);
        link.SetRate(BottleneckLink.ToA, Schedule[0].Bps, QueueMs, add: true);

        BottleneckCurve chromium = await RunAsync(link, browserSends: true);
        BottleneckCurve ours = await RunAsync(link, browserSends: false);
        BottleneckCurve sim = RunNetSim();
        BottleneckCurve[] curves = [chromium, ours, sim];

        string dir = Path.Combine(RepoPaths.Root, "artifacts", "bottleneck");
        Directory.CreateDirectory(dir);
        foreach (BottleneckCurve c in curves)
        {
            File.WriteAllText(Path.Combine(dir, FileName(c.Name) + ".csv"), c.ToCsv());
        }

        string table = Table(curves, $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        File.WriteAllText(Path.Combine(dir, "table.md"), table);
        BottleneckCurve.Plot(curves, "RFC 8867 5.1 (shortened): Chromium's GCC, ours through the same tbf, ours in NetSim",
            Path.Combine(dir, "bottleneck.png"), Path.Combine(dir, "bottleneck.svg"));
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
            Assert.True(c.T.Count >= DurationSeconds / Step * 0.8, $"{c.Name}: {c.T.Count} samples");

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

    private async Task<BottleneckCurve> RunAsync(BottleneckLink link, bool browserSends)
    {
        string mode = browserSends ? "send" : "recv";
        string fwd = browserSends ? BottleneckLink.ToB : BottleneckLink.ToA;
        string rev = browserSends ? BottleneckLink.ToA : BottleneckLink.ToB;
        link.SetRate(fwd, Schedule[0].Bps, QueueMs);
        link.SetRate(rev, 100_000_000, QueueMs);

        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "WebRtc", "Pages", "bottleneck.html"));
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = BottleneckLink.AddressB, EventLoop = loop });
        DelayEndpoint? endpoint = null;
        UdpSessionHandle? handle = null;
        bool keyFrameWanted = true;
        long keyFrameRequests = 0, framesReceived = 0;
        byte[] media = new byte[WebRtcSession.MaxDatagramSize * 64];
        await using TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/bottleneck.html"] = page }, app =>
        {
            app.MapPost("/call/" + mode, async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string offer = await reader.ReadToEndAsync();
                try
                {
                var session = new WebRtcSession(new WebRtcSessionOptions
                {
                    Transport = new WebRtcTransportOptions { Certificate = CallServer.Certificate.Value },
                    Gcc = new GccOptions { MaxBitrateBps = MaxBitrateBps },
                });
                var e = new DelayEndpoint(session, TimeSpan.FromMilliseconds(OneWayDelayMs), () => host.Now);
                UdpSessionHandle h = link.B.Invoke(() => host.Add(e, (_, _) =>
                {
                    while (session.TryPollEvent(out SessionEvent? ev))
                    {
                        if (ev is SessionKeyframeRequestedEvent)
                        {
                            keyFrameRequests++;
                            keyFrameWanted = true;
                        }
                    }

                    while (session.TryPollMedia(media, out ReceivedMedia _))
                    {
                        framesReceived++;
                    }
                }));
                (bool ok, string text) = h.Invoke(now =>
                {
                    if (!session.TrySetRemoteOffer(offer, now, out RtcStack.Sdp.Jsep.JsepError? error))
                    {
                        return (false, error.ToString());
                    }

                    foreach (Transceiver t in session.Jsep.Transceivers)
                    {
                        t.Direction = browserSends ? MediaDirection.RecvOnly : MediaDirection.SendOnly;
                    }

                    return (true, session.CreateAnswer(now));
                });
                endpoint = e;
                handle = h;
                ctx.Response.StatusCode = ok ? 201 : 422;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(text);
                }
                catch (Exception e)
                {
                    ctx.Response.StatusCode = 500;
                    await ctx.Response.WriteAsync(e.ToString());
                }
            });
        });

        var kestrel = new Uri(web.BaseAddress);
        int relayPort = browserSends ? 18471 : 18472;
        using BottleneckLink.TcpRelay relay = link.RelayFromB(relayPort, new IPEndPoint(IPAddress.Loopback, kestrel.Port));
        string origin = $"http://{BottleneckLink.AddressB}:{relayPort}";
        using HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, $"{origin}/bottleneck.html?mode={mode}&seconds={DurationSeconds}",
            [
                // getUserMedia needs a secure context; the suite's resolver rules map every host (IP literals too) to
                // nothing but 127.0.0.1: this run's page is on B's address (a later switch overrides the earlier one).
                "--unsafely-treat-insecure-origin-as-secure=" + origin,
                $"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE {BottleneckLink.AddressB}",
            ],
            link.A.Name);
        Task<JsonElement> connected = web.WaitForReportAsync("connected", TimeSpan.FromSeconds(60), browser);
        Task<JsonElement> failed = web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), browser);
        if (await Task.WhenAny(connected, failed) == failed)
        {
            Assert.Fail("the page ended before connecting: " + (await failed) + "\n" + web.PageLog);
        }

        await connected;
        var clock = Stopwatch.StartNew();
        Assert.NotNull(handle);
        Assert.NotNull(endpoint);

        // (b): our application follows our GCC's target like GccTargetConvergesToABottleneckWithBoundedQueueDelay: one
        // VP8 frame every 1/30 s sized to the target less the packet overhead (about 5 % at ~1200-byte packets).
        using var stopSending = new CancellationTokenSource();
        var ourTargets = new List<(double T, double Bps, long Queued)>();
        long framesSkipped = 0;
        Task sender = browserSends ? Task.CompletedTask : Task.Run(async () =>
        {
            Transceiver video = handle!.Invoke(_ => endpoint!.Session.Jsep.Transceivers.First());
            long frame = 0;
            while (!stopSending.IsCancellationRequested)
            {
                double due = frame / 30.0;
                double wait = due - clock.Elapsed.TotalSeconds;
                if (wait > 0.002)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait));
                    continue;
                }

                // Woken late (a loaded machine): frames whose time has passed are skipped, as a camera and encoder
                // that fall behind drop frames, rather than sent back to back.
                if (wait < -1.0 / 30)
                {
                    long skip = (long)(-wait * 30);
                    frame += skip;
                    framesSkipped += skip;
                    continue;
                }

                handle!.Invoke(now =>
                {
                    endpoint!.Observe(now);
                    long target = endpoint!.Session.TargetBitrateBps ?? 300_000;
                    int size = (int)Math.Max(target * 0.95 / 8 / 30, 200);
                    bool key = keyFrameWanted;
                    keyFrameWanted = false;
                    endpoint.Session.SendVideoFrame(video, VideoFrame(frame, key, size), (uint)(frame * 3000), key, now);
                    lock (ourTargets)
                    {
                        ourTargets.Add((clock.Elapsed.TotalSeconds, target, endpoint.Session.PacerQueuedBytes + endpoint.QueuedOutBytes));
                    }
                });
                frame++;
            }
        });

        // The schedule and the bottleneck's counters, every 200 ms.
        var samples = new List<(double T, double Capacity, long Sent, long Dropped, long Backlog)>();
        (long sent0, long dropped0, _) = link.ReadQdisc(fwd);
        samples.Add((0, Schedule[0].Bps, sent0, dropped0, 0));
        int stepIndex = 0;
        for (int k = 1; k <= DurationSeconds / Step; k++)
        {
            double wait = (k * Step) - clock.Elapsed.TotalSeconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait));
            }

            double now = clock.Elapsed.TotalSeconds;
            (long sent, long dropped, long backlog) = link.ReadQdisc(fwd);
            double capacity = Schedule[stepIndex].Bps;
            samples.Add((now, capacity, sent, dropped, backlog));
            if (stepIndex + 1 < Schedule.Length && now + 0.1 >= Schedule[stepIndex + 1].At)
            {
                stepIndex++;
                link.ChangeRate(fwd, Schedule[stepIndex].Bps, QueueMs);
            }
        }

        stopSending.Cancel();
        await sender;
        JsonElement result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(30), browser);
        Assert.False(result.TryGetProperty("error", out JsonElement err), err.ToString() + "\n" + web.PageLog);
        JsonElement[] page2 = [.. result.GetProperty("samples").EnumerateArray()];
        (long stamped, long feedbackSent, long feedbackReceived) = handle!.Invoke(_ =>
            (endpoint!.Session.FeedbackCounters.PacketsRecorded, endpoint.Session.FeedbackCounters.TransportFeedbackSent, endpoint.Session.FeedbackCounters.TransportFeedbackReceived));
        output.WriteLine($"{mode}: {samples.Count} bottleneck samples, {page2.Length} page samples; our session: {framesReceived} frames received, "
            + $"{keyFrameRequests} key frame requests, {framesSkipped} frames skipped (sender woken late), {stamped} packets recorded for feedback, {feedbackSent} transport-cc sent, {feedbackReceived} received; "
            + $"tbf drops {samples[^1].Dropped - samples[0].Dropped}; last page sample {page2[^1]}");
        handle.Invoke(now =>
        {
            endpoint!.Observe(now);
            endpoint.Session.Close(now);
        });
        host.Remove(handle);

        var curve = new BottleneckCurve(browserSends ? "Chromium GCC (real link)" : "our GCC (real link)")
        {
            Drops = samples[^1].Dropped - samples[0].Dropped,
        };
        for (int i = 1; i < samples.Count; i++)
        {
            double t = samples[i].T;
            if (t - samples[i - 1].T < 0.02)
            {
                continue; // two reads back to back after a stall: no interval to divide by
            }

            double throughput = (samples[i].Sent - samples[i - 1].Sent) * 8 / (t - samples[i - 1].T);
            double queueMs = samples[i].Backlog * 8 / samples[i].Capacity * 1000;
            double estimate = double.NaN, encoder = double.NaN, senderQueue = double.NaN;
            if (browserSends)
            {
                JsonElement? s = page2.LastOrDefault(p => p.GetProperty("t").GetDouble() / 1000 <= t);
                if (s is JsonElement x && x.ValueKind == JsonValueKind.Object)
                {
                    estimate = x.TryGetProperty("availableOutgoingBitrate", out JsonElement a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : double.NaN;
                    encoder = x.TryGetProperty("targetBitrate", out JsonElement b) && b.ValueKind == JsonValueKind.Number ? b.GetDouble() : double.NaN;
                }
            }
            else
            {
                lock (ourTargets)
                {
                    int j = ourTargets.FindLastIndex(o => o.T <= t);
                    estimate = j < 0 ? double.NaN : ourTargets[j].Bps;
                    senderQueue = j < 0 ? double.NaN : ourTargets[j].Queued;
                }
            }

            curve.Add(t, t - samples[i - 1].T, samples[i].Capacity, estimate, encoder, throughput, queueMs, senderQueue);
        }

        return curve;
    }

    /// <summary>(c) The same schedule, delay and queue in NetSim, our GCC, one video flow (no audio), same start and maximum.</summary>
    private static BottleneckCurve RunNetSim()
    {
        var definition = new ScenarioDefinition
        {
            Name = "bottleneck-rfc8867-5.1-short",
            DurationSeconds = DurationSeconds,
            Links =
            [
                new LinkDefinition
                {
                    Id = "fwd",
                    Capacity = [.. Schedule.Select(s => new CapacityStep(s.At, s.Bps))],
                    PropagationDelayMs = OneWayDelayMs,
                    QueueMs = QueueMs,
                },
                new LinkDefinition { Id = "bwd", PropagationDelayMs = OneWayDelayMs },
            ],
            MediaFlows =
            [
                new MediaFlowDefinition
                {
                    Id = "video",
                    Forward = ["fwd"],
                    Backward = ["bwd"],
                    StartSeconds = 0,
                    StopSeconds = DurationSeconds,
                    StartBps = 300_000,
                    MaxBps = MaxBitrateBps,
                    AudioBps = 0,
                },
            ],
            Bottlenecks = ["fwd"],
        };
        ScenarioResult r = ScenarioRunner.Run(definition, "gcc", seed: 1);
        var curve = new BottleneckCurve("our GCC (NetSim)");
        NetSim.Metrics.LinkSeries fwd = r.Links.First(l => l.Id == "fwd");
        NetSim.Metrics.FlowSeries flow = r.Flows.First(f => f.Id == "video");
        curve.Drops = flow.PacketsDropped;
        for (int i = 0; i < r.Times.Count; i++)
        {
            double capacity = fwd.CapacityBps[i];
            curve.Add(r.Times[i], i == 0 ? r.Times[0] : r.Times[i] - r.Times[i - 1], capacity, flow.TargetBps[i], double.NaN, fwd.ThroughputBps[i], fwd.QueueBytes[i] * 8 / capacity * 1000);
        }

        return curve;
    }

    internal static string Table(IReadOnlyList<BottleneckCurve> curves, string note)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"RFC 8867 §5.1 shortened (1.0/2.5/0.6/1.0 Mbit/s at 0/15/25/35 s, {DurationSeconds:0} s), {OneWayDelayMs:0} ms one-way delay each way, {QueueMs:0} ms drop-tail; {note}");
        sb.AppendLine();
        sb.AppendLine("| run | utilisation | util. 0-15 s (1.0) | util. 15-25 s (2.5) | util. 25-35 s (0.6) | util. 35-45 s (1.0) | p95 queuing delay | start: ≥ 0.8 Mbit/s | 15 s ↑2.5: ≥ 2.0 | 25 s ↓0.6: ≤ 0.6 | 35 s ↑1.0: ≥ 0.8 | drops |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (BottleneckCurve c in curves)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {c.Utilisation():P0} | {c.Utilisation(0, 15):P0} | {c.Utilisation(15, 25):P0} | {c.Utilisation(25, 35):P0} | {c.Utilisation(35, 45):P0} | {c.QueueDelayP95Ms():F0} ms");
            for (int s = 0; s < Schedule.Length; s++)
            {
                double until = s + 1 < Schedule.Length ? Schedule[s + 1].At : DurationSeconds;
                double? a = c.TimeToAdapt(Schedule[s].At, until, s == 0 ? 0 : Schedule[s - 1].Bps, Schedule[s].Bps);
                sb.Append(a is double v ? string.Create(CultureInfo.InvariantCulture, $" | {v:F1} s") : " | not within the step");
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $" | {c.Drops} |");
        }

        return sb.ToString();
    }

    private static string FileName(string name) => new(name.Select(ch => char.IsLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray());

    private static readonly byte[] s_keyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];

    /// <summary>A VP8-shaped frame (RFC 6386 §9.1 frame tag; a key frame's start code and 640×480) of filler bytes.</summary>
    private static byte[] VideoFrame(long index, bool key, int size)
    {
        byte[] frame = new byte[size];
        for (int i = 0; i < size; i++)
        {
            frame[i] = (byte)((i * 31) + index);
        }

        if (key)
        {
            s_keyFrameHeader.CopyTo(frame, 0);
        }
        else
        {
            frame[0] = 0x01;
        }

        return frame;
    }
}
