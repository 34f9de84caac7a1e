using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RtcStack.Cli.Serve;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.Cli.Tests;

/// <summary>
/// <c>rtcstack serve</c> rooms over loopback, in real time: a publisher (our session, sending three VP8 simulcast layers
/// told apart by RID, RFC 8853, and Opus) publishes with <c>POST /whip/{room}</c>, two viewers (our sessions, as WHEP
/// players) view with <c>POST /whep/{room}</c>. Each viewer gets every frame byte for byte from one layer at a time, the
/// one its session's estimate allows: the second viewer sends a 150 kbit/s REMB, so it gets the lowest layer. Audio
/// arrives byte for byte. /status shows each viewer's layer and estimate. DELETE of the publisher closes the viewers.
/// </summary>
public sealed class ServeRoomTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Rids = ["q", "h", "f"];
    private static readonly int[] LayerFrameBytes = [300, 800, 5000];
    private static readonly byte[] KeyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];

    private static StringContent Sdp(string sdp) => new(sdp, Encoding.UTF8, "application/sdp");

    [Fact]
    public async Task APublisherWithThreeLayersReachesTwoViewersEachOnTheLayerItsEstimateAllowsAndItsDeleteClosesThem()
    {
        await using var app = new ServeApp(new ServeOptions { Port = 0 });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var clients = new UdpSessionHost();

        // Nobody publishes "stage" yet: a viewer is refused with 409 and Retry-After (draft-ietf-wish-whep-03 §4.2.8).
        using var early = new Client(clients, "early", publisher: false);
        using (HttpResponseMessage r = await http.PostAsync("/whep/stage", Sdp(early.Offer())))
        {
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), r.Headers.RetryAfter?.Delta);
        }

        using var pub = new Client(clients, "publisher", publisher: true);
        using HttpResponseMessage published = await http.PostAsync("/whip/stage", Sdp(pub.Offer()));
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.StartsWith("/whip/stage/", published.Headers.Location!.OriginalString, StringComparison.Ordinal);
        pub.Answer(await published.Content.ReadAsStringAsync());

        // One publisher a room.
        using (var second = new Client(clients, "second", publisher: true))
        using (HttpResponseMessage r = await http.PostAsync("/whip/stage", Sdp(second.Offer())))
        {
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        }

        using var v1 = new Client(clients, "viewer-1", publisher: false);
        using var v2 = new Client(clients, "viewer-2", publisher: false);
        var viewerUrls = new List<Uri>();
        foreach (Client v in (Client[])[v1, v2])
        {
            using HttpResponseMessage r = await http.PostAsync("/whep/stage", Sdp(v.Offer()));
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            Assert.StartsWith("/whep/stage/", r.Headers.Location!.OriginalString, StringComparison.Ordinal);
            viewerUrls.Add(r.Headers.Location);
            v.Answer(await r.Content.ReadAsStringAsync());
        }

        await Task.WhenAll(pub.Connected.Task, v1.Connected.Task, v2.Connected.Task).WaitAsync(TimeSpan.FromSeconds(20));

        // A room session URL works for PATCH (a trickled candidate) only with its own room.
        string etag = "*";
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, viewerUrls[0]) { Content = new StringContent("a=end-of-candidates\r\n", Encoding.UTF8, "application/trickle-ice-sdpfrag") })
        {
            patch.Headers.TryAddWithoutValidation("If-Match", etag);
            using HttpResponseMessage r = await http.SendAsync(patch);
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }

        using (var patch = new HttpRequestMessage(HttpMethod.Patch, viewerUrls[0].OriginalString.Replace("/stage/", "/other/", StringComparison.Ordinal)) { Content = new StringContent("a=end-of-candidates\r\n", Encoding.UTF8, "application/trickle-ice-sdpfrag") })
        {
            patch.Headers.TryAddWithoutValidation("If-Match", etag);
            using HttpResponseMessage r = await http.SendAsync(patch);
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        // Viewer 2 says it can take 150 kbit/s (REMB, draft-alvestrand-rmcat-remb-03): its video may use 110, so only the
        // lowest layer (about 80 kbit/s) fits. Viewer 1 sends none: its layer follows its session's own estimate (GCC
        // from 300 kbit/s; on loopback it stayed near 330 kbit/s for these seconds, which is the middle layer, about
        // 200 kbit/s; the top one needs about 1.5 Mbit/s).
        using var stop = new CancellationTokenSource();
        Task remb = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                v2.SendRemb(150_000);
                await Task.Delay(200);
            }
        });

        // Four seconds of 30 frames a second on each layer and Opus every 20 ms.
        await pub.PublishAsync(TimeSpan.FromSeconds(4));
        await Task.Delay(500);
        await stop.CancelAsync();
        await remb;

        using JsonDocument status = await StatusAsync(http);
        output.WriteLine(status.RootElement.GetProperty("rooms").ToString());
        JsonElement room = Assert.Single(status.RootElement.GetProperty("rooms").EnumerateArray());
        Assert.Equal("stage", room.GetProperty("name").GetString());
        Assert.Equal("VP8", room.GetProperty("videoCodec").GetString());
        Assert.Equal(["q", "h", "f"], room.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("rid").GetString()));
        JsonElement[] viewers = [.. room.GetProperty("viewers").EnumerateArray()];
        Assert.Equal(2, viewers.Length);

        var finalLayers = new Dictionary<string, int>();
        foreach ((Client v, string label) in (IEnumerable<(Client, string)>)[(v1, "viewer-1"), (v2, "viewer-2")])
        {
            List<(int Layer, int Index, bool Key)> frames = v.CheckFrames(pub);
            output.WriteLine($"{v.Name}: {frames.Count} frames, layers {string.Join(",", LayerRuns(frames))}, audio {v.Audio.Count}");

            // Every frame is one the publisher sent, whole; indices never go back; a layer switch is at a key frame.
            Assert.True(frames.Count >= 60, $"{v.Name}: {frames.Count} frames");
            Assert.True(frames[0].Key, $"{v.Name}: the first frame is a delta frame");
            for (int i = 1; i < frames.Count; i++)
            {
                Assert.True(frames[i].Index > frames[i - 1].Index || (frames[i].Index == frames[i - 1].Index && frames[i].Layer != frames[i - 1].Layer), $"{v.Name}: {frames[i - 1]} then {frames[i]}");
                Assert.True(frames[i].Layer == frames[i - 1].Layer || frames[i].Key, $"{v.Name}: a switch at delta frame {frames[i]}");
            }

            int finalLayer = frames[^1].Layer;
            finalLayers[label] = finalLayer;

            // The last second came without a gap.
            int last = frames[^1].Index;
            Assert.Equal(Enumerable.Range(last - 29, 30), frames.Select(f => f.Index).Where(i => i > last - 30).Distinct());

            // Audio: the publisher's Opus payloads, byte for byte, in order, nearly all of them (loopback).
            Assert.True(v.Audio.Count >= pub.AudioSent * 0.9, $"{v.Name}: {v.Audio.Count} of {pub.AudioSent} audio packets");
            int[] audioIndices = [.. v.Audio.Select(a => BinaryPrimitives.ReadInt32BigEndian(a.AsSpan(1)))];
            Assert.All(v.Audio, a => Assert.Equal(Client.Opus(BinaryPrimitives.ReadInt32BigEndian(a.AsSpan(1))), a));
            Assert.Equal(audioIndices.Order(), audioIndices);

            // Viewers are numbered in the room in the order they joined.
            JsonElement shown = viewers.Single(x => x.GetProperty("viewer").GetString() == label);
            Assert.Equal(finalLayer, shown.GetProperty("layer").GetInt32());
            Assert.Equal(Rids[finalLayer], shown.GetProperty("rid").GetString());
            Assert.True(shown.GetProperty("estimateBps").GetInt64() > 0);
            Assert.Equal("connected", shown.GetProperty("state").GetString());
        }

        // Each on the layer its estimate allows: viewer 2 (150 kbit/s) the lowest, viewer 1 (its GCC) a higher one.
        Assert.Equal(0, finalLayers["viewer-2"]);
        Assert.True(finalLayers["viewer-1"] >= 1, $"viewer 1 ended on layer {finalLayers["viewer-1"]}");
        Assert.Equal(150_000, viewers.Single(x => x.GetProperty("viewer").GetString() == "viewer-2").GetProperty("remoteEstimateBps").GetInt64());
        Assert.False(viewers.Single(x => x.GetProperty("viewer").GetString() == "viewer-1").TryGetProperty("remoteEstimateBps", out _));

        // The publisher leaves: the room ends and both viewers are closed (BYE, close_notify) and removed.
        using (HttpResponseMessage r = await http.DeleteAsync(published.Headers.Location))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        await Task.WhenAll(v1.Closed.Task, v2.Closed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        await WaitForAsync(() => app.SessionCount == 0, "every session removed");
        using JsonDocument after = await StatusAsync(http);
        Assert.Empty(after.RootElement.GetProperty("rooms").EnumerateArray());
        Assert.Equal(1, after.RootElement.GetProperty("roomsEnded").GetInt64());
        using (HttpResponseMessage r = await http.PostAsync("/whep/stage", Sdp(early.Offer())))
        {
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        }

        using (HttpResponseMessage r = await http.DeleteAsync(viewerUrls[0]))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
    }

    [Theory]
    [InlineData("/whip/a%20b", HttpStatusCode.BadRequest)]
    [InlineData("/whip/" + "x1234567890123456789012345678901234567890123456789012345678901234", HttpStatusCode.BadRequest)]
    [InlineData("/whep/nobody", HttpStatusCode.Conflict)]
    public async Task ABadRoomNameOrAnEmptyRoomIsRefused(string path, HttpStatusCode expected)
    {
        await using var app = new ServeApp(new ServeOptions { Port = 0 });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var clients = new UdpSessionHost();
        using var c = new Client(clients, "c", publisher: path.StartsWith("/whip", StringComparison.Ordinal));
        using HttpResponseMessage r = await http.PostAsync(path, Sdp(c.Offer()));
        Assert.Equal(expected, r.StatusCode);
        Assert.Equal(0, app.SessionCount);
    }

    private static List<int> LayerRuns(List<(int Layer, int Index, bool Key)> frames) =>
        frames.Where((f, i) => i == 0 || frames[i - 1].Layer != f.Layer).Select(f => f.Layer).ToList();

    private static async Task<JsonDocument> StatusAsync(HttpClient http)
    {
        using HttpResponseMessage r = await http.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync());
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }

    /// <summary>A client: the publisher (sends simulcast VP8 packets it writes itself, and Opus) or a WHEP viewer.</summary>
    private sealed class Client : IDisposable
    {
        private readonly UdpSessionHandle _handle;
        private readonly bool _publisher;
        private readonly ConcurrentQueue<(ReceivedMedia Media, byte[] Data)> _media = new();
        private readonly byte[] _buffer = new byte[1 << 16];
        private readonly byte[] _packet = new byte[1500];
        private readonly ushort[] _sequence = [1000, 20000, 40000];
        private readonly uint[] _ssrcs = [0x1000_0001, 0x1000_0002, 0x1000_0003];
        private Transceiver? _audio;
        private NegotiatedSection? _video;
        private byte _vp8;
        private byte _midId;
        private byte _ridId;

        public Client(UdpSessionHost host, string name, bool publisher)
        {
            Name = name;
            _publisher = publisher;
            Session = new WebRtcSession();
            _handle = host.Add(Session, (_, _) => OnActivity());
        }

        public string Name { get; }

        public WebRtcSession Session { get; }

        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<byte[]> Audio => [.. _media.Where(m => !m.Media.IsVideo).Select(m => m.Data)];

        public int AudioSent { get; private set; }

        /// <summary>Frame <paramref name="index"/> of <paramref name="layer"/>: a VP8 key frame header or delta tag, then layer and index, then a pattern.</summary>
        public static byte[] Frame(int layer, int index, bool key)
        {
            var f = new byte[LayerFrameBytes[layer]];
            for (int i = 0; i < f.Length; i++)
            {
                f[i] = (byte)((i * 31) + index + layer);
            }

            if (key)
            {
                KeyFrameHeader.CopyTo(f, 0);
            }
            else
            {
                f[0] = 0x01;
            }

            f[12] = (byte)layer;
            BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(13), index);
            return f;
        }

        /// <summary>Opus packet <paramref name="index"/>: a 20 ms SILK TOC, the index, a pattern.</summary>
        public static byte[] Opus(int index)
        {
            byte[] p = new byte[40];
            p[0] = 0x08;
            BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(1), index);
            for (int i = 5; i < p.Length; i++)
            {
                p[i] = (byte)(i + index);
            }

            return p;
        }

        public string Offer() => _handle.Invoke(now =>
        {
            if (Session.Jsep.Transceivers.Count == 0)
            {
                MediaDirection d = _publisher ? MediaDirection.SendOnly : MediaDirection.RecvOnly;
                _audio = Session.AddTransceiver(MediaKind.Audio, d);
                Session.AddTransceiver(MediaKind.Video, d);
            }

            string offer = Session.CreateOffer(now);
            if (!_publisher)
            {
                return offer;
            }

            // RFC 8853 §5.1 / RFC 8851: three RIDs in the video section, the way a browser's sendEncodings write them.
            SessionDescription sdp = SessionDescription.Parse(offer);
            MediaDescription m = sdp.MediaDescriptions.Single(x => x.Media == "video");
            foreach (string rid in Rids)
            {
                m.Lines.Add(new Rid(rid, RidDirection.Send).ToLine());
            }

            m.Lines.Add(new Simulcast(Rids.Select(r => (IReadOnlyList<SimulcastStream>)[new SimulcastStream(r)]), []).ToLine());
            return sdp.ToString();
        });

        public void Answer(string answer) => _handle.Invoke(now =>
        {
            Assert.True(Session.TryApplyAnswer(answer, now, out JsepError? error), error?.ToString());
            if (_publisher)
            {
                _video = Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
                _vp8 = (byte)_video.SendCodecs.First(c => c.Name == "VP8").PayloadType;
                _midId = (byte)_video.GetExtensionId(ExtMap.MidUri)!.Value;
                _ridId = (byte)_video.GetExtensionId(JsepOptions.RidUri)!.Value;
            }
        });

        /// <summary>Sends frames of every layer at 30 a second, a key frame first and whenever a PLI came, and Opus every 20 ms.</summary>
        public async Task PublishAsync(TimeSpan duration)
        {
            DateTime start = DateTime.UtcNow;
            long plisHandled = 0;
            int frame = 0;
            while (DateTime.UtcNow - start < duration)
            {
                TimeSpan elapsed = DateTime.UtcNow - start;
                while (AudioSent * 20 <= elapsed.TotalMilliseconds)
                {
                    int index = AudioSent++;
                    _handle.Invoke(now => Assert.True(Session.SendAudio(_audio!, Opus(index), (uint)(960 * index), now)));
                }

                if (frame * 1000 / 30 <= elapsed.TotalMilliseconds)
                {
                    int index = frame++;
                    _handle.Invoke(now =>
                    {
                        long plis = Session.RtcpCounters.PayloadFeedbackReceived;
                        bool key = index == 0 || plis > plisHandled;
                        plisHandled = plis;
                        for (int layer = 0; layer < 3; layer++)
                        {
                            SendFrame(layer, index, key, now);
                        }
                    });
                }

                await Task.Delay(5);
            }
        }

        /// <summary>A REMB with no SSRC list (it applies to every stream of the peer), in a compound led by an RR.</summary>
        public void SendRemb(ulong bitrate) => _handle.Invoke(now =>
        {
            byte[] rtcp = new byte[256];
            var compound = new RtcpCompoundWriter(rtcp);
            Assert.True(compound.TryAddReceiverReport(0x0B0B0B0B, []));
            Assert.True(compound.TryAddRemb(0x0B0B0B0B, bitrate, []));
            Session.Transport.SendRtcp(rtcp.AsSpan(0, compound.Length), now);
        });

        /// <summary>Checks every video frame received against what <paramref name="pub"/> sent, and says which it was.</summary>
        public List<(int Layer, int Index, bool Key)> CheckFrames(Client pub)
        {
            var list = new List<(int, int, bool)>();
            foreach ((ReceivedMedia media, byte[] data) in _media.Where(x => x.Media.IsVideo))
            {
                Assert.True(data.Length > 16, $"{Name}: a {data.Length}-byte frame");
                int layer = data[12], index = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(13));
                bool key = (data[0] & 1) == 0;
                Assert.InRange(layer, 0, 2);
                Assert.Equal(Frame(layer, index, key), data);
                Assert.Equal(key, media.KeyFrame);
                list.Add((layer, index, key));
            }

            _ = pub;
            return list;
        }

        public void Dispose()
        {
            _handle.Invoke(now => Session.Close(now));
            _handle.Host.Remove(_handle);
            Session.Dispose();
        }

        private void OnActivity()
        {
            while (Session.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent s)
                {
                    if (s.State == PeerConnectionState.Connected)
                    {
                        Connected.TrySetResult();
                    }
                    else if (s.State is PeerConnectionState.Closed or PeerConnectionState.Failed)
                    {
                        Closed.TrySetResult();
                    }
                }
            }

            while (Session.TryPollMedia(_buffer, out ReceivedMedia m))
            {
                _media.Enqueue((m, _buffer.AsSpan(0, m.Length).ToArray()));
            }
        }

        /// <summary>One layer's frame in packets of at most 1100 bytes, each with a VP8 descriptor with a 15-bit PictureID (RFC 7741 §4.2), MID and RID.</summary>
        private void SendFrame(int layer, int index, bool key, TimeSpan now)
        {
            byte[] frame = Frame(layer, index, key);
            int pictureId = (index + (layer * 1000)) & 0x7FFF;
            for (int offset = 0; offset < frame.Length; offset += 1100)
            {
                int size = Math.Min(1100, frame.Length - offset);
                var w = new RtpPacketWriter(_packet);
                Assert.True(w.TryWriteHeader(new RtpHeader(_vp8, _sequence[layer]++, (uint)(3000 * index) + (uint)(layer * 777), _ssrcs[layer], Marker: offset + size == frame.Length)));
                RtpHeaderExtensionWriter ext = w.BeginHeaderExtension(RtpHeaderExtensionMode.OneByteOnly);
                Assert.True(ext.TryAddText(_midId, _video!.Mid.AsSpan()));
                Assert.True(ext.TryAddText(_ridId, Rids[layer].AsSpan()));
                Assert.True(w.TryEndHeaderExtension(ext.Finish()));
                Span<byte> payload = w.GetPayloadBuffer();
                payload[0] = (byte)(offset == 0 ? 0x90 : 0x80);
                payload[1] = 0x80;
                payload[2] = (byte)(0x80 | (pictureId >> 8));
                payload[3] = (byte)pictureId;
                frame.AsSpan(offset, size).CopyTo(payload[4..]);
                w.AdvancePayload(4 + size);
                Assert.Equal(TransportSendStatus.Sent, Session.Transport.SendRtp(_packet.AsSpan(0, w.Length), now));
            }
        }
    }
}
