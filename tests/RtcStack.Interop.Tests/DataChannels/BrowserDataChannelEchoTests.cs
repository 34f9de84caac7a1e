using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RtcStack.Dtls;
using RtcStack.Interop.Tests.WebRtc;
using RtcStack.Sctp;
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
/// checks text, unicode, empty, binary and a 64 KiB message byte for byte, echoes the two messages the session sends
/// on a channel it opens itself, then closes a channel (RFC 8831 §6.7). Both DTLS roles when the browser offers, and
/// once with the session offering the data section (actpass) and the browser answering.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class BrowserDataChannelEchoTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(BrowserKind.Chromium, SetupRole.Active, false, false)]
    [InlineData(BrowserKind.Chromium, SetupRole.Passive, false, false)]
    [InlineData(BrowserKind.Chromium, SetupRole.ActPass, true, false)]
    [InlineData(BrowserKind.Firefox, SetupRole.Active, false, false)]
    [InlineData(BrowserKind.Firefox, SetupRole.Passive, false, false)]
    [InlineData(BrowserKind.Firefox, SetupRole.ActPass, true, false)]
    [InlineData(BrowserKind.Chromium, SetupRole.Active, false, true)]
    [InlineData(BrowserKind.Firefox, SetupRole.Active, false, true)]
    public async Task TheBrowsersMessagesComeBackByteForByte(BrowserKind browser, SetupRole ourSetup, bool weOffer, bool bulk)
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
                var session = new WebRtcSession(new WebRtcSessionOptions { AnswerSetup = ourSetup == SetupRole.ActPass ? SetupRole.Active : ourSetup });
                var echo = new DataChannelEcho(session);
                UdpSessionHandle handle = host.Add(session, (_, now) => echo.Pump(now));
                echo.Handle = handle;
                lock (echoes)
                {
                    echoes.Add(echo);
                }

                (bool ok, string text) = handle.Invoke(now =>
                {
                    echo.Log.Add($"{now.TotalMilliseconds:0} ms: offer answered");
                    return session.TryAcceptOffer(offer, now, out string? answer, out RtcStack.Sdp.Jsep.JsepError? error)
                        ? (true, answer)
                        : (false, error.ToString());
                });
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} /dc-echo: {(ok ? "answered" : "refused: " + text)}");
                ctx.Response.StatusCode = ok ? 201 : 422;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(text);
            });

            // The other direction: we offer the data section (actpass), the browser answers.
            app.MapPost("/dc-offer", async (HttpContext ctx) =>
            {
                var session = new WebRtcSession();
                session.AddDataChannels();
                var echo = new DataChannelEcho(session);
                UdpSessionHandle handle = host.Add(session, (_, now) => echo.Pump(now));
                echo.Handle = handle;
                lock (echoes)
                {
                    echoes.Add(echo);
                }

                string offer = handle.Invoke(now =>
                {
                    echo.Log.Add($"{now.TotalMilliseconds:0} ms: offer created");
                    return session.CreateOffer(now);
                });
                offerSeen = offer;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(offer);
            });
            app.MapPost("/dc-answer", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string answer = await reader.ReadToEndAsync();
                DataChannelEcho echo;
                lock (echoes)
                {
                    echo = echoes.Single();
                }

                string? refused = echo.Handle!.Invoke(now =>
                {
                    echo.Log.Add($"{now.TotalMilliseconds:0} ms: answer applied");
                    return echo.Session.TryApplyAnswer(answer, now, out RtcStack.Sdp.Jsep.JsepError? error) ? null : error.ToString();
                });
                ctx.Response.StatusCode = refused is null ? 204 : 422;
                if (refused is not null)
                {
                    await ctx.Response.WriteAsync(refused);
                }
            });
        });

        JsonElement result;
        using (HeadlessBrowser b = HeadlessBrowser.Launch(browser, web.BaseAddress + "/dc-echo.html" + (weOffer ? "?mode=answer" : bulk ? "?bulk=1" : string.Empty)))
        {
            try
            {
                result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(bulk ? 360 : 60), b);
            }
            catch (TimeoutException)
            {
                // Say how far the session got: no offer seen, no association, or channels open but no report.
                output.WriteLine($"offer seen: {offerSeen is not null}");
                foreach (DataChannelEcho x in echoes)
                {
                    output.WriteLine($"session {host.Invoke(x.Handle!, _ => x.Session.State)}: " + string.Join("; ", host.Invoke(x.Handle!, _ => x.Log.ToList())));
                }

                throw;
            }
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

            // RFC 8260 §2.2.1: what the browser listed in its INIT / INIT ACK, and whether interleaving is on.
            (SctpPeerFeatures peerFeatures, bool interleaving) = host.Invoke(e.Handle!, _ =>
                (e.Session.DataChannelTransport!.Association.PeerFeatures, e.Session.DataChannelTransport.Association.MessageInterleaving));
            output.WriteLine($"{browser}: peer features {peerFeatures}, message interleaving {interleaving}");

            // Measured here (specs/rfc8260.md): Chromium 156 (dcSCTP) lists RE-CONFIG and FORWARD-TSN only, so the
            // association uses DATA; Firefox ESR 153 lists I-DATA and I-FORWARD-TSN as well, so it interleaves. Neither
            // announces zero checksum (RFC 9653).
            SctpPeerFeatures common = SctpPeerFeatures.ForwardTsn | SctpPeerFeatures.ReConfig;
            Assert.Equal(browser == BrowserKind.Firefox ? common | SctpPeerFeatures.IData | SctpPeerFeatures.IForwardTsn : common, peerFeatures);
            Assert.Equal(browser == BrowserKind.Firefox, interleaving);

            // RFC 8832 §6: stream ids have the parity of the DTLS role (the client even, the server odd); we answered with
            // our setup, or offered actpass and the browser took active.
            DtlsRole? ourRole = host.Invoke(e.Handle!, _ => e.Session.Transport.LocalDtlsRole);
            Assert.Equal(ourSetup == SetupRole.Passive || weOffer ? DtlsRole.Server : DtlsRole.Client, ourRole);
            int echoId = result.GetProperty("echoId").GetInt32();
            Assert.Equal(ourRole == DtlsRole.Client ? 1 : 0, echoId % 2);

            // The page closed "echo" (RFC 8831 §6.7): both directions were reset and we saw it close.
            Assert.Equal("closed", result.GetProperty("closed").GetString());
            Assert.True(host.Invoke(e.Handle!, _ => e.Closed.Contains("echo")), "we saw no close of the echo channel");
            (long messages, long bytes) = host.Invoke(e.Handle!, _ => (e.MessagesEchoed, e.BytesEchoed));
            output.WriteLine($"echoed {messages} messages, {bytes} bytes");
            if (bulk)
            {
                // 1,000 messages of 0-256 KiB and 256 of 256 KiB (64 MiB) each way: every echo matched the SHA-256 of what
                // was sent at its position, so nothing was lost, changed, split or reordered.
                JsonElement report = result.GetProperty("bulk");
                foreach ((string name, int count) in new[] { ("thousand", 1000), ("big", 256) })
                {
                    JsonElement r = report.GetProperty(name);
                    output.WriteLine($"{name}: {r}");
                    Assert.Equal(count, r.GetProperty("count").GetInt32());
                    Assert.Equal(count, r.GetProperty("back").GetInt32());
                    Assert.Equal(0, r.GetProperty("mismatches").GetInt32());
                    Assert.Equal(r.GetProperty("sentBytes").GetInt64(), r.GetProperty("echoedBytes").GetInt64());
                }

                Assert.Equal(64L << 20, report.GetProperty("big").GetProperty("sentBytes").GetInt64());
                Assert.Equal(262144, report.GetProperty("maxMessageSize").GetInt32());
                Assert.Equal(16 + 1000 + 256, messages);
            }
            else
            {
                Assert.Equal(16, messages);
            }

            // Our own in-band channel (RFC 8832 §6: our DTLS role's parity) reached the browser, which echoed our two messages.
            JsonElement fromUs = result.GetProperty("fromUs");
            Assert.Equal(("from-rtcstack", "rtcstack-ping"), (fromUs.GetProperty("label").GetString(), fromUs.GetProperty("protocol").GetString()));
            Assert.Equal(ourRole == DtlsRole.Client ? 0 : 1, fromUs.GetProperty("id").GetInt32() % 2);
            List<DataChannelMessageEvent> back = host.Invoke(e.Handle!, _ => e.OwnChannelEchoes.ToList());
            Assert.Equal(2, back.Count);
            Assert.Equal((true, DataChannelEcho.Ping), (back[0].IsString, Encoding.UTF8.GetString(back[0].Data)));
            Assert.False(back[1].IsString);
            Assert.Equal(DataChannelEcho.PingBinary, back[1].Data);
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

        public const string Ping = "ping from rtcstack \u2713";

        public static readonly byte[] PingBinary = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

        public DataChannel? Own { get; private set; }

        public List<DataChannelMessageEvent> OwnChannelEchoes { get; } = [];

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
                    case DataChannelMessageEvent m when m.Channel == Own:
                        OwnChannelEchoes.Add(m);
                        break;
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
                        if (o.Channel.Remote && o.Channel.Label == "echo" && Own is null)
                        {
                            Own = Session.CreateDataChannel(new DataChannelOptions { Label = "from-rtcstack", Protocol = "rtcstack-ping" }, now);
                        }
                        else if (o.Channel == Own)
                        {
                            Session.SendDataChannelText(Own, Ping, now);
                            Session.SendDataChannelMessage(Own, PingBinary, now);
                        }

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
