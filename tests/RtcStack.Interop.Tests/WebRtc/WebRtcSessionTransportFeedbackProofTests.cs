using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Congestion;
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
/// <see cref="TransportFeedbackProofTests"/> on session core v2: does Chromium use the transport-wide congestion control
/// feedback of a <see cref="WebRtcSession"/>? Two otherwise equal calls (call.html, the browser's tone offered over a
/// WHIP-style POST, our session echoing it back; transport-cc negotiated in both): in one our session sends feedback,
/// in the other it does not (<see cref="WebRtcSessionOptions.SendTransportFeedback"/>). Chromium's send-side estimate
/// (candidate-pair availableOutgoingBitrate, sampled every 250 ms) holds with our feedback and backs off by 20 % steps
/// without it (GoogCC's reaction to overdue feedback). The other way round, Chromium's own feedback about the packets
/// we echo (each with our transport-wide sequence number) reaches our congestion controller hook, every entry matched to
/// a packet we sent.
/// </summary>
[Trait("Category", "Interop")]
[Collection(QuietMachineCollection.Name)]
public sealed class WebRtcSessionTransportFeedbackProofTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ChromiumEstimateHoldsWithOurSessionsFeedbackAndBacksOffWithout()
    {
        Call with = await CallAsync(sendFeedback: true);
        Call without = await CallAsync(sendFeedback: false);
        output.WriteLine("with our TWCC feedback:    " + string.Join(", ", with.Estimates));
        output.WriteLine("without our TWCC feedback: " + string.Join(", ", without.Estimates));
        foreach ((string name, Call call) in new[] { ("with", with), ("without", without) })
        {
            output.WriteLine($"{name}: we stamped {call.Stamped}, recorded {call.Recorded} of Chromium's packets and sent {call.FeedbackSent} feedback packets; "
                + $"received {call.FeedbackReceived} from Chromium: {call.Reported} results ({call.ReportedLost} lost, {call.Unknown} unknown), {call.ControllerResults} to our controller");
        }

        Assert.True(with.Estimates.Length >= 8 && without.Estimates.Length >= 8, $"{with.Estimates.Length} and {without.Estimates.Length} samples");
        Assert.True(with.Estimates.Min() >= with.Estimates[0] * 0.95, "the estimate fell although we sent feedback");
        Assert.True(without.Estimates[^1] < without.Estimates.Max() * 0.85, "the estimate did not back off without our feedback");

        // Our side of it: feedback went out only when asked; the packets we echoed were stamped and Chromium reported on
        // them, each entry a packet we had sent, and the controller got every result.
        Assert.True(with.FeedbackSent >= 10, $"{with.FeedbackSent} feedback packets sent");
        Assert.True(with.Recorded > 100, $"{with.Recorded} arrivals recorded");
        Assert.Equal(0, without.FeedbackSent);
        foreach (Call call in new[] { with, without })
        {
            Assert.True(call.Stamped > 100, $"{call.Stamped} packets stamped");
            Assert.True(call.FeedbackReceived >= 10, $"{call.FeedbackReceived} feedback packets from Chromium");
            Assert.True(call.Reported > 100, $"{call.Reported} results");
            Assert.Equal(0, call.Unknown);
            Assert.Equal(call.Reported, call.ControllerResults);
        }
    }

    private async Task<Call> CallAsync(bool sendFeedback)
    {
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "WebRtc", "Pages", "call.html"));
        using var host = new UdpSessionHost();
        var controller = new CountingController();
        SessionEcho? echo = null;
        await using TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/call.html"] = page }, app =>
        {
            // call.html's browser-offer mode: POST the offer, 201 with the answer and a resource (its DELETE at the end
            // is not needed: the test closes the session).
            app.MapPost("/whip", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string offer = await reader.ReadToEndAsync();
                var session = new WebRtcSession(new WebRtcSessionOptions
                {
                    Transport = new WebRtcTransportOptions { Certificate = CallServer.Certificate.Value },
                    SendTransportFeedback = sendFeedback,
                    CongestionController = controller,
                });
                var e = new SessionEcho(session);
                UdpSessionHandle handle = host.Add(session, (_, now) => e.Pump(now));
                e.Handle = handle;
                echo = e;
                (bool ok, string text) = handle.Invoke(now =>
                {
                    if (!session.TrySetRemoteOffer(offer, now, out RtcStack.Sdp.Jsep.JsepError? error))
                    {
                        return (false, error.ToString());
                    }

                    foreach (Transceiver t in session.Jsep.Transceivers)
                    {
                        t.Direction = MediaDirection.SendRecv;
                    }

                    return (true, session.CreateAnswer(now));
                });
                ctx.Response.StatusCode = ok ? 201 : 422;
                ctx.Response.Headers.Location = "/whip/1";
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(text);
            });
        });

        using HeadlessBrowser b = HeadlessBrowser.Launch(BrowserKind.Chromium, $"{web.BaseAddress}/call.html?mode=browser-offer&seconds=4");
        JsonElement result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), b);
        Assert.True(result.GetProperty("ok").GetBoolean(), web.PageLog);
        Assert.NotNull(echo);
        output.WriteLine($"echoed {echo.AudioEchoed} audio packets");
        Call call = host.Invoke(echo.Handle!, now =>
        {
            SessionFeedbackCounters c = echo.Session.FeedbackCounters;
            var snapshot = new Call(
                echo.Session.TransportWideCcNegotiated,
                result.GetProperty("estimates").EnumerateArray().Select(x => x.GetDouble()).ToArray(),
                c.PacketsStamped, c.PacketsRecorded, c.TransportFeedbackSent, c.TransportFeedbackReceived, c.PacketsReported, c.PacketsReportedLost, c.UnknownPacketsReported, controller.Results);
            echo.Session.Close(now);
            return snapshot;
        });
        Assert.True(call.Negotiated, "transport-cc was not negotiated");
        return call;
    }

    private sealed record Call(bool Negotiated, double[] Estimates, long Stamped, long Recorded, long FeedbackSent, long FeedbackReceived, long Reported, long ReportedLost, long Unknown, long ControllerResults);

    /// <summary>A congestion controller that counts the per-packet results it is given (the hook under test).</summary>
    private sealed class CountingController : ICongestionController
    {
        public long Results { get; private set; }

        public string Name => "counting";

        public long TargetBitrateBps => 300_000;

        public long PacingRateBps => 300_000;

        public long PaddingRateBps => 0;

        public void OnPacketSent(in SentPacket packet)
        {
        }

        public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now) => Results += feedback.Length;

        public void OnRoundTripTime(TimeSpan rtt, TimeSpan now)
        {
        }

        public void OnSendQueue(long queuedBytes, TimeSpan now)
        {
        }

        public void HandleTimeout(TimeSpan now)
        {
        }

        public TimeSpan PollTimeout() => TimeSpan.MaxValue;

        public bool TryPollProbe(out ProbeClusterConfig probe)
        {
            probe = default;
            return false;
        }
    }
}
