using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
/// Renegotiation cells of session core v2 with a real browser (renegotiate.html): an audio call to a
/// <see cref="WebRtcSession"/> that echoes; the browser adds a video track, stops it (m-line to port 0), adds video
/// again (the m-line is recycled); then our session offers an audio track of its own. Media keeps flowing through
/// each change.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class RenegotiationTests(ITestOutputHelper output, RenegotiationMatrix matrix) : IClassFixture<RenegotiationMatrix>
{
    /// <remarks>
    /// Firefox runs the first four steps only: after our own offer (a second audio section with the same Opus payload
    /// type) Firefox 153 restarted the statistics of the first audio receiver at the new track's count, which is not
    /// understood yet (issue 13 note). Both browsers restart ICE by a full offer (step 5) and Chromium answers our
    /// restarting offer (step 7); Firefox 153 starts its receivers' statistics again after an ICE restart, so flow is
    /// measured within a window after each restart.
    /// </remarks>
    [Theory]
    [InlineData(BrowserKind.Chromium, true)]
    [InlineData(BrowserKind.Firefox, false)]
    public async Task AddStopReAddVideoAndOurOwnOfferKeepMediaFlowing(BrowserKind browser, bool ourOffer)
    {
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "WebRtc", "Pages", "renegotiate.html"));
        // On a UdpEventLoop (one epoll thread), as `rtcstack serve` runs its calls: without one the host's per-session
        // receives are thread-pool continuations, and in CI this cell saw our session get no datagram at all for about
        // 1 s (audio included) while the browser's getStats counted its packets sent and none lost: they waited in the
        // kernel until our receive ran (RealTimePeersCollection has the numbers).
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { EventLoop = loop });
        SessionEcho? echo = null;
        var log = new List<string>();

        async Task Reply(HttpContext ctx, bool ok, string text)
        {
            lock (log)
            {
                log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {ctx.Request.Path}: {(ok ? "ok" : text)}");
            }

            ctx.Response.StatusCode = ok ? 201 : 422;
            ctx.Response.ContentType = "application/sdp";
            await ctx.Response.WriteAsync(text);
        }

        (bool, string) AnswerOffer(WebRtcSession session, string offer, TimeSpan now)
        {
            if (!session.TrySetRemoteOffer(offer, now, out RtcStack.Sdp.Jsep.JsepError? error))
            {
                return (false, error.ToString());
            }

            foreach (Transceiver t in session.Jsep.Transceivers)
            {
                if (!t.Stopped && !t.Stopping && (t.Mid is null || t.CurrentDirection is null))
                {
                    t.Direction = MediaDirection.SendRecv;
                }
            }

            return (true, session.CreateAnswer(now));
        }

        await using TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/renegotiate.html"] = page }, app =>
        {
            app.MapPost("/echo", async (HttpContext ctx) =>
            {
                string offer = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
                var session = new WebRtcSession(new WebRtcSessionOptions { Transport = new WebRtcTransportOptions { Certificate = CallServer.Certificate.Value } });
                echo = new SessionEcho(session);
                echo.Handle = host.Add(session, (_, now) => echo.Pump(now));
                (bool ok, string text) = echo.Handle.Invoke(now => AnswerOffer(session, offer, now));
                await Reply(ctx, ok, text);
            });
            app.MapPost("/echo/renegotiate", async (HttpContext ctx) =>
            {
                string offer = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
                (bool ok, string text) = echo!.Handle!.Invoke(now =>
                {
                    try
                    {
                        return AnswerOffer(echo.Session, offer, now);
                    }
                    catch (Exception e)
                    {
                        // Reported to the page and the log rather than a bare 500, so a failure says what threw.
                        return (false, e.ToString());
                    }
                });
                await Reply(ctx, ok, text);
            });
            app.MapPost("/echo/offer", async (HttpContext ctx) =>
            {
                bool iceRestart = ctx.Request.Query.ContainsKey("icerestart");
                string offer = echo!.Handle!.Invoke(now =>
                {
                    if (iceRestart)
                    {
                        return echo.Session.CreateOffer(now, iceRestart: true);
                    }

                    echo.ExtraAudio = echo.Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendOnly);
                    return echo.Session.CreateOffer(now);
                });
                lock (log)
                {
                    log.Add(offer);
                }

                await Reply(ctx, true, offer);
            });
            app.MapPost("/echo/answer", async (HttpContext ctx) =>
            {
                string answer = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
                RtcStack.Sdp.Jsep.JsepError? error = null;
                bool ok = echo!.Handle!.Invoke(now => echo.Session.TryApplyAnswer(answer, now, out error));
                await Reply(ctx, ok, ok ? "" : error!.ToString());
            });
        });

        JsonElement result;
        using (HeadlessBrowser b = HeadlessBrowser.Launch(browser, web.BaseAddress + "/renegotiate.html" + (ourOffer ? "" : "?ouroffer=0")))
        {
            try
            {
                result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(90), b);
            }
            finally
            {
                output.WriteLine(string.Join('\n', log));
            }
        }

        output.WriteLine(result.ToString());
        string? failure = null;
        try
        {
            Assert.False(result.TryGetProperty("error", out JsonElement err), err.ToString());
            JsonElement[] steps = [.. result.GetProperty("steps").EnumerateArray()];
            string[] expected = ourOffer
                ? ["audio", "add-video", "stop-video", "re-add-video", "browser-ice-restart", "our-offer", "our-ice-restart"]
                : ["audio", "add-video", "stop-video", "re-add-video", "browser-ice-restart"];
            Assert.Equal(expected, steps.Select(s => s.GetProperty("step").GetString()));
            Assert.Equal("connected", steps[0].GetProperty("connection").GetString());

            // Audio keeps coming back through every change. After an ICE restart Firefox 153 starts its receivers'
            // statistics again, so there the count is taken within a 2-s window from 1 s after the change (about 100
            // packets of 20 ms audio, about 60 frames of 30 fps video).
            long previous = 0;
            foreach (JsonElement s in steps)
            {
                long packets = s.GetProperty("audio").GetProperty("packets").GetInt64();
                if (s.TryGetProperty("window", out JsonElement window))
                {
                    long inWindow = packets - window.GetProperty("audio").GetProperty("packets").GetInt64();
                    long frames = s.GetProperty("video").GetProperty("frames").GetInt64() - window.GetProperty("video").GetProperty("frames").GetInt64();
                    Assert.True(inWindow > 50 && frames > 20, $"{s.GetProperty("step")}: {inWindow} audio packets and {frames} video frames in 2 s: {s}");
                }
                else
                {
                    Assert.True(packets > previous + 25, $"{s.GetProperty("step")}: audio packets {packets} after {previous}");
                }

                previous = packets;
            }

            // Video added to the audio call comes back decoded.
            Assert.True(steps[1].GetProperty("video").GetProperty("frames").GetInt64() > 10, $"add-video: {steps[1]}");

            // Stopping it rejects its m-line (port 0, RFC 8829 §5.2.2); adding video again reuses that m-line with a new mid.
            string stoppedLine = Assert.Single(steps[2].GetProperty("videoLines").EnumerateArray()).GetString()!;
            Assert.StartsWith("m=video 0 ", stoppedLine, StringComparison.Ordinal);
            Assert.Equal(steps[1].GetProperty("mlines").GetInt32(), steps[3].GetProperty("mlines").GetInt32());
            Assert.NotEqual(steps[1].GetProperty("mid").GetString(), steps[3].GetProperty("mid").GetString());
            Assert.True(steps[3].GetProperty("video").GetProperty("frames").GetInt64() > 10, $"re-add-video: {steps[3]}");

            // An ICE restart by the browser's offer: both sides have new credentials (our answer restarts too, RFC 8839
            // §4.4.1.1.1), the browser selected a new pair whose checks were answered, and video kept coming.
            CheckIceRestart(steps[4], "browser-ice-restart");

            if (ourOffer)
            {
                // Our own offer added an audio track the browser receives, and the video kept flowing.
                Assert.Equal(1, steps[5].GetProperty("added").GetInt32());
                Assert.Equal("audio", steps[5].GetProperty("addedKind").GetString());
                Assert.True(steps[5].GetProperty("addedReceived").GetProperty("packets").GetInt64() > 25, $"our-offer: {steps[5]}");
                Assert.True(steps[5].GetProperty("video").GetProperty("frames").GetInt64() > steps[4].GetProperty("video").GetProperty("frames").GetInt64() + 30, $"our-offer: {steps[5]}");

                // Our offer restarting ICE (RFC 8829 §5.2.1): the same, the other way round.
                CheckIceRestart(steps[6], "our-ice-restart");
            }

            // Our side ends on the credentials the browser last saw as ours, on a pair (new at the last restart) whose
            // checks went both ways with the current credentials.
            JsonElement last = steps[^1].GetProperty("after");
            (string ourUfrag, long requestsReceived, long responsesReceived) = echo!.Handle!.Invoke(_ =>
                (echo.Session.Transport.LocalCredentials.Ufrag, echo.Session.Transport.SelectedPair?.RequestsReceived ?? 0, echo.Session.Transport.SelectedPair?.ResponsesReceived ?? 0));
            Assert.Equal(last.GetProperty("remote").GetString(), ourUfrag);
            Assert.True(requestsReceived >= 1 && responsesReceived >= 1, $"our last pair: {requestsReceived} requests received, {responsesReceived} responses received");
        }
        catch (Exception ex)
        {
            failure = ex.Message.Split('\n')[0];
            throw;
        }
        finally
        {
            AddRows(browser, result, failure);
        }
    }

    private static void CheckIceRestart(JsonElement step, string name)
    {
        JsonElement before = step.GetProperty("before"), after = step.GetProperty("after");
        Assert.NotEqual(before.GetProperty("local").GetString(), after.GetProperty("local").GetString());
        Assert.NotEqual(before.GetProperty("remote").GetString(), after.GetProperty("remote").GetString());
        Assert.True(after.GetProperty("pair").ValueKind == JsonValueKind.Object, $"{name}: the browser has no selected pair: {step}");
        Assert.NotEqual(before.GetProperty("pair").GetProperty("id").GetString(), after.GetProperty("pair").GetProperty("id").GetString());
        Assert.True(after.GetProperty("pair").GetProperty("responsesReceived").GetInt64() >= 1, $"{name}: {step}");
    }

    private void AddRows(BrowserKind browser, JsonElement result, string? failure)
    {
        if (!result.TryGetProperty("steps", out JsonElement steps) || steps.ValueKind != JsonValueKind.Array)
        {
            matrix.Add(new RenegotiationRow(browser.ToString(), "-", failure ?? "no steps reported", result.ToString()));
            return;
        }

        foreach (JsonElement s in steps.EnumerateArray())
        {
            var parts = new List<string>();
            if (s.TryGetProperty("audio", out JsonElement a) && a.TryGetProperty("packets", out JsonElement ap))
            {
                parts.Add($"audio packets {ap}");
            }

            if (s.TryGetProperty("video", out JsonElement v) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("frames", out JsonElement vf))
            {
                parts.Add($"video frames decoded {vf}");
            }

            if (s.TryGetProperty("mlines", out JsonElement ml))
            {
                parts.Add($"{ml} m-lines");
            }

            if (s.TryGetProperty("videoLines", out JsonElement vl) && vl.ValueKind == JsonValueKind.Array)
            {
                parts.Add("video m-line: " + string.Join(", ", vl.EnumerateArray().Select(x => x.GetString()?.Split(' ').Take(2).Aggregate((p, q) => p + " " + q))));
            }

            if (s.TryGetProperty("addedKind", out JsonElement ak))
            {
                parts.Add($"our offer added {ak}" + (s.TryGetProperty("addedReceived", out JsonElement ar) && ar.TryGetProperty("packets", out JsonElement arp) ? $", {arp} packets of it received" : ""));
            }

            matrix.Add(new RenegotiationRow(browser.ToString(), s.TryGetProperty("step", out JsonElement st) ? st.GetString() ?? "?" : "?", failure, string.Join("; ", parts)));
        }
    }
}
