// VideoForwarding: a selective forwarding unit (SFU) in one program. A publisher sends video in three simulcast
// layers (RFC 8853: the same picture at three bitrates, one RTP stream each, told apart by RID) and Opus audio; the SFU
// forwards one layer to each viewer, the one that viewer's connection can carry, and all the audio.
//
//   dotnet run --project samples/VideoForwarding -c Release -- [VIEWERS] [SECONDS]      (defaults: 3 viewers, 5 s)
//
// Everything runs here over loopback UDP, so the sample needs no browser: the publisher and the viewers are
// WebRtcSessions too. Viewer i says how much it can take with a REMB (a receiver's bitrate estimate): viewer 1 takes
// anything, viewer 2 600 kbit/s, viewer 3 150 kbit/s, and so on round. The layers are about 80 kbit/s, 200 kbit/s and
// 1.25 Mbit/s, so viewer 1 ends on the top layer (f), viewer 2 on the middle one (h), viewer 3 on the lowest (q).
//
// The parts of an SFU, and the library type for each:
//   - one session per client on the SFU side (WebRtcSession on a UdpSessionHost): the publisher's answers recvonly and
//     hands over whole RTP packets (ReceiveRtpPackets); each viewer's answers sendonly;
//   - a SimulcastForwarder: per viewer it picks a layer from that viewer's target bitrate, switches only at a key frame
//     (and asks the publisher for one with a PLI), and rewrites SSRC, sequence numbers, timestamps and VP8 picture ids so
//     the viewer sees one continuous stream;
//   - WebRtcSession.SendRtp sends a forwarded packet on a viewer's session: paced, kept for NACKs (RTX), encrypted.
// The video here is not real VP8: each "frame" has a VP8 key frame or delta frame header (what the forwarder looks at)
// and then says which layer and frame it is, so the viewers can check that every frame arrived whole.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using RtcStack.Congestion.Gcc;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Forwarding;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;

int viewerCount = args.Length > 0 && int.TryParse(args[0], out int n) && n is >= 1 and <= 50 ? n : 3;
double seconds = args.Length > 1 && double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out double s) && s is > 0 and <= 600 ? s : 5;
string[] rids = ["q", "h", "f"];           // lowest layer first: the forwarder numbers layers 0, 1, 2 by bitrate
int[] frameBytes = [300, 800, 5000];        // at 30 frames a second: about 80 kbit/s, 200 kbit/s and 1.25 Mbit/s
ulong[] caps = [0, 600_000, 150_000];       // viewer i's REMB (0: none)

// 1. One UDP host runs every session (each on its own loopback socket) and calls back after each input, under the
//    session's lock: touch a session only there or inside handle.Invoke.
using var host = new UdpSessionHost(new UdpSessionHostOptions { BindAddress = IPAddress.Loopback, IncludeLoopback = true });
var room = new Room(rids);

// 2. The publisher (a client) and the SFU's session for it. The publisher offers audio and video; a browser asked for
//    three encodings (sendEncodings with rids q, h, f) adds a=rid lines and a=simulcast to its video section, as here.
var publisher = new Peer(host, "publisher", new WebRtcSessionOptions());
var sfuIn = new Peer(host, "sfu-in", new WebRtcSessionOptions { ReceiveRtpPackets = true }, onActivity: room.OnPublisherPackets);
room.In = sfuIn;
Transceiver pubAudio = publisher.Invoke(_ => publisher.Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendOnly));
publisher.Invoke(_ => publisher.Session.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly));
SessionDescription offer = SessionDescription.Parse(publisher.Invoke(now => publisher.Session.CreateOffer(now)));
MediaDescription video = offer.MediaDescriptions.Single(m => m.Media == "video");
foreach (string rid in rids)
{
    video.Lines.Add(new Rid(rid, RidDirection.Send).ToLine());
}

video.Lines.Add(new Simulcast(rids.Select(r => (IReadOnlyList<SimulcastStream>)[new SimulcastStream(r)]), []).ToLine());
string answer = sfuIn.Invoke(now => sfuIn.Session.TryAnswer(offer.ToString(), MediaDirection.RecvOnly, now, out string? a, out _) ? a! : throw new InvalidOperationException("the SFU refused the offer"));
publisher.Invoke(now => publisher.Session.TryApplyAnswer(answer, now, out _) ? 0 : throw new InvalidOperationException("the publisher refused the answer"));
room.SetUpPublisher();

// 3. The viewers: each offers to receive audio and video (as a WHEP player does); the SFU's session for it answers
//    sendonly, and the viewer becomes a subscriber of the forwarder with that session's video SSRC and VP8 number.
var viewers = new List<Peer>();
for (int i = 0; i < viewerCount; i++)
{
    var viewer = new Peer(host, $"viewer {i + 1}", new WebRtcSessionOptions());
    // Each viewer's session starts its estimate at 2 Mbit/s: from GCC's default 300 kbit/s, a session that only sends
    // what it forwards stayed near 330 kbit/s for the first seconds on loopback, which would keep every viewer off the
    // top layer in a 5 s run. The REMBs below then bring viewers 2 and 3 down.
    var sfuOut = new Peer(host, $"sfu-out {i + 1}", new WebRtcSessionOptions { Gcc = new GccOptions { StartBitrateBps = 2_000_000 } });
    viewer.Invoke(_ => viewer.Session.AddTransceiver(MediaKind.Audio, MediaDirection.RecvOnly));
    viewer.Invoke(_ => viewer.Session.AddTransceiver(MediaKind.Video, MediaDirection.RecvOnly));
    string viewerOffer = viewer.Invoke(now => viewer.Session.CreateOffer(now));
    string viewerAnswer = sfuOut.Invoke(now => sfuOut.Session.TryAnswer(viewerOffer, MediaDirection.SendOnly, now, out string? a, out _) ? a! : throw new InvalidOperationException("the SFU refused a viewer"));
    viewer.Invoke(now => viewer.Session.TryApplyAnswer(viewerAnswer, now, out _) ? 0 : throw new InvalidOperationException("a viewer refused the answer"));
    room.AddViewer(sfuOut);
    viewers.Add(viewer);
}

// 4. Wait until every session is connected (ICE, DTLS, SRTP keys): our answers carry all candidates, so no trickle.
DateTime deadline = DateTime.UtcNow.AddSeconds(20);
while (!publisher.Connected || !sfuIn.Connected || viewers.Any(v => !v.Connected) || room.Outs.Any(o => !o.Peer.Connected))
{
    if (DateTime.UtcNow > deadline)
    {
        Console.Error.WriteLine("error: the sessions did not connect in 20 s");
        return 1;
    }

    Thread.Sleep(20);
}

Console.WriteLine($"connected: a publisher, the SFU and {viewerCount} viewer(s)");

// 5. Publish: every 33 ms a frame of each layer (a key frame first and whenever a PLI arrives), every 20 ms an Opus
//    packet. The viewers with a cap send their REMB every 200 ms.
NegotiatedSection pubVideo = publisher.Invoke(_ => publisher.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video));
byte vp8 = (byte)pubVideo.SendCodecs.First(c => c.Name == "VP8").PayloadType;
byte midId = (byte)pubVideo.GetExtensionId(ExtMap.MidUri)!.Value;
byte ridId = (byte)pubVideo.GetExtensionId(JsepOptions.RidUri)!.Value;
ushort[] sequence = [1000, 20000, 40000];
uint[] ssrcs = [0x1000_0001, 0x1000_0002, 0x1000_0003];
byte[] packet = new byte[1500];
long plisSeen = 0;
int frames = 0, audio = 0;
double nextRemb = 0;
var clock = System.Diagnostics.Stopwatch.StartNew();
while (clock.Elapsed.TotalSeconds < seconds)
{
    double ms = clock.Elapsed.TotalMilliseconds;
    while (audio * 20 <= ms)
    {
        byte[] opus = Media.Opus(audio);
        uint timestamp = (uint)(960 * audio++);
        publisher.Invoke(now => publisher.Session.SendAudio(pubAudio, opus, timestamp, now));
    }

    if (frames * 1000 / 30 <= ms)
    {
        int index = frames++;
        publisher.Invoke(now =>
        {
            long plis = publisher.Session.RtcpCounters.PayloadFeedbackReceived;
            bool key = index == 0 || plis > plisSeen;
            plisSeen = plis;
            for (int layer = 0; layer < 3; layer++)
            {
                SendFrame(layer, index, key, now);
            }

            return 0;
        });
    }

    if (ms >= nextRemb)
    {
        nextRemb += 200;
        for (int i = 0; i < viewers.Count; i++)
        {
            if (caps[i % caps.Length] is ulong cap and > 0)
            {
                viewers[i].SendRemb(cap);
            }
        }
    }

    Thread.Sleep(5);
}

Thread.Sleep(500);

// 6. What each viewer got: every frame must be one the publisher sent, whole, and frames must come in order.
int failures = 0;
for (int i = 0; i < viewers.Count; i++)
{
    List<(int Layer, int Index, bool Whole)> got = viewers[i].Frames();
    int whole = got.Count(f => f.Whole);
    bool ordered = got.Zip(got.Skip(1)).All(p => p.Second.Index > p.First.Index || (p.Second.Index == p.First.Index && p.Second.Layer != p.First.Layer));
    IEnumerable<string> layers = got.Where((f, k) => k == 0 || got[k - 1].Layer != f.Layer).Select(f => rids[f.Layer]);
    Console.WriteLine($"{viewers[i].Name}: {got.Count} frames ({whole} whole, {(ordered ? "in order" : "OUT OF ORDER")}), layers {string.Join("->", layers)}, {viewers[i].AudioPackets} audio packets, estimate {room.Outs[i].TargetBps / 1000} kbit/s");
    failures += got.Count == 0 || whole != got.Count || !ordered ? 1 : 0;
}

Console.WriteLine($"published {frames} frames a layer and {audio} audio packets; the SFU asked for {room.KeyframeRequests} key frames");
foreach (Peer p in (Peer[])[publisher, sfuIn, .. viewers, .. room.Outs.Select(o => o.Peer)])
{
    p.Dispose();
}

return failures == 0 ? 0 : 1;

// One VP8-like frame split into RTP packets of at most 1100 bytes of payload, each with the VP8 payload descriptor
// (RFC 7741 §4.2: a 15-bit picture id) and the MID and RID header extensions that tell the SFU which layer it is.
void SendFrame(int layer, int index, bool key, TimeSpan now)
{
    byte[] frame = Media.Frame(layer, index, key, frameBytes[layer]);
    int pictureId = (index + (layer * 1000)) & 0x7FFF;
    for (int offset = 0; offset < frame.Length; offset += 1100)
    {
        int size = Math.Min(1100, frame.Length - offset);
        var w = new RtpPacketWriter(packet);
        w.TryWriteHeader(new RtpHeader(vp8, sequence[layer]++, (uint)(3000 * index), ssrcs[layer], Marker: offset + size == frame.Length));
        RtpHeaderExtensionWriter ext = w.BeginHeaderExtension(RtpHeaderExtensionMode.OneByteOnly);
        ext.TryAddText(midId, pubVideo.Mid.AsSpan());
        ext.TryAddText(ridId, rids[layer].AsSpan());
        w.TryEndHeaderExtension(ext.Finish());
        Span<byte> payload = w.GetPayloadBuffer();
        payload[0] = (byte)(offset == 0 ? 0x90 : 0x80); // X=1, S=1 on the frame's first packet, PID 0
        payload[1] = 0x80;                              // I=1: a picture id follows
        payload[2] = (byte)(0x80 | (pictureId >> 8));   // M=1: 15 bits
        payload[3] = (byte)pictureId;
        frame.AsSpan(offset, size).CopyTo(payload[4..]);
        w.AdvancePayload(4 + size);
        publisher.Session.Transport.SendRtp(packet.AsSpan(0, w.Length), now);
    }
}

/// <summary>The SFU's glue: the publisher's packets through the forwarder to the viewers' sessions.</summary>
internal sealed class Room(string[] rids)
{
    private readonly SimulcastForwarder _forwarder = new(new SimulcastForwarderOptions { LayerCount = rids.Length });
    private readonly byte[] _in = new byte[WebRtcSession.MaxDatagramSize];
    private readonly byte[] _out = new byte[WebRtcSession.MaxDatagramSize + 1];
    private Transceiver? _video;
    private string? _audioMid;
    private int _outLength;
    private int _audioLevel;

    public Peer In { get; set; } = null!;

    public List<Out> Outs { get; } = [];

    public long KeyframeRequests { get; private set; }

    public void SetUpPublisher() => In.Invoke(_ =>
    {
        _video = In.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Video);
        _audioMid = In.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Audio).Mid;
        return 0;
    });

    /// <summary>A viewer's SFU session becomes a subscriber: its video SSRC and its number for VP8 go to the forwarder.</summary>
    public void AddViewer(Peer sfuOut)
    {
        var o = new Out(sfuOut, this);
        sfuOut.Invoke(_ =>
        {
            o.Audio = sfuOut.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Audio);
            o.Video = sfuOut.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Video);
            NegotiatedSection v = sfuOut.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
            o.Ssrc = v.LocalSsrc!.Value;
            o.PayloadType = (byte)v.SendCodecs.First(c => c.Name == "VP8").PayloadType;
            return 0;
        });

        // The forwarder and the list of viewers belong to the publisher's session: change them only under its lock.
        sfuOut.OnEvent = o.OnEvent;
        In.Invoke(_ =>
        {
            o.Subscriber = _forwarder.AddSubscriber(o.Ssrc, (ushort)Random.Shared.Next(1 << 16), (uint)Random.Shared.Next(), o.PayloadType);
            Outs.Add(o);
        });
    }

    /// <summary>
    /// Runs under the publisher session's lock after each input. A viewer's session only leaves notes (its target
    /// bitrate, a key frame request) in its <see cref="Out"/>: it never takes this lock, so the two locks are always
    /// taken in one order (publisher, then viewer) and cannot deadlock.
    /// </summary>
    public void OnPublisherPackets(WebRtcSession session, TimeSpan now)
    {
        foreach (Out o in Outs)
        {
            if (Interlocked.Exchange(ref o.PendingTarget, -1) is long target and >= 0)
            {
                // What its video may use: the target less the audio (about 40 kbit/s with headers).
                _forwarder.SetTargetBitrate(o.Subscriber, Math.Max(0, target - 40_000), now);
            }

            if (Interlocked.Exchange(ref o.KeyframeWanted, 0) == 1)
            {
                _forwarder.RequestKeyframe(o.Subscriber, now);
            }
        }

        while (session.TryPollMedia(_in, out ReceivedMedia m))
        {
            ReadOnlySpan<byte> rtp = _in.AsSpan(0, m.Length);
            if (m.Mid == _audioMid)
            {
                // Audio goes to everyone as it came (the session puts its own SSRC and header extensions on it).
                rtp.CopyTo(_out);
                _outLength = rtp.Length;
                _audioLevel = m.AudioLevel;
                foreach (Out o in Outs)
                {
                    o.Peer.Invoke(o.SendAudio);
                }

                continue;
            }

            // Video: which layer (by RID), then once through the forwarder, then a rewritten copy for each viewer
            // that receives this layer now.
            int layer = m.Rid is string rid ? Array.IndexOf(rids, rid) : -1;
            if (layer < 0)
            {
                continue;
            }

            SimulcastPacket p = _forwarder.Ingest(layer, rtp, now);
            foreach (Out o in Outs)
            {
                if (_forwarder.Forward(o.Subscriber, p, rtp, _out, out _outLength) == SimulcastForwardStatus.Forwarded)
                {
                    o.Peer.Invoke(o.SendVideo);
                }
            }
        }

        // A layer switch or a viewer's PLI: ask the publisher for a key frame of that layer (a PLI for its RID).
        while (_forwarder.TryPollKeyframeRequest(out int wanted))
        {
            session.RequestKeyframe(_video!, rids[wanted], now);
            KeyframeRequests++;
        }
    }

    /// <summary>A viewer's SFU session and what the room keeps for it.</summary>
    internal sealed class Out
    {
        public long PendingTarget = -1;
        public int KeyframeWanted;

        public Out(Peer peer, Room room)
        {
            Peer = peer;

            // Made once: a lambda made per packet would allocate on every packet.
            SendVideo = now => Peer.Session.SendRtp(Video!, room._out.AsSpan(0, room._outLength), now);
            SendAudio = now => Peer.Session.SendRtp(Audio!, room._out.AsSpan(0, room._outLength), now, room._audioLevel);
        }

        public Peer Peer { get; }

        public Transceiver? Audio { get; set; }

        public Transceiver? Video { get; set; }

        public uint Ssrc { get; set; }

        public byte PayloadType { get; set; }

        public int Subscriber { get; set; }

        public long TargetBps { get; private set; }

        /// <summary>Gets what sends the packet in the room's buffer on this viewer's video (run under this session's lock).</summary>
        public Action<TimeSpan> SendVideo { get; }

        /// <summary>Gets what sends the packet in the room's buffer on this viewer's audio.</summary>
        public Action<TimeSpan> SendAudio { get; }

        /// <summary>This viewer session's events (under its lock): its target bitrate and its viewer's key frame requests.</summary>
        public void OnEvent(SessionEvent e)
        {
            if (e is SessionTargetBitrateEvent t)
            {
                TargetBps = t.TargetBitrateBps;
                Interlocked.Exchange(ref PendingTarget, t.TargetBitrateBps);
            }
            else if (e is SessionKeyframeRequestedEvent)
            {
                Interlocked.Exchange(ref KeyframeWanted, 1);
            }
        }
    }
}

/// <summary>A session on the host, with what the sample wants to know of it.</summary>
internal sealed class Peer : IDisposable
{
    private readonly UdpSessionHandle _handle;
    private readonly ConcurrentQueue<byte[]> _frames = new();
    private readonly byte[] _media = new byte[1 << 16];
    private long _audio;
    private volatile bool _connected;

    public Peer(UdpSessionHost host, string name, WebRtcSessionOptions options, Action<WebRtcSession, TimeSpan>? onActivity = null)
    {
        Name = name;
        Session = new WebRtcSession(options);
        _handle = host.Add(Session, (_, now) =>
        {
            // After each input, under the session's lock: its events, then its media (or the SFU's forwarding).
            while (Session.TryPollEvent(out SessionEvent? e))
            {
                if (e is SessionStateChangedEvent s)
                {
                    _connected = s.State == PeerConnectionState.Connected;
                }

                OnEvent?.Invoke(e);
            }

            if (onActivity is not null)
            {
                onActivity(Session, now);
                return;
            }

            while (Session.TryPollMedia(_media, out ReceivedMedia m))
            {
                if (m.IsVideo)
                {
                    _frames.Enqueue(_media.AsSpan(0, m.Length).ToArray());
                }
                else
                {
                    Interlocked.Increment(ref _audio);
                }
            }
        });
    }

    public string Name { get; }

    public WebRtcSession Session { get; }

    public bool Connected => _connected;

    public Action<SessionEvent>? OnEvent { get; set; }

    public long AudioPackets => Interlocked.Read(ref _audio);

    public T Invoke<T>(Func<TimeSpan, T> action) => _handle.Invoke(action);

    public void Invoke(Action<TimeSpan> action) => _handle.Invoke(action);

    /// <summary>A REMB (draft-alvestrand-rmcat-remb-03) for all the peer's streams, after an empty receiver report.</summary>
    public void SendRemb(ulong bitsPerSecond) => _handle.Invoke(now =>
    {
        byte[] rtcp = new byte[64];
        var compound = new RtcpCompoundWriter(rtcp);
        compound.TryAddReceiverReport(0x0B0B0B0B, []);
        compound.TryAddRemb(0x0B0B0B0B, bitsPerSecond, []);
        Session.Transport.SendRtcp(rtcp.AsSpan(0, compound.Length), now);
    });

    /// <summary>Each frame received: its layer, its index, and whether it is byte for byte the frame the publisher made.</summary>
    public List<(int Layer, int Index, bool Whole)> Frames() =>
        [.. _frames.Select(f =>
        {
            int layer = f.Length > 16 ? f[12] : 0, index = f.Length > 16 ? BinaryPrimitives.ReadInt32BigEndian(f.AsSpan(13)) : -1;
            bool key = (f[0] & 1) == 0;
            return (layer, index, layer is >= 0 and < 3 && index >= 0 && f.AsSpan().SequenceEqual(Media.Frame(layer, index, key, f.Length)));
        })];

    public void Dispose()
    {
        _handle.Invoke(now => Session.Close(now));
        _handle.Host.Remove(_handle);
        Session.Dispose();
    }
}

/// <summary>The test media: frames and Opus packets that say what they are.</summary>
internal static class Media
{
    /// <summary>A frame: a VP8 key frame header (RFC 6386 §9.1) or a delta frame's tag, then its layer and index, then a pattern.</summary>
    public static byte[] Frame(int layer, int index, bool key, int size)
    {
        var f = new byte[size];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (byte)((i * 31) + index + layer);
        }

        if (key)
        {
            ReadOnlySpan<byte> header = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
            header.CopyTo(f);
        }
        else
        {
            f[0] = 0x01;
        }

        f[12] = (byte)layer;
        BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(13), index);
        return f;
    }

    /// <summary>An Opus packet: a 20 ms SILK TOC byte (RFC 6716 §3.1), then its index.</summary>
    public static byte[] Opus(int index)
    {
        byte[] p = new byte[20];
        p[0] = 0x08;
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(1), index);
        return p;
    }
}
