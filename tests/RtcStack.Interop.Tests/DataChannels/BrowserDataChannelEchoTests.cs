using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Sctp.DataChannels;
using RtcStack.Sdp;
using RtcStack.TestSupport;
using RtcStack.TestSupport.Browsers;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Transport;
using Xunit;
using Xunit.Abstractions;

namespace RtcStack.Interop.Tests.DataChannels;

/// <summary>
/// Data channels with a real browser: the page opens a data-only PeerConnection with two channels (ordered and reliable
/// with a subprotocol; unordered with maxRetransmits 0), offers, and a <see cref="WebRtcSession"/> on a
/// <see cref="UdpSessionHost"/> answers (m=application in the BUNDLE group, RFC 8841), runs SCTP over the DTLS
/// association (RFC 8261), accepts the browser's DATA_CHANNEL_OPENs (RFC 8832) and echoes every message. The page
/// checks text, unicode, empty, binary and a 64 KiB message byte for byte, then closes a channel (RFC 8831 §6.7).
/// </summary>
[Trait("Category", "Interop")]
public sealed class BrowserDataChannelEchoTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(BrowserKind.Chromium, SetupRole.Active)]
    [InlineData(BrowserKind.Chromium, SetupRole.Passive)]
    [InlineData(BrowserKind.Firefox, SetupRole.Active)]
    [InlineData(BrowserKind.Firefox, SetupRole.Passive)]
    public async Task TheBrowsersMessagesComeBackByteForByte(BrowserKind browser, SetupRole ourSetup)
    {
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "DataChannels", "Pages", "dc-echo.html"));
        using var host = new UdpSessionHost();
        var echoes = new List<DataChannelEcho>();
        string? offerSeen = null;
        await using TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/dc-echo.html"] = page }, app =>
        {
            app.MapPost("/dc-echo", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string offer = await reader.ReadToEndAsync();
                offerSeen = offer;
                var session = new WebRtcSession(new WebRtcSessionOptions { AnswerSetup = ourSetup });
                var echo = new DataChannelEcho(session);
                UdpSessionHandle handle = host.Add(session, (_, now) => echo.Pump(now));
                echo.Handle = handle;
                lock (echoes)
                {
                    echoes.Add(echo);
                }

                (bool ok, string text) = handle.Invoke(now => session.TryAcceptOffer(offer, now, out string? answer, out RtcStack.Sdp.Jsep.JsepError? error)
                    ? (true, answer)
                    : (false, error.ToString()));
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} /dc-echo: {(ok ? "answered" : "refused: " + text)}");
                ctx.Response.StatusCode = ok ? 201 : 422;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(text);
            });
        });

        JsonElement result;
        using (HeadlessBrowser b = HeadlessBrowser.Launch(browser, web.BaseAddress + "/dc-echo.html"))
        {
            result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), b);
        }

        output.WriteLine(result.ToString());
        DataChannelEcho e = Assert.Single(echoes);
        try
        {
            foreach (string line in host.Invoke(e.Handle!, _ => e.Log.ToList()))
            {
                output.WriteLine(line);
            }

            Assert.False(result.TryGetProperty("error", out JsonElement err), err.ToString());
            Assert.Contains("m=application", offerSeen, StringComparison.Ordinal);
            Assert.Equal("connected", result.GetProperty("connection").GetString());
            foreach (JsonElement r in result.GetProperty("results").EnumerateArray())
            {
                Assert.True(r.GetProperty("ok").GetBoolean(), r.ToString());
            }

            Assert.Equal(6, result.GetProperty("results").GetArrayLength());
            Assert.Equal(Enumerable.Range(0, 10), result.GetProperty("looseBack").EnumerateArray().Select(x => x.GetInt32()).Order());
            Assert.Equal("rtcstack-echo", result.GetProperty("echoProtocol").GetString());

            // RFC 8832 §6: the browser's stream ids have the parity of its DTLS role (we are the client with setup active).
            int echoId = result.GetProperty("echoId").GetInt32();
            Assert.Equal(ourSetup == SetupRole.Active ? 1 : 0, echoId % 2);

            // The page closed "echo" (RFC 8831 §6.7): both directions were reset and we saw it close.
            Assert.Equal("closed", result.GetProperty("closed").GetString());
            Assert.True(host.Invoke(e.Handle!, _ => e.Closed.Contains("echo")), "we saw no close of the echo channel");
            (long messages, long bytes) = host.Invoke(e.Handle!, _ => (e.MessagesEchoed, e.BytesEchoed));
            output.WriteLine($"echoed {messages} messages, {bytes} bytes");
            Assert.Equal(16, messages);
        }
        finally
        {
            host.Invoke(e.Handle!, now => e.Session.Close(now));
        }
    }

    /// <summary>Echoes every data channel message on the channel it came on, as text or binary as it was sent.</summary>
    private sealed class DataChannelEcho(WebRtcSession session)
    {
        public WebRtcSession Session { get; } = session;

        public UdpSessionHandle? Handle { get; set; }

        public List<string> Log { get; } = [];

        public HashSet<string> Closed { get; } = [];

        public long MessagesEchoed { get; private set; }

        public long BytesEchoed { get; private set; }

        public void Pump(TimeSpan now)
        {
            while (Session.TryPollEvent(out SessionEvent? e))
            {
                if (e is not SessionDataChannelEvent { Event: DataChannelEvent d })
                {
                    continue;
                }

                switch (d)
                {
                    case DataChannelMessageEvent m when m.Channel.State == DataChannelState.Open:
                        if (m.IsString)
                        {
                            Session.SendDataChannelText(m.Channel, Encoding.UTF8.GetString(m.Data), now);
                        }
                        else
                        {
                            Session.SendDataChannelMessage(m.Channel, m.Data, now);
                        }

                        MessagesEchoed++;
                        BytesEchoed += m.Data.Length;
                        break;
                    case DataChannelMessageEvent:
                        break;
                    case DataChannelOpenEvent o:
                        Log.Add($"{now.TotalMilliseconds:0} ms: open {o.Channel.Id} '{o.Channel.Label}' protocol '{o.Channel.Protocol}' ordered {o.Channel.Ordered} maxRetransmits {o.Channel.MaxRetransmits}");
                        break;
                    case DataChannelClosedEvent c:
                        Closed.Add(c.Channel.Label);
                        Log.Add($"{now.TotalMilliseconds:0} ms: closed {c.Channel.Id} '{c.Channel.Label}'");
                        break;
                    default:
                        Log.Add($"{now.TotalMilliseconds:0} ms: {d}");
                        break;
                }
            }
        }
    }
}
