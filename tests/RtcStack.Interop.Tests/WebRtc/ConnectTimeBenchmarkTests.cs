using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// The time-to-connected benchmark: headless Chromium connecting to an RtcStack session (WHIP, the page
/// offers) against Chromium connecting to itself (two RTCPeerConnections in one page), in the same run,
/// each repeated after a warm-up. Prints the times and medians (recorded in benchmarks/README.md); the
/// assertion is only that both connected every time (no timing assertion in tests).
/// </summary>
[Trait("Category", "Interop")]
[Collection(QuietMachineCollection.Name)]
public sealed class ConnectTimeBenchmarkTests(ITestOutputHelper output)
{
    // RTCSTACK_CONNECT_REPEAT sets the number of calls per side; fewer than one would leave nothing to check.
    private static int Repeat
    {
        get
        {
            string? text = Environment.GetEnvironmentVariable("RTCSTACK_CONNECT_REPEAT");
            if (text is null)
            {
                return 7;
            }

            Assert.True(int.TryParse(text, out int n) && n >= 1, $"RTCSTACK_CONNECT_REPEAT={text}: give a whole number of calls, at least 1 (0 would make the test vacuous)");
            return n;
        }
    }

    private static int WarmHandshakes()
    {
        string? text = Environment.GetEnvironmentVariable("RTCSTACK_CONNECT_WARM_HANDSHAKES");
        if (text is null)
        {
            return 300;
        }

        Assert.True(int.TryParse(text, out int n) && n >= 0, $"RTCSTACK_CONNECT_WARM_HANDSHAKES={text}: give a whole number of handshakes, 0 or more");
        return n;
    }

    private static int WarmCalls()
    {
        string? text = Environment.GetEnvironmentVariable("RTCSTACK_CONNECT_WARM_CALLS");
        if (text is null)
        {
            return 200;
        }

        Assert.True(int.TryParse(text, out int n) && n >= 0, $"RTCSTACK_CONNECT_WARM_CALLS={text}: give a whole number of calls, 0 or more");
        return n;
    }

    // The WHIP path as a running server has served it many times: POST an offer (Chromium 156's, its candidate line
    // removed so that no session sends a check anywhere), read the answer, DELETE the resource. Kestrel, the WHIP
    // handler, SDP parsing, JSEP and session creation then run code the JIT has re-compiled optimised.
    private static async Task WarmUpWhipAsync(string url, int count)
    {
        string offer = string.Join("\r\n", File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Sdp.Tests", "Fixtures", "chromium-156-offer.sdp"))
            .Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith("a=candidate:", StringComparison.Ordinal))) + "\r\n";
        using var http = new HttpClient();
        for (int i = 0; i < count; i++)
        {
            using var content = new StringContent(offer, System.Text.Encoding.UTF8, "application/sdp");
            using HttpResponseMessage r = await http.PostAsync(url, content);
            string body = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == System.Net.HttpStatusCode.Created, $"warm-up POST {i}: {(int)r.StatusCode} {body}");
            Assert.Contains("a=fingerprint:", body, StringComparison.Ordinal);
            using HttpResponseMessage d = await http.DeleteAsync(new Uri(new Uri(url), r.Headers.Location!));
            Assert.True(d.IsSuccessStatusCode, $"warm-up DELETE {i}: {(int)d.StatusCode}");
        }
    }

    // Our DTLS 1.3 client against our server with the hybrid key share, as the sessions negotiate with Chromium.
    private static void WarmUpHandshakes(int count)
    {
        var clientCert = RtcStack.Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "warm-client");
        var serverCert = RtcStack.Dtls.DtlsCertificate.Generate(DateTimeOffset.UtcNow, commonName: "warm-server");
        var carried = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var co = new RtcStack.Dtls.DtlsOptions { Certificate = clientCert, MaxVersion = RtcStack.Dtls.DtlsVersion.Dtls13 };
            var so = new RtcStack.Dtls.DtlsOptions { Certificate = serverCert, MaxVersion = RtcStack.Dtls.DtlsVersion.Dtls13 };
            co.RemoteFingerprints.Add(serverCert.Fingerprint);
            so.RemoteFingerprints.Add(clientCert.Fingerprint);
            using var c = new RtcStack.Dtls.DtlsEndpoint(RtcStack.Dtls.DtlsRole.Client, co);
            using var s = new RtcStack.Dtls.DtlsEndpoint(RtcStack.Dtls.DtlsRole.Server, so);
            s.Start(TimeSpan.Zero);
            c.Start(TimeSpan.Zero);
            bool moved = true;
            while (moved)
            {
                moved = false;
                foreach ((RtcStack.Dtls.DtlsEndpoint from, RtcStack.Dtls.DtlsEndpoint to) in new[] { (c, s), (s, c) })
                {
                    carried.Clear();
                    while (from.TryPollTransmit(out ReadOnlyMemory<byte> d))
                    {
                        carried.Add(d.ToArray());
                    }

                    foreach (byte[] d in carried)
                    {
                        to.HandleDatagram(d, TimeSpan.Zero);
                        moved = true;
                    }
                }
            }

            Assert.Equal(RtcStack.Dtls.DtlsState.Connected, c.State);
        }
    }

    [Fact]
    public async Task ChromiumToRtcStackAgainstChromiumToChromium()
    {
        await using CallServer server = await CallServer.StartAsync();
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "WebRtc", "Pages", "connect.html"));
        await using TestPageHost loopbackHost = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/connect.html"] = page });
        // The WHIP server is the CallServer's host; it also needs the page.
        // When each WHIP POST arrived and was answered, on the session host's clock (to place the page's
        // HTTP time against the session's timeline).
        var posts = new System.Collections.Concurrent.ConcurrentQueue<(TimeSpan Arrived, TimeSpan Answered, string Connection, long PendingWork)>();
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // Per WHIP POST, ms after it reached the first middleware: response headers started, response completed.
        var postSteps = new System.Collections.Concurrent.ConcurrentQueue<double[]>();
        var answerSteps = new AnswerTimingLogger();
        server.Handler.Logger = answerSteps;
        await using TestPageHost ours = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/connect.html"] = page }, app =>
        {
            app.Use(async (ctx, next) =>
            {
                long arrivedTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                double arrivedWall = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
                TimeSpan arrived = server.Host.Now;
                long pending = ThreadPool.PendingWorkItemCount;
                int requestsOnConnection = connections.AddOrUpdate(ctx.Connection.Id, 1, (_, n) => n + 1);
                bool whip = ctx.Request.Method == "POST" && ctx.Request.Path == "/whip";
                long headersTicks = 0;
                double headersWall = 0;
                if (whip)
                {
                    ctx.Response.OnStarting(() =>
                    {
                        headersTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                        headersWall = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
                        return Task.CompletedTask;
                    });
                    ctx.Response.OnCompleted(() =>
                    {
                        long completed = System.Diagnostics.Stopwatch.GetTimestamp();
                        postSteps.Enqueue([
                            System.Diagnostics.Stopwatch.GetElapsedTime(arrivedTicks, headersTicks).TotalMilliseconds,
                            System.Diagnostics.Stopwatch.GetElapsedTime(arrivedTicks, completed).TotalMilliseconds,
                            arrivedTicks,
                            arrivedWall,
                            headersWall]);
                        return Task.CompletedTask;
                    });
                }

                await next(ctx);
                if (whip)
                {
                    posts.Enqueue((arrived, server.Host.Now, requestsOnConnection == 1 ? "new connection" : $"request {requestsOnConnection} on its connection", pending));
                }
            });
            RtcStack.WebRtc.Signalling.WhipEndpointRouteBuilderExtensions.MapWhip(app, "/whip", RtcStack.WebRtc.Signalling.WhipResourceKind.Whip, server.Handler);
            // The warm-up's own endpoint, the same handler without the per-client rate limit (its POSTs come back to back).
            RtcStack.WebRtc.Signalling.WhipEndpointRouteBuilderExtensions.MapWhip(
                app, "/warm", RtcStack.WebRtc.Signalling.WhipResourceKind.Whip, server.Handler, new RtcStack.WebRtc.Signalling.WhipEndpointOptions { SessionsPerSecondPerClient = 0 });
        });

        // RTCSTACK_CONNECT_TRACE=1 prints ICE and DTLS detail per connection (formatting the messages costs
        // time, so the numbers for the README are taken without it).
        bool trace = Environment.GetEnvironmentVariable("RTCSTACK_CONNECT_TRACE") == "1";
        var loggers = new System.Collections.Concurrent.ConcurrentQueue<TimelineLogger>();
        server.Options = transport =>
        {
            var logger = new TimelineLogger(() => server.Host.Now);
            loggers.Enqueue(logger);
            transport.Logger = trace ? logger : null;
            return new RtcStack.WebRtc.WebRtcSessionOptions
            {
                Transport = transport,
                Logger = trace ? logger : null,
                AnswerSetup = Environment.GetEnvironmentVariable("RTCSTACK_ANSWER_SETUP") == "passive" ? RtcStack.Sdp.SetupRole.Passive : RtcStack.Sdp.SetupRole.Active,
            };
        };
        // A server that has run a while has done its handshakes' crypto many times, and the JIT has re-compiled it
        // optimised; this fresh test process has not (its first ~150 DTLS 1.3 handshakes cost 2-3x their steady CPU,
        // `rtcstack bench handshakes`). So, as a running server, it first does RTCSTACK_CONNECT_WARM_HANDSHAKES (default
        // 300) in memory with the sessions' settings, then RTCSTACK_CONNECT_WARM_CALLS (default 200) WHIP POST + DELETE
        // cycles over HTTP (the signalling path); 0 and 0 measure a cold server.
        int warm = WarmHandshakes();
        var warmClock = System.Diagnostics.Stopwatch.StartNew();
        WarmUpHandshakes(warm);
        output.WriteLine($"server warmed with {warm} in-memory DTLS 1.3 handshakes in {warmClock.ElapsedMilliseconds} ms");
        int warmCalls = WarmCalls();
        warmClock.Restart();
        await WarmUpWhipAsync(ours.BaseAddress + "/warm", warmCalls);
        output.WriteLine($"server warmed with {warmCalls} WHIP POST + DELETE cycles (Chromium 156's offer without candidates, over HTTP on 127.0.0.1) in {warmClock.ElapsedMilliseconds} ms");
        int warmedCalls = server.Calls.Count;
        posts.Clear();
        connections.Clear();
        postSteps.Clear();
        answerSteps.Entries.Clear();
        (double[] oursMs, double[] oursAfterAnswer, double[][] oursPhases, double[][] oursDetails) = await RunAsync(ours, "ours");
        (double[] loopMs, double[] loopAfterAnswer, double[][] loopPhases, double[][] loopDetails) = await RunAsync(loopbackHost, "loopback");
        // Only the measured calls' POSTs (the page's own warm-up call is the first one).
        double[][] serverSteps = postSteps.ToArray().Skip(1).ToArray();
        double[][] handlerSteps = answerSteps.Entries.ToArray().Skip(1).ToArray();
        output.WriteLine($"breakdown, medians over {oursDetails.Length} calls per side, ms after createOffer was called:");
        output.WriteLine("  ours (page): offer created / set locally / fetch start / request sent / response started / response ended / fetch resolved / body read / answer applied = "
            + string.Join(" / ", Columns(oursDetails).Select(c => Median(c).ToString("0.0", CultureInfo.InvariantCulture))));
        output.WriteLine("  loopback (page): offer created / set locally / offer applied by pc2 / answer created / answer set locally by pc2 / answer applied by pc1 = "
            + string.Join(" / ", Columns(loopDetails).Select(c => Median(c).ToString("0.0", CultureInfo.InvariantCulture))));
        output.WriteLine("  ours (page), request sent -> response started: median "
            + Median(oursDetails.Select(d => d[4] - d[3]).ToArray()).ToString("0.00", CultureInfo.InvariantCulture) + " ms; fetch start -> request sent: median "
            + Median(oursDetails.Select(d => d[3] - d[2]).ToArray()).ToString("0.00", CultureInfo.InvariantCulture) + " ms; set locally -> fetch start: median "
            + Median(oursDetails.Select(d => d[2] - d[1]).ToArray()).ToString("0.00", CultureInfo.InvariantCulture) + " ms; response ended -> body read: median "
            + Median(oursDetails.Select(d => d[7] - d[5]).ToArray()).ToString("0.00", CultureInfo.InvariantCulture) + " ms");
        if (serverSteps.Length > 0)
        {
            output.WriteLine($"  ours (server, {serverSteps.Length} POSTs), ms after the POST reached the first middleware: response headers started / response completed = "
                + string.Join(" / ", Columns(serverSteps).Take(2).Select(c => Median(c).ToString("0.000", CultureInfo.InvariantCulture))));
        }

        // On the wall clock, to set against a packet capture of the loopback interface (tshark -i lo): how long Kestrel
        // took from the request's segments to the first middleware, and from the response headers to the 201 segment.
        output.WriteLine("  ours (server), each measured POST on the wall clock, Unix ms: reached the first middleware / response headers started: "
            + string.Join("; ", serverSteps.Select(p => p[3].ToString("0.000", CultureInfo.InvariantCulture) + "/" + p[4].ToString("0.000", CultureInfo.InvariantCulture))));
        if (handlerSteps.Length > 0 && handlerSteps.Length == serverSteps.Length)
        {
            // The handler's line is logged as it finishes: it started its total before that.
            double[] toHandler = serverSteps.Zip(handlerSteps, (p, h) => System.Diagnostics.Stopwatch.GetElapsedTime((long)p[2], (long)h[^1]).TotalMilliseconds - h[0]).ToArray();
            double[] afterHandler = serverSteps.Zip(handlerSteps, (p, h) => p[0] - System.Diagnostics.Stopwatch.GetElapsedTime((long)p[2], (long)h[^1]).TotalMilliseconds).ToArray();
            output.WriteLine("  ours (server): POST reached the first middleware -> handler started (routing, body read, checks): median "
                + Median(toHandler).ToString("0.000", CultureInfo.InvariantCulture) + " ms; handler done -> response headers started: median "
                + Median(afterHandler).ToString("0.000", CultureInfo.InvariantCulture) + " ms");
        }

        if (handlerSteps.Length > 0)
        {
            output.WriteLine($"  ours (handler, {handlerSteps.Length} offers), ms: answered in / session and sockets / offer applied / callbacks and sends / gathering / answer written = "
                + string.Join(" / ", Columns(handlerSteps).SkipLast(1).Select(c => Median(c).ToString("0.000", CultureInfo.InvariantCulture))));
        }

        output.WriteLine("page phases, ms after createOffer: offer set locally / WHIP answer received / answer applied / connected");
        output.WriteLine("  ours:     " + string.Join("; ", oursPhases.Select(Phases)));
        output.WriteLine("page phases, ms after createOffer: offer set locally / offer applied by the other pc / answer applied / connected");
        output.WriteLine("  loopback: " + string.Join("; ", loopPhases.Select(Phases)));
        output.WriteLine($"after the answer was applied: ours median {Median(oursAfterAnswer):0} ms, browser-to-browser median {Median(loopAfterAnswer):0} ms");
        output.WriteLine("Chromium -> RtcStack (ms): " + string.Join(", ", oursMs.Select(m => m.ToString("0", CultureInfo.InvariantCulture))) + $"; median {Median(oursMs):0}");
        output.WriteLine("Chromium -> Chromium (ms): " + string.Join(", ", loopMs.Select(m => m.ToString("0", CultureInfo.InvariantCulture))) + $"; median {Median(loopMs):0}");
        output.WriteLine($"ratio (ours / browser-to-browser) of medians: {Median(oursMs) / Median(loopMs):0.00}");
        output.WriteLine("our timelines (warm-up first), ms after the session was created for the offer; POST = the WHIP POST arrived, 201 = its answer was sent");
        (TimeSpan Arrived, TimeSpan Answered, string Connection, long PendingWork)[] postTimes = posts.ToArray();
        int index = 0;
        TimelineLogger[] logs = loggers.ToArray();
        foreach (ServerCall c in server.Calls.Skip(warmedCalls))
        {
            TimeSpan started = c.Resource.CreatedAt;
            if (trace && index < logs.Length)
            {
                foreach ((TimeSpan at, string what) in logs[index].Entries)
                {
                    output.WriteLine($"    {(at - started).TotalMilliseconds:0.0} {what}");
                }
            }

            TimeSpan start = c.Resource.CreatedAt;
            string http = index < postTimes.Length ? $"{(postTimes[index].Arrived - start).TotalMilliseconds:0} POST | " : "";
            string answered = index < postTimes.Length ? $" | 201 at {(postTimes[index].Answered - start).TotalMilliseconds:0} | POST was {postTimes[index].Connection}, {postTimes[index].PendingWork} queued thread-pool items" : "";
            index++;
            output.WriteLine(http + string.Join(" | ", c.Timeline.Where(t => !t.What.StartsWith("SessionCandidate", StringComparison.Ordinal)).Select(t => $"{(t.At - start).TotalMilliseconds:0} {t.What}")) + answered);
        }

        Assert.Equal(Repeat, oursMs.Length);
        Assert.Equal(Repeat, loopMs.Length);
    }

    private static string Phases(double[] p) => string.Join("/", p.Select(v => v.ToString("0", CultureInfo.InvariantCulture)));

    private static double[][] Columns(double[][] rows) =>
        rows.Length == 0 ? [] : Enumerable.Range(0, rows.Min(r => r.Length)).Select(i => rows.Select(r => r[i]).ToArray()).ToArray();

    private static async Task<(double[] Total, double[] AfterAnswer, double[][] Phases, double[][] Details)> RunAsync(TestPageHost host, string mode)
    {
        using HeadlessBrowser browser = HeadlessBrowser.Launch(BrowserKind.Chromium, $"{host.BaseAddress}/connect.html?mode={mode}&repeat={Repeat}");
        JsonElement r = await host.WaitForReportAsync("result", TimeSpan.FromSeconds(90), browser);
        Assert.True(r.GetProperty("ok").GetBoolean(), host.PageLog);
        return (
            r.GetProperty("times").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            r.GetProperty("splits").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            r.GetProperty("phases").EnumerateArray().Select(p => p.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray(),
            r.GetProperty("details").EnumerateArray().Select(p => p.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray());
    }

    private static double Median(double[] values)
    {
        double[] s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    // Keeps the WHIP handler's per-answer timing (its Debug "answered in" line): total, session and sockets, offer
    // applied, gathering, answer written, ms.
    private sealed class AnswerTimingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<double[]> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Any(v => v.Key == "Total"))
            {
                Entries.Enqueue(new[] { "Total", "Register", "Answer", "Activity", "Gather", "Describe" }.Select(k => Convert.ToDouble(values.First(v => v.Key == k).Value, CultureInfo.InvariantCulture)).Append(System.Diagnostics.Stopwatch.GetTimestamp()).ToArray());
            }
        }
    }
}
