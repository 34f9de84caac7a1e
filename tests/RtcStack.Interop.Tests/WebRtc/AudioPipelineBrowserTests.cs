using System.Globalization;
using System.Text.Json;
using RtcStack.Rtp.Dtmf;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Jsep;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// Issue 17's browser cells for the audio pipeline: both browsers send RFC 4733 digits with RTCDTMFSender, which our
/// session reports with their durations and end packets; Chromium's RFC 2198 redundancy recovers injected loss.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class AudioPipelineBrowserTests
{
    private const int CallSeconds = 6;
    private readonly ITestOutputHelper _output;

    public AudioPipelineBrowserTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(BrowserKind.Chromium)]
    [InlineData(BrowserKind.Firefox)]
    public async Task RtcDtmfSender_DigitsArriveWithTheirDurationsAndEndPackets(BrowserKind browser)
    {
        LibOpusReference.Require();
        await using CallServer server = await CallServer.StartAsync();
        server.Options = transport => new WebRtcSessionOptions { Transport = transport, AudioCodecs = JsepOptions.AudioCodecsWithRedAndTelephoneEvents };
        (JsonElement result, ServerCall call) = await RunAsync(server, browser, (browser == BrowserKind.Firefox ? "&src=mic" : "") + "&dtmf=1%2309");

        JsonElement dtmf = result.GetProperty("dtmf");
        _output.WriteLine("page: " + dtmf.GetRawText());
        Assert.True(dtmf.GetProperty("canInsertDTMF").GetBoolean());
        string answer = result.GetProperty("sdp").GetProperty("remote").GetString()!;
        _output.WriteLine("our answer: " + Line(answer, "m=audio") + " / " + string.Join(" ", answer.Split("\r\n").Where(l => l.Contains("telephone-event", StringComparison.Ordinal))));

        SessionDtmfEvent[] events = [.. call.Events.OfType<SessionDtmfEvent>()];
        foreach (SessionDtmfEvent e in events)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {e.At.TotalMilliseconds:0} ms {e.Kind} {e.Digit} event {e.Event} duration {e.Duration.TotalMilliseconds:0} ms end {e.EndReceived} rtp timestamp {e.RtpTimestamp} at {e.ClockRate} Hz"));
        }

        // Four digits, each started and ended by its own E-bit report (none timed out), in order; W3C insertDTMF's
        // 100 ms duration is what the reports' timestamp units say, give or take the browser's 20 ms packet grid.
        SessionDtmfEvent[] ended = [.. events.Where(e => e.Kind == DtmfReportKind.Ended)];
        Assert.Equal("1#09", new string([.. ended.Select(e => e.Digit ?? '?')]));
        Assert.Equal("1#09", new string([.. events.Where(e => e.Kind == DtmfReportKind.Started).Select(e => e.Digit ?? '?')]));
        Assert.All(ended, e => Assert.True(e.EndReceived, $"digit {e.Digit} ended without its end packet"));
        Assert.All(ended, e => Assert.InRange(e.Duration.TotalMilliseconds, 80, 140));
        Assert.Equal(new byte[] { 1, 11, 0, 9 }, ended.Select(e => e.Event));

        // The tones began 170 ms apart at least (100 ms tone + 70 ms gap) on the sender's RTP clock: the events' RFC 4733
        // timestamps as the browser wrote them (reported through the session's event). Both browsers send the events
        // on the Opus stream's SSRC and advance their timestamps on its 48 kHz clock, while the durations are in the
        // negotiated telephone-event/8000 units (measured 2026-12-07: Chromium 11,520 units between tones the page
        // started 242 ms apart, Firefox 7,680-8,640 for 171-181 ms). Arrival times are not compared: with Chromium
        // 156.0.8078.129 and Firefox ESR 153.8 each digit's reports came in a burst, and the arrival spacing varied
        // from 134 to 1,168 ms run to run.
        const double StreamClockRate = 48_000;
        for (int i = 1; i < ended.Length; i++)
        {
            double apartMs = unchecked(ended[i].RtpTimestamp - ended[i - 1].RtpTimestamp) * 1000.0 / StreamClockRate;
            Assert.True(apartMs >= 150, $"digits {i - 1} and {i} began {apartMs:0} ms apart on the sender's 48 kHz clock");
        }
    }

    /// <summary>
    /// RFC 2198 from Chromium with injected loss: the page lists audio/red first, so Chromium wraps each Opus frame in RED
    /// with the previous frame as a redundant block; the host drops every tenth RTP packet from the browser before the
    /// session (the header is clear in SRTP, so the filter sees the payload type). Every dropped RED packet whose
    /// successor carried redundancy comes back from that successor: the session reports it recovered, the Opus receiver
    /// decodes it in order and conceals nothing for it.
    /// </summary>
    [Fact]
    public async Task Red_FromChromium_RecoversEveryDroppedFrameFromTheNextPacket()
    {
        LibOpusReference.Require();
        const byte RedPt = 63;
        long rtpSeen = 0, droppedRed = 0, droppedOther = 0;
        var hostOptions = new RtcStack.WebRtc.Io.UdpSessionHostOptions
        {
            IncomingFilter = (remote, datagram) =>
            {
                // RTP (RFC 7983: first byte 128-191) and not RTCP (RFC 5761 §4: second byte 192-223).
                bool rtp = datagram.Length >= 12 && datagram[0] is >= 128 and <= 191 && datagram[1] is not (>= 192 and <= 223);
                if (!rtp || Interlocked.Increment(ref rtpSeen) % 10 != 0)
                {
                    return true;
                }

                // Chromium's padding-only packets (RFC 3550 §5.1 P bit; bandwidth probes) carry the same payload type.
                bool padding = (datagram[0] & 0x20) != 0;
                Interlocked.Increment(ref (datagram[1] & 0x7F) == RedPt && !padding ? ref droppedRed : ref droppedOther);
                return false;
            },
        };
        await using CallServer server = await CallServer.StartAsync(hostOptions);
        server.Options = transport => new WebRtcSessionOptions { Transport = transport, AudioCodecs = JsepOptions.AudioCodecsWithRedAndTelephoneEvents };
        (JsonElement result, ServerCall call) = await RunAsync(server, BrowserKind.Chromium, "&red=1");
        string answer = result.GetProperty("sdp").GetProperty("remote").GetString()!;
        _output.WriteLine("our answer: " + Line(answer, "m=audio"));
        SessionMediaCounters c = call.Resource.Session.MediaCounters;
        OpusAudioReceiver rx = call.Receiver;
        _output.WriteLine($"RTP seen {rtpSeen}, dropped {droppedRed} RED and {droppedOther} other (padding, or payload type not {RedPt}); RED payloads received {c.RedPayloadsReceived}, without redundancy {c.RedPayloadsWithoutRedundancy}, recovered {c.RedRecoveredFrames}, malformed {c.MalformedRed}");
        _output.WriteLine($"frames from the session {call.FramesReceived} (recovered {call.FramesRecovered}); receiver decoded {rx.FramesDecoded}, refused {rx.FramesRefused}, errors {rx.DecodeErrors}, concealed {rx.ConcealedSamples} samples, FEC {rx.FecSamples} samples");
        _output.WriteLine($"SRTP packets received {call.Resource.Session.Transport.Counters.SrtpPacketsReceived}, unknown payload type {c.UnknownPayloadType}");

        // Chromium sent RED (the answer kept it first) and the drops hit it.
        Assert.StartsWith($"m=audio {Line(answer, "m=audio").Split(' ')[1]} UDP/TLS/RTP/SAVPF {RedPt} ", Line(answer, "m=audio"), StringComparison.Ordinal);
        Assert.True(c.RedPayloadsReceived > 200, $"{c.RedPayloadsReceived} RED payloads");
        Assert.True(droppedRed >= 15, $"{droppedRed} RED packets dropped");
        Assert.Equal(0, c.MalformedRed);

        // Each drop is recovered unless its successor had no redundant block, or it was the call's last packet.
        long unrecoverable = c.RedPayloadsWithoutRedundancy + 1;
        Assert.InRange(c.RedRecoveredFrames, droppedRed - unrecoverable, droppedRed);
        Assert.Equal(c.RedRecoveredFrames, call.FramesRecovered);

        // The receiver decoded every frame the session handed up, recovered ones in their place, and concealed at most
        // the frames that could not be recovered (960 samples per 20 ms frame).
        Assert.Equal(0, rx.FramesRefused);
        Assert.Equal(0, rx.DecodeErrors);
        Assert.Equal(call.FramesReceived, rx.FramesDecoded);
        Assert.InRange(rx.ConcealedSamples, 0, (droppedRed - c.RedRecoveredFrames) * 960);
    }

    private async Task<(JsonElement Result, ServerCall Call)> RunAsync(CallServer server, BrowserKind browser, string extra)
    {
        string url = $"{server.Web.BaseAddress}/call.html?mode=browser-offer&send=440&expect=660&seconds={CallSeconds}" + extra;
        JsonElement result;
        using (HeadlessBrowser b = HeadlessBrowser.Launch(browser, url))
        {
            result = await server.Web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), b);
            if (!result.GetProperty("ok").GetBoolean())
            {
                _output.WriteLine(server.Web.PageLog);
                Assert.Fail("page failed: " + result.GetProperty("error").GetString());
            }

            await Task.Delay(300);
        }

        Assert.True(server.Calls.TryPeek(out ServerCall? call), "no session was created");
        return (result, call!);
    }

    private static string Line(string sdp, string prefix) => sdp.Split("\r\n").First(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
