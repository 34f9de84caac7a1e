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
/// session reports with their durations and end packets. (The RED cell with injected loss is not here yet: in the runs
/// of 2026-12-07 Chromium sent every packet as RED once it was listed first, but a third of the packets after an
/// injected drop carried no redundancy, so the cell's "no concealment" cannot hold as written; see the issue note.)
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
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {e.At.TotalMilliseconds:0} ms {e.Kind} {e.Digit} event {e.Event} duration {e.Duration.TotalMilliseconds:0} ms end {e.EndReceived}"));
        }

        // Four digits, each started and ended by its own E-bit report (none timed out), in order; W3C insertDTMF's
        // 100 ms duration is what the reports' timestamp units say, give or take the browser's 20 ms packet grid.
        SessionDtmfEvent[] ended = [.. events.Where(e => e.Kind == DtmfReportKind.Ended)];
        Assert.Equal("1#09", new string([.. ended.Select(e => e.Digit ?? '?')]));
        Assert.Equal("1#09", new string([.. events.Where(e => e.Kind == DtmfReportKind.Started).Select(e => e.Digit ?? '?')]));
        Assert.All(ended, e => Assert.True(e.EndReceived, $"digit {e.Digit} ended without its end packet"));
        Assert.All(ended, e => Assert.InRange(e.Duration.TotalMilliseconds, 80, 140));
        Assert.Equal(new byte[] { 1, 11, 0, 9 }, ended.Select(e => e.Event));

        // Tones came 170 ms apart at least (100 ms tone + 70 ms gap).
        for (int i = 1; i < ended.Length; i++)
        {
            Assert.True(ended[i].At - ended[i - 1].At >= TimeSpan.FromMilliseconds(150), $"digits {i - 1} and {i} ended {(ended[i].At - ended[i - 1].At).TotalMilliseconds:0} ms apart");
        }
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
