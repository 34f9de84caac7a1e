using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Congestion.Gcc;
using RtcStack.Dtls;
using RtcStack.NetSim.Scenarios;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;

namespace RtcStack.Cli.Bottleneck;

/// <summary>
/// Issue 14: our GCC against Chromium's on the same emulated link (<c>rtcstack bottleneck</c>, and the interop test
/// BottleneckComparisonTests that runs this same code). Three namespaces (browser — router — our session,
/// <see cref="BottleneckLink"/>), a tbf on the router following a capacity schedule (by default a shortened RFC 8867
/// §5.1), a 50 ms one-way delay each way added in user space at our end (<see cref="DelayEndpoint"/>), a 300 ms
/// drop-tail limit. (a) Chromium sends its fake camera (VP8, 1280×720) to our session, which sends transport-cc
/// feedback: Chromium's GCC picks the rate (getStats availableOutgoingBitrate and targetBitrate every 200 ms). (b) Our
/// session sends video-sized frames with our GCC to a Chromium receiver. (c) The same schedule in NetSim with our GCC.
/// <see cref="WriteFiles"/> writes the three curves (PNG, SVG, CSV) and a table.
/// </summary>
internal static class BottleneckComparison
{
    /// <summary>RFC 8867 §4.2: 50 ms one-way propagation delay; the same both ways in all three runs.</summary>
    public const double OneWayDelayMs = 50;

    /// <summary>RFC 8867 §4.3: a drop-tail queue of 300 ms at the bottleneck's rate.</summary>
    public const double QueueMs = 300;

    /// <summary>
    /// The most either GCC may aim at: Chromium caps a 1280×720 VP8 stream at 2.5 Mbit/s (libwebrtc's default maximum
    /// for that resolution), so our session and the NetSim flow get the same maximum and the same 300 kbit/s start.
    /// </summary>
    public const long MaxBitrateBps = 2_500_000;

    /// <summary>The sampling grid, s.</summary>
    public const double Step = 0.2;

    /// <summary>The three runs' names, in order (also the CSV file names, lower-cased with dashes).</summary>
    public const string ChromiumName = "Chromium GCC (real link)", OursName = "our GCC (real link)", NetSimName = "our GCC (NetSim)";

    private static readonly byte[] s_keyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];

    /// <summary>
    /// Runs (a) and (b) through one <see cref="BottleneckLink"/> (created here, deleted on every way out) and (c) in
    /// NetSim. <paramref name="log"/> gets each run's counters. Throws <see cref="InvalidOperationException"/> with what
    /// went wrong (the browser, the page, tc), <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static async Task<BottleneckCurve[]> RunAllAsync(BottleneckSchedule schedule, string chromium, TextWriter log, CancellationToken cancellationToken)
    {
        BottleneckCurve chromiumCurve, ours;
        using (var certificate = DtlsCertificate.Generate(DateTimeOffset.UtcNow))
        using (var link = new BottleneckLink())
        {
            link.SetRate(BottleneckLink.ToB, schedule.Steps[0].Bps, QueueMs, add: true);
            link.SetRate(BottleneckLink.ToA, schedule.Steps[0].Bps, QueueMs, add: true);
            chromiumCurve = await RunRealAsync(link, browserSends: true, schedule, chromium, certificate, log, cancellationToken).ConfigureAwait(false);
            ours = await RunRealAsync(link, browserSends: false, schedule, chromium, certificate, log, cancellationToken).ConfigureAwait(false);
        }

        return [chromiumCurve, ours, RunNetSim(schedule)];
    }

    /// <summary>
    /// Writes one CSV per curve, <c>table.md</c> (<see cref="Table"/>), <c>bottleneck.png</c> (estimates, throughput,
    /// queuing delay) and <c>bottleneck.svg</c> (estimates) into <paramref name="directory"/>; returns the table.
    /// </summary>
    public static string WriteFiles(string directory, IReadOnlyList<BottleneckCurve> curves, BottleneckSchedule schedule, string note)
    {
        Directory.CreateDirectory(directory);
        foreach (BottleneckCurve c in curves)
        {
            File.WriteAllText(Path.Combine(directory, FileName(c.Name) + ".csv"), c.ToCsv());
        }

        string table = Table(curves, schedule, note);
        File.WriteAllText(Path.Combine(directory, "table.md"), table);
        string runs = curves.Count == 1 ? curves[0].Name : "Chromium's GCC, ours through the same tbf, ours in NetSim";
        BottleneckCurve.Plot(curves, $"{schedule.Description}: {runs}", Path.Combine(directory, "bottleneck.png"), Path.Combine(directory, "bottleneck.svg"));
        return table;
    }

    /// <summary>The file name (without extension) of a curve's CSV: e.g. <c>our-gcc--netsim-</c>.</summary>
    public static string FileName(string name) => new([.. name.Select(ch => char.IsLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-')]);

    /// <summary>
    /// The Markdown table: per run, utilisation (whole run and per step), p95 queuing delay, the time the estimate took
    /// to adapt after each capacity step (<see cref="BottleneckCurve.TimeToAdapt"/>) and the packets dropped.
    /// </summary>
    public static string Table(IReadOnlyList<BottleneckCurve> curves, BottleneckSchedule schedule, string note)
    {
        (double At, double Bps)[] steps = schedule.Steps;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{schedule}, {OneWayDelayMs:0} ms one-way delay each way, {QueueMs:0} ms drop-tail; {note}");
        sb.AppendLine();
        sb.Append("| run | utilisation");
        for (int s = 0; s < steps.Length; s++)
        {
            sb.Append(CultureInfo.InvariantCulture, $" | util. {steps[s].At:0.##}-{schedule.End(s):0.##} s ({steps[s].Bps / 1e6:0.0})");
        }

        sb.Append(" | p95 queuing delay");
        for (int s = 0; s < steps.Length; s++)
        {
            if (s == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" | start: ≥ {steps[0].Bps * 0.8 / 1e6:0.0#} Mbit/s");
            }
            else if (steps[s].Bps < steps[s - 1].Bps)
            {
                sb.Append(CultureInfo.InvariantCulture, $" | {steps[s].At:0.##} s ↓{steps[s].Bps / 1e6:0.0}: ≤ {steps[s].Bps / 1e6:0.0#}");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $" | {steps[s].At:0.##} s ↑{steps[s].Bps / 1e6:0.0}: ≥ {steps[s].Bps * 0.8 / 1e6:0.0#}");
            }
        }

        sb.AppendLine(" | drops |");
        sb.Append("|---");
        sb.Append(string.Concat(Enumerable.Repeat("|---:", 1 + steps.Length + 1 + steps.Length + 1)));
        sb.AppendLine("|");
        foreach (BottleneckCurve c in curves)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {c.Utilisation():P0}");
            for (int s = 0; s < steps.Length; s++)
            {
                sb.Append(CultureInfo.InvariantCulture, $" | {c.Utilisation(steps[s].At, schedule.End(s)):P0}");
            }

            sb.Append(CultureInfo.InvariantCulture, $" | {c.QueueDelayP95Ms():F0} ms");
            for (int s = 0; s < steps.Length; s++)
            {
                double? a = c.TimeToAdapt(steps[s].At, schedule.End(s), s == 0 ? 0 : steps[s - 1].Bps, steps[s].Bps);
                sb.Append(a is double v ? string.Create(CultureInfo.InvariantCulture, $" | {v:F1} s") : " | not within the step");
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $" | {c.Drops} |");
        }

        return sb.ToString();
    }

    /// <summary>(c) The same schedule, delay and queue in NetSim, our GCC, one video flow (no audio), same start and maximum.</summary>
    public static BottleneckCurve RunNetSim(BottleneckSchedule schedule)
    {
        var definition = new ScenarioDefinition
        {
            Name = "bottleneck-" + schedule.Name,
            DurationSeconds = schedule.DurationSeconds,
            Links =
            [
                new LinkDefinition
                {
                    Id = "fwd",
                    Capacity = [.. schedule.Steps.Select(s => new CapacityStep(s.At, s.Bps))],
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
                    StopSeconds = schedule.DurationSeconds,
                    StartBps = 300_000,
                    MaxBps = MaxBitrateBps,
                    AudioBps = 0,
                },
            ],
            Bottlenecks = ["fwd"],
        };
        ScenarioResult r = ScenarioRunner.Run(definition, "gcc", seed: 1);
        var curve = new BottleneckCurve(NetSimName);
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

    private static async Task<BottleneckCurve> RunRealAsync(BottleneckLink link, bool browserSends, BottleneckSchedule schedule, string chromium, DtlsCertificate certificate, TextWriter log, CancellationToken cancellationToken)
    {
        (double At, double Bps)[] steps = schedule.Steps;
        string mode = browserSends ? "send" : "recv";
        string fwd = browserSends ? BottleneckLink.ToB : BottleneckLink.ToA;
        string rev = browserSends ? BottleneckLink.ToA : BottleneckLink.ToB;
        link.SetRate(fwd, steps[0].Bps, QueueMs);
        link.SetRate(rev, 100_000_000, QueueMs);

        string page = Page();
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = BottleneckLink.AddressB, EventLoop = loop });
        DelayEndpoint? endpoint = null;
        UdpSessionHandle? handle = null;
        bool keyFrameWanted = true;
        long keyFrameRequests = 0, framesReceived = 0;
        byte[] media = new byte[WebRtcSession.MaxDatagramSize * 64];
        TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/bottleneck.html"] = page }, app =>
        {
            app.MapPost("/call/" + mode, async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string offer = await reader.ReadToEndAsync().ConfigureAwait(false);
                try
                {
                    var session = new WebRtcSession(new WebRtcSessionOptions
                    {
                        Transport = new WebRtcTransportOptions { Certificate = certificate },
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
                    await ctx.Response.WriteAsync(text).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    ctx.Response.StatusCode = 500;
                    await ctx.Response.WriteAsync(e.ToString()).ConfigureAwait(false);
                }
            });
        }).ConfigureAwait(false);
        await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable webDisposal = web.ConfigureAwait(false);

        var kestrel = new Uri(web.BaseAddress);
        int relayPort = browserSends ? 18471 : 18472;
        using BottleneckLink.TcpRelay relay = link.RelayFromB(relayPort, new IPEndPoint(IPAddress.Loopback, kestrel.Port));
        string origin = $"http://{BottleneckLink.AddressB}:{relayPort}";
        using HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, string.Create(CultureInfo.InvariantCulture, $"{origin}/bottleneck.html?mode={mode}&seconds={schedule.DurationSeconds}"),
            [
                // getUserMedia needs a secure context; the launcher's resolver rules map every host (IP literals too) to
                // nothing but 127.0.0.1: this run's page is on B's address (a later switch overrides the earlier one).
                "--unsafely-treat-insecure-origin-as-secure=" + origin,
                $"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE {BottleneckLink.AddressB}",
            ],
            link.A.Name, chromium);
        Task<JsonElement> connected = web.WaitForReportAsync("connected", TimeSpan.FromSeconds(60), browser);
        Task<JsonElement> failed = web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), browser);
        Task first = await Task.WhenAny(connected, failed, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == failed)
        {
            throw new InvalidOperationException($"{mode}: the page ended before connecting: {await failed.ConfigureAwait(false)}\n{web.PageLog}\n--- browser output ---\n{browser.Log}");
        }

        await connected.ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        if (handle is null || endpoint is null)
        {
            throw new InvalidOperationException($"{mode}: the page reported connected without a call to our session\n{web.PageLog}");
        }

        // (b): our application follows our GCC's target like GccTargetConvergesToABottleneckWithBoundedQueueDelay: one
        // VP8 frame every 1/30 s sized to the target less the packet overhead (about 5 % at ~1200-byte packets).
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ourTargets = new List<(double T, double Bps, long Queued)>();
        long framesSkipped = 0;
        Task sender = browserSends ? Task.CompletedTask : Task.Run(async () =>
        {
            Transceiver video = handle.Invoke(_ => endpoint.Session.Jsep.Transceivers.First());
            long frame = 0;
            while (!stopSending.IsCancellationRequested)
            {
                double due = frame / 30.0;
                double wait = due - clock.Elapsed.TotalSeconds;
                if (wait > 0.002)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait), stopSending.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

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

                handle.Invoke(now =>
                {
                    endpoint.Observe(now);
                    long target = endpoint.Session.TargetBitrateBps ?? 300_000;
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
        try
        {
            (long sent0, long dropped0, _) = link.ReadQdisc(fwd);
            samples.Add((0, steps[0].Bps, sent0, dropped0, 0));
            int stepIndex = 0;
            for (int k = 1; k <= schedule.DurationSeconds / Step; k++)
            {
                double wait = (k * Step) - clock.Elapsed.TotalSeconds;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken).ConfigureAwait(false);
                }

                double now = clock.Elapsed.TotalSeconds;
                (long sent, long dropped, long backlog) = link.ReadQdisc(fwd);
                double capacity = steps[stepIndex].Bps;
                samples.Add((now, capacity, sent, dropped, backlog));
                if (stepIndex + 1 < steps.Length && now + 0.1 >= steps[stepIndex + 1].At)
                {
                    stepIndex++;
                    link.ChangeRate(fwd, steps[stepIndex].Bps, QueueMs);
                }
            }
        }
        finally
        {
            await stopSending.CancelAsync().ConfigureAwait(false);
            await sender.ConfigureAwait(false);
        }

        Task<JsonElement> resultReport = web.WaitForReportAsync("result", TimeSpan.FromSeconds(30), browser);
        await Task.WhenAny(resultReport, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        JsonElement result = await resultReport.ConfigureAwait(false);
        if (result.TryGetProperty("error", out JsonElement err))
        {
            throw new InvalidOperationException($"{mode}: the page failed: {err}\n{web.PageLog}");
        }

        JsonElement[] page2 = [.. result.GetProperty("samples").EnumerateArray()];
        if (page2.Length == 0)
        {
            throw new InvalidOperationException($"{mode}: the page sent no getStats samples\n{web.PageLog}");
        }

        (long stamped, long feedbackSent, long feedbackReceived) = handle.Invoke(_ =>
            (endpoint.Session.FeedbackCounters.PacketsRecorded, endpoint.Session.FeedbackCounters.TransportFeedbackSent, endpoint.Session.FeedbackCounters.TransportFeedbackReceived));
        log.WriteLine($"{mode}: {samples.Count} bottleneck samples, {page2.Length} page samples; our session: {framesReceived} frames received, "
            + $"{keyFrameRequests} key frame requests, {framesSkipped} frames skipped (sender woken late), {stamped} packets recorded for feedback, {feedbackSent} transport-cc sent, {feedbackReceived} received; "
            + $"tbf drops {samples[^1].Dropped - samples[0].Dropped}; last page sample {page2[^1]}");
        handle.Invoke(now =>
        {
            endpoint.Observe(now);
            endpoint.Session.Close(now);
        });
        host.Remove(handle);

        var curve = new BottleneckCurve(browserSends ? ChromiumName : OursName)
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

    /// <summary>The page the browser opens (embedded: bottleneck.html).</summary>
    private static string Page()
    {
        using Stream stream = typeof(BottleneckComparison).Assembly.GetManifestResourceStream("RtcStack.Cli.Bottleneck.bottleneck.html")
            ?? throw new InvalidOperationException("bottleneck.html is not embedded in " + typeof(BottleneckComparison).Assembly.GetName().Name);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

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
