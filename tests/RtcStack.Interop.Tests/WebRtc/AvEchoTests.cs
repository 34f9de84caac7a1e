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
/// Session core v2 with a real browser: Chromium publishes its fake camera and microphone in one PeerConnection
/// (audio and video in one BUNDLE group), a <see cref="WebRtcSession"/> on a <see cref="UdpSessionHost"/> answers and
/// echoes both back (video frames re-sent as they were assembled; the browser's PLIs become key frame requests to
/// the browser's own sender). The page reports its stats after 10 s.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimePeersCollection.Name)]
public sealed class AvEchoTests(ITestOutputHelper output, AvEchoMatrix matrix) : IClassFixture<AvEchoMatrix>
{
    [Theory]
    [InlineData(BrowserKind.Chromium, "video/VP8", false)]
    [InlineData(BrowserKind.Chromium, "video/VP9", false)]
    [InlineData(BrowserKind.Chromium, "video/H264", false)]
    [InlineData(BrowserKind.Chromium, "video/AV1", false)]
    [InlineData(BrowserKind.Chromium, "video/VP8", true)]
    [InlineData(BrowserKind.Firefox, "video/VP8", false)]
    [InlineData(BrowserKind.Firefox, "video/VP9", false)]
    [InlineData(BrowserKind.Firefox, "video/VP8", true)]
    public async Task CameraAndMicrophoneComeBackThroughOurSession(BrowserKind browser, string codec, bool lossy)
    {
        string page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "RtcStack.Interop.Tests", "WebRtc", "Pages", "av-echo.html"));
        // On a UdpEventLoop (one epoll thread), as `rtcstack serve` runs its calls: without one the host's per-session
        // receives are thread-pool continuations, and in CI this cell saw our session get no datagram at all for about
        // 1 s (audio included) while the browser's getStats counted its packets sent and none lost: they waited in the
        // kernel until our receive ran (RealTimePeersCollection has the numbers).
        using var loop = new UdpEventLoop();
        using var host = new UdpSessionHost(new UdpSessionHostOptions { EventLoop = loop });
        var echoes = new List<SessionEcho>();
        // Diagnostics for a freeze: stalls of our process or the thread pool, on the session clock's scale (both start here).
        using var stalls = new RuntimeStallWatch();
        await using TestPageHost web = await TestPageHost.StartAsync(new Dictionary<string, string> { ["/av-echo.html"] = page }, app =>
        {
            app.MapPost("/echo", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                string offer = await reader.ReadToEndAsync();
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} /echo: offer of {offer.Length} chars");
                var session = new WebRtcSession(new WebRtcSessionOptions { Transport = new WebRtcTransportOptions { Certificate = CallServer.Certificate.Value } });
                var echo = new SessionEcho(session);
                var endpoint = new LossyEndpoint(session) { Enabled = lossy };
                echo.Lossy = endpoint;
                UdpSessionHandle handle = host.Add(endpoint, (_, now) => echo.Pump(now));
                echo.Handle = handle;
                lock (echoes)
                {
                    echoes.Add(echo);
                }

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
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} /echo: {(ok ? "answered" : "refused: " + text)}");
                ctx.Response.StatusCode = ok ? 201 : 422;
                ctx.Response.ContentType = "application/sdp";
                await ctx.Response.WriteAsync(text);
            });
        });

        JsonElement result;
        using (HeadlessBrowser b = HeadlessBrowser.Launch(browser, web.BaseAddress + "/av-echo.html?seconds=10&codec=" + Uri.EscapeDataString(codec)))
        {
            try
            {
                result = await web.WaitForReportAsync("result", TimeSpan.FromSeconds(60), b);
            }
            finally
            {
                foreach (SessionEcho x in echoes)
                {
                    output.WriteLine($"session {host.Invoke(x.Handle!, _ => x.Session.State)}: echoed {x.AudioEchoed} audio packets, {x.VideoEchoed} video frames");
                }
            }
        }

        output.WriteLine(result.ToString());
        SessionEcho e = Assert.Single(echoes);
        output.WriteLine($"echoed {e.AudioEchoed} audio packets and {e.VideoEchoed} video frames ({e.KeyFramesEchoed} key frames); {e.KeyframeRequests} key frame requests passed on");
        string poolDiag = stalls.Summary();
        output.WriteLine(poolDiag);
        string echoGap = poolDiag + "; " + $"our longest interval between echoed video frames {e.LongestVideoGap.Gap.TotalMilliseconds:F0} ms, ending {e.LongestVideoGap.EndedAfterFirst.TotalMilliseconds:F0} ms after the first, RTP timestamps {e.LongestVideoGap.RtpTicks / 90.0:F0} ms apart, {e.LongestVideoGap.AudioDuring} audio packets echoed and {e.LongestVideoGap.PumpsDuring} session turns (datagrams or timers) within it; longest interval between turns {e.LongestPumpGap.Gap.TotalMilliseconds:F0} ms ending at {e.LongestPumpGap.At.TotalMilliseconds:F0} ms session time (video gap ended at {e.LongestVideoGap.EndedAt.TotalMilliseconds:F0} ms); our inbound video: "
            + string.Join("; ", host.Invoke(e.Handle!, _ => e.Session.Sections.Where(s => s.Kind == MediaKind.Video).SelectMany(s => s.Inbound).Select(i => i.ToString()).ToList()));
        output.WriteLine(echoGap);
        if (e.Lossy is LossyEndpoint dropper)
        {
            output.WriteLine($"dropped {dropper.DroppedMedia} video packets and {dropper.DroppedRepair} retransmissions; our inbound video: "
                + string.Join("; ", host.Invoke(e.Handle!, _ => e.Session.Sections.Where(s => s.Kind == MediaKind.Video).SelectMany(s => s.Inbound).Select(i => i.ToString()).ToList())));
        }

        string? failure = null;
        try
        {
            Assert.False(result.TryGetProperty("error", out JsonElement err), err.ToString());
            Assert.Equal("connected", result.GetProperty("connection").GetString());

            // DTLS 1.3 with the hybrid key share (RFC 9147; our session's default and the browsers'): the browser's
            // getStats says FEFC, our transport says which group its ServerHello carried (no browser reports tlsGroup).
            Assert.Equal("FEFC", result.GetProperty("transport").GetProperty("tlsVersion").GetString());
            Assert.Equal("TLS_AES_128_GCM_SHA256", result.GetProperty("transport").GetProperty("dtlsCipher").GetString());
            (RtcStack.Dtls.DtlsVersion? ourVersion, RtcStack.Dtls.DtlsNamedGroup? ourGroup) =
                host.Invoke(e.Handle!, _ => (e.Session.Transport.NegotiatedDtlsVersion, e.Session.Transport.NegotiatedDtlsGroup));
            Assert.Equal(RtcStack.Dtls.DtlsVersion.Dtls13, ourVersion);
            Assert.Equal(RtcStack.Dtls.DtlsNamedGroup.X25519MlKem768, ourGroup);
            string? videoCodecId = result.GetProperty("inbound").GetProperty("video").GetProperty("codecId").GetString();
            Assert.Equal(codec, result.GetProperty("codecs").GetProperty(videoCodecId!).GetString(), ignoreCase: true);
            JsonElement video = result.GetProperty("inbound").GetProperty("video");
            JsonElement sentVideo = result.GetProperty("outbound").GetProperty("video");
            JsonElement audio = result.GetProperty("inbound").GetProperty("audio");
            Assert.True(video.GetProperty("framesDecoded").GetInt64() > 100, $"framesDecoded {video.GetProperty("framesDecoded")}");
            Assert.Equal(sentVideo.GetProperty("frameWidth").GetInt32(), video.GetProperty("frameWidth").GetInt32());
            Assert.Equal(sentVideo.GetProperty("frameHeight").GetInt32(), video.GetProperty("frameHeight").GetInt32());
            double firstFrameMs = result.GetProperty("firstFrameMs").GetDouble();
            Assert.True(firstFrameMs is >= 0 and < 5000, $"first echoed frame decoded after {firstFrameMs} ms");
            double longestGap = result.GetProperty("longestGapMs").GetDouble();
            if (!lossy)
            {
                Assert.True(longestGap < 1000, $"video froze for {longestGap} ms; gaps over 300 ms: {result.GetProperty("gaps")}; {echoGap}");
            }
            else
            {
                // The lossy variant builds a hole in: 400 ms with none of the browser's video, then 300 ms in which every repair is
                // dropped too, so the browser sees no echoed frame for at least about 0.7 s. The issue asks this variant to show
                // the recovery (NACK and RTX repair, PLI brings back the rest, framesDecoded keeps growing, key frames counted),
                // with no freeze bound; the recovery time is recorded in specs/interop-matrix.md. Measured over 11 runs on
                // 2026-12-06: 0.6-2.9 s, wider than the hole explains (open in issue 13; the cause is not yet found).
                JsonElement[] gaps = [.. result.GetProperty("gaps").EnumerateArray()];
                JsonElement? worst = gaps.Length == 0 ? null : gaps.MaxBy(g => g.GetProperty("gapMs").GetDouble());
                long after = video.GetProperty("framesDecoded").GetInt64() - (worst?.GetProperty("framesDecoded").GetInt64() ?? 0);
                output.WriteLine($"longest gap {longestGap} ms; {after} frames decoded after it");
                Assert.True(after >= 10, $"video did not come back after the longest gap: {after} frames decoded after it ({worst})");
            }
            Assert.True(audio.GetProperty("packetsReceived").GetInt64() > 400, $"audio packets {audio.GetProperty("packetsReceived")}");
            Assert.True(audio.GetProperty("totalSamplesReceived").GetInt64() > 48000 * 5, $"audio samples played {audio.GetProperty("totalSamplesReceived")}");
            if (lossy)
            {
                // Our receive path lost 5 % of the browser's video packets, everything in a 400 ms outage and the
                // retransmissions until 300 ms after it: NACK and RTX repaired the scattered losses, a PLI brought back what
                // the outage took.
                output.WriteLine($"dropped {((LossyEndpoint)e.Lossy!).DroppedMedia} video packets and {((LossyEndpoint)e.Lossy).DroppedRepair} retransmissions");
                Assert.True(((LossyEndpoint)e.Lossy!).DroppedMedia >= 10, $"only {((LossyEndpoint)e.Lossy).DroppedMedia} dropped");
                MediaSectionInfo ours = host.Invoke(e.Handle!, _ => e.Session.Sections.Single(s => s.Kind == MediaKind.Video));
                RtcStack.WebRtc.Streams.ReceiveStreamStats inbound = Assert.Single(ours.Inbound);
                output.WriteLine($"our inbound video: {inbound}");
                Assert.True(inbound.NackCount > 0, "we sent no NACK");
                Assert.True(inbound.RetransmittedPacketsReceived > 0, "no retransmission was repaired over RTX");
                Assert.True(sentVideo.GetProperty("retransmittedPacketsSent").GetInt64() > 0, "the browser retransmitted nothing");

                // What NACK and RTX could not repair, a PLI brings back: either every frame was repaired (no frame given up,
                // no PLI needed; the browser still had the packets once the repair window closed, seen in 1 of 11 runs), or
                // we asked for a key frame and one came back.
                if (inbound.PliCount == 0)
                {
                    Assert.Equal(0, inbound.FramesDropped);
                }
                else
                {
                    // Firefox 153 ESR reports neither keyFramesEncoded (outbound-rtp) nor keyFramesDecoded (inbound-rtp): there
                    // the key frames we received stand in for both.
                    Assert.True(inbound.KeyFramesReceived >= 2, "the browser sent no key frame after our PLI");
                    if (sentVideo.TryGetProperty("keyFramesEncoded", out JsonElement keyFramesEncoded))
                    {
                        Assert.True(keyFramesEncoded.GetInt64() >= 2, "the browser encoded no key frame after our PLI");
                    }

                    if (video.TryGetProperty("keyFramesDecoded", out JsonElement keyFramesDecoded))
                    {
                        Assert.True(keyFramesDecoded.GetInt64() >= 2, "no key frame came back after our PLI");
                    }
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex.Message.Split('\n')[0];
            throw;
        }
        finally
        {
            matrix.Add(Row(browser, codec, lossy, failure, result, lossy ? host.Invoke(e.Handle!, _ => e.Session.Sections.FirstOrDefault(s => s.Kind == MediaKind.Video)) : null));
            host.Invoke(e.Handle!, now => e.Session.Close(now));
        }
    }

    private static AvEchoRow Row(BrowserKind browser, string codec, bool lossy, string? failure, JsonElement result, MediaSectionInfo? ours)
    {
        static JsonElement? Get(JsonElement e, params string[] path)
        {
            foreach (string p in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
                {
                    return null;
                }
            }

            return e;
        }

        JsonElement? video = Get(result, "inbound", "video");
        long? Long(JsonElement? e, string name) => e is JsonElement x && Get(x, name) is JsonElement v && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
        double? Double(string name) => Get(result, name) is JsonElement v && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        string? resolution = Long(video, "frameWidth") is long w && Long(video, "frameHeight") is long h ? $"{w}x{h}" : null;
        string repair = "-";
        if (ours?.Inbound.Count > 0)
        {
            RtcStack.WebRtc.Streams.ReceiveStreamStats i = ours.Inbound[0];
            repair = $"{i.NackCount} NACKs, {i.RetransmittedPacketsReceived} repaired over RTX, {i.PliCount} PLIs";
        }

        return new AvEchoRow(browser.ToString(), codec, lossy, failure, Long(video, "framesDecoded"), resolution, Double("firstFrameMs"), Double("longestGapMs"),
            Long(video, "keyFramesDecoded"), Long(Get(result, "inbound", "audio"), "packetsReceived"), repair);
    }

    /// <summary>
    /// Our receive path with loss: drops every 20th SRTP video packet from the browser (5 %), every video packet in a
    /// 400 ms outage 4 s after the first video packet, and every retransmission from the outage until 300 ms after it. The RTP header is in the clear in SRTP
    /// (RFC 3711 §3.1), so payload types tell video from its retransmissions without decrypting.
    /// </summary>
    private sealed class LossyEndpoint(WebRtcSession session) : IIceDatagramEndpoint
    {
        private long _videoPackets;
        private TimeSpan? _firstVideo;

        public bool Enabled { get; init; }

        public long DroppedMedia { get; private set; }

        public long DroppedRepair { get; private set; }

        public string LocalIceUfrag => session.LocalIceUfrag;

        public void AddLocalAddress(RtcStack.Stun.TransportAddress address) => session.AddLocalAddress(address);

        public void HandleDatagram(RtcStack.Stun.TransportAddress local, RtcStack.Stun.TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
        {
            if (Enabled && datagram.Length > 12 && datagram[0] is >= 0x80 and <= 0xBF && (datagram[1] & 0x7F) is >= 96 and < 128
                && session.Sections.FirstOrDefault(s => s.Kind == MediaKind.Video)?.SendCodec is NegotiatedCodec video)
            {
                int pt = datagram[1] & 0x7F;
                bool isVideo = pt == video.PayloadType;
                bool isRepair = pt == video.RtxPayloadType;
                if (isVideo)
                {
                    _firstVideo ??= now;
                    _videoPackets++;
                }

                bool outage = _firstVideo is TimeSpan first && now - first >= TimeSpan.FromSeconds(4) && now - first < TimeSpan.FromSeconds(4.4);
                if (isVideo && (outage || _videoPackets % 20 == 0))
                {
                    DroppedMedia++;
                    return;
                }

                // Retransmissions are lost too from the outage until 300 ms after it (a fade, not a single drop), so
                // what the outage took cannot all be repaired: the frame buffer gives up and asks for a key frame.
                bool fade = _firstVideo is TimeSpan f && now - f >= TimeSpan.FromSeconds(4) && now - f < TimeSpan.FromSeconds(4.7);
                if (isRepair && fade)
                {
                    DroppedRepair++;
                    return;
                }
            }

            session.HandleDatagram(local, remote, datagram, now);
        }

        public void HandleTimeout(TimeSpan now) => session.HandleTimeout(now);

        public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit) => session.TryPollTransmit(buffer, out transmit);

        public TimeSpan? PollTimeout() => session.PollTimeout();
    }
}
