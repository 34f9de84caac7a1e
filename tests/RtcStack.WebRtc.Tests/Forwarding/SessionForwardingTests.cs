using System.Buffers.Binary;
using RtcStack.Congestion.Gcc;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.TestSupport;
using RtcStack.WebRtc.Forwarding;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;
using Xunit;
using Node = RtcStack.WebRtc.Tests.Forwarding.ForwardingNet.Node;

namespace RtcStack.WebRtc.Tests.Forwarding;

/// <summary>
/// The forwarder wired into sessions, in virtual time: a publisher sends three VP8 simulcast layers (RFC 8853, told
/// apart by RID) and Opus to the SFU's publisher-side session, which hands them over as RTP packets
/// (<see cref="WebRtcSessionOptions.ReceiveRtpPackets"/>); a <see cref="SimulcastForwarder"/> picks each subscriber's
/// layer from its session's target bitrate and rewrites the packets, and each subscriber session sends them with
/// <see cref="WebRtcSession.SendRtp"/> to its viewer. The simulated publisher (written here: our session does not send
/// simulcast itself) sends a key frame on every layer when a PLI reaches it, and otherwise only delta frames.
/// </summary>
public class SessionForwardingTests
{
    private const int FrameRate = 30;
    private static readonly byte[] KeyFrameHeader = [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01];
    private static readonly string[] Rids = ["q", "h", "f"];
    private static readonly int[] LayerFrameBytes = [300, 800, 5000];

    [Fact]
    public void TwoSubscribersWithDifferentEstimatesEachDecodeOneContinuousStreamSwitchingAtKeyFramesAfterPlis()
    {
        using var net = new ForwardingNet();
        using var room = new Room(net, seed: 11);

        // Layers of about 80 kbit/s, 200 kbit/s and 1.25 Mbit/s. Viewer 1 has room for the top one (its subscriber
        // session starts at 3 Mbit/s); viewer 2's subscriber session may not go over 400 kbit/s, so the top layer never
        // fits it.
        Viewer v1 = room.AddViewer("1", new GccOptions { StartBitrateBps = 3_000_000, InitialProbing = false, AlrProbing = false });
        Viewer v2 = room.AddViewer("2", new GccOptions { StartBitrateBps = 400_000, MaxBitrateBps = 400_000, InitialProbing = false, AlrProbing = false });
        room.Connect();

        // One lost video packet on each subscriber's leg, after the streams have settled: the viewer NACKs it, the
        // subscriber session resends it from its own history (RTX).
        DropOnce(v1, room, 60);
        DropOnce(v2, room, 70);

        room.Publish(frames: 150);
        net.RunFor(TimeSpan.FromMilliseconds(500));

        foreach (Viewer v in (Viewer[])[v1, v2])
        {
            AssertContinuous(room, v, 150);
            Stream(v, out ReceiveStreamStats stats);
            Assert.True(stats.RetransmittedPacketsReceived >= 1, $"viewer {v.Name}: {stats.RetransmittedPacketsReceived} retransmissions");
            Assert.Equal(1, v.Node.Peer!.Dropped);

            // Audio forwards too: every Opus payload, in order.
            List<byte[]> audio = v.Node.Media.Where(m => !m.Media.IsVideo).Select(m => m.Data).ToList();
            Assert.Equal(room.AudioSent, audio.Count);
            Assert.Equal(Enumerable.Range(0, audio.Count).Select(i => (byte)i), audio.Select(a => a[1]));
        }

        // Viewer 1 ends on the top layer, viewer 2 on the middle one; both started on the lowest (the only one the
        // forwarder had seen at their first packet) and moved up at a requested key frame.
        Assert.Equal([0, 2], LayerRuns(room.CheckFrames(v1)));
        Assert.Equal([0, 1], LayerRuns(room.CheckFrames(v2)));
        Assert.NotEmpty(room.PliKeyFrames);
        Assert.Equal(0, room.In.Session.MediaCounters.MediaQueueOverflows);
        Assert.All(room.Viewers, v => Assert.Equal(0, v.Out.Session.MediaCounters.ForwardedPacketsRefused));
    }

    [Fact]
    public void ASubscriberWhoseLinkNarrowsMovesDownALayerAtAKeyFrame()
    {
        using var net = new ForwardingNet();
        using var room = new Room(net, seed: 23);
        Viewer v = room.AddViewer("1", new GccOptions { StartBitrateBps = 3_000_000, InitialProbing = false, AlrProbing = false });
        room.Connect();

        // Two seconds on the top layer, then the subscriber's link narrows to 800 kbit/s (the top layer needs 1.25).
        room.OnFrame = frame =>
        {
            if (frame == 60)
            {
                v.Out.UplinkBps = 800_000;
            }
        };
        room.Publish(frames: 240);
        net.RunFor(TimeSpan.FromMilliseconds(1000));

        List<(int Layer, int Index, bool Key, uint Timestamp)> frames = AssertContinuous(room, v, 240);

        // Up to the top layer at the first review, down to the middle one at the key frame asked for once the
        // subscriber session's estimate (GCC, delay-based) fell below the top layer's bitrate.
        Assert.Equal([0, 2, 1], LayerRuns(frames));
        int down = frames.First(f => f.Layer == 1).Index;
        Assert.InRange(down, 61, 90);
        Assert.Contains(down, room.PliKeyFrames);
        Assert.True(v.Targets[^1] < 1_250_000, $"target {v.Targets[^1]}");
        Assert.Equal(0, v.Out.Dropped);
    }

    /// <summary>
    /// Every frame of the publisher reached the viewer, whole (checked against what was sent), from one layer or, at an
    /// upward switch, two; timestamps increase; a switch happens only at a key frame, and (after the first frame) only
    /// at one the publisher made because a PLI reached it; the viewer's frame buffer dropped nothing.
    /// </summary>
    private static List<(int Layer, int Index, bool Key, uint Timestamp)> AssertContinuous(Room room, Viewer v, int count)
    {
        List<(int Layer, int Index, bool Key, uint Timestamp)> frames = room.CheckFrames(v);
        Assert.Equal(Enumerable.Range(0, count), frames.Select(f => f.Index).Distinct());
        Assert.True(frames[0].Key);
        for (int i = 1; i < frames.Count; i++)
        {
            int step = frames[i].Index - frames[i - 1].Index;
            bool switched = frames[i].Layer != frames[i - 1].Layer;
            Assert.True(step == 1 || (step == 0 && switched), $"viewer {v.Name}: frame {frames[i - 1]} then {frames[i]}");
            Assert.True(frames[i].Timestamp > frames[i - 1].Timestamp, $"viewer {v.Name}: timestamps go back at {frames[i]}");
            if (switched)
            {
                Assert.True(frames[i].Key, $"viewer {v.Name}: switch at {frames[i]}, a delta frame");
                Assert.Contains(frames[i].Index, room.PliKeyFrames);
            }
        }

        Stream(v, out ReceiveStreamStats stats);
        Assert.Equal(0, stats.FramesDropped);
        Assert.Equal(frames.Count, stats.FramesReceived);
        return frames;
    }

    private static List<int> LayerRuns(List<(int Layer, int Index, bool Key, uint Timestamp)> frames) =>
        frames.Where((f, i) => i == 0 || frames[i - 1].Layer != f.Layer).Select(f => f.Layer).ToList();

    /// <summary>
    /// The forwarding path allocates nothing per packet: the simulated publisher's packets (three layers, 7 packets a
    /// frame at 30 frames a second, and Opus every 20 ms) in, the SFU session's RTP packets out, the forwarder, two
    /// subscriber sessions' SendRtp (history, pacer, transport-wide numbering, SRTP) and the viewers' receive path. The
    /// sessions are wired back to back (a datagram is delivered the moment it is polled) and measured in chunks
    /// (AllocationProbe), so RTCP, feedback and consent checks stay out of some of them.
    /// </summary>
    [Fact]
    public void ForwardingThroughSessionsAllocatesNothingPerPacket()
    {
        using var net = new ForwardingNet();
        using var room = new Room(net, seed: 37);
        Viewer v1 = room.AddViewer("1", new GccOptions { StartBitrateBps = 3_000_000, InitialProbing = false, AlrProbing = false });
        Viewer v2 = room.AddViewer("2", new GccOptions { StartBitrateBps = 400_000, MaxBitrateBps = 400_000, InitialProbing = false, AlrProbing = false });
        room.Connect();
        room.Publish(frames: 30);
        net.RunFor(TimeSpan.FromMilliseconds(300));

        Node[] nodes = [room.Pub, room.In, v1.Out, v1.Node, v2.Out, v2.Node];
        byte[][] keys = [.. Enumerable.Range(0, 3).Select(l => Room.Frame(l, 0, key: true))];
        byte[][] deltas = [.. Enumerable.Range(0, 3).Select(l => Room.Frame(l, 0, key: false))];
        byte[] buffer = new byte[WebRtcSession.MinOutputBuffer];
        byte[] media = new byte[1 << 16];
        byte[] opus = [15 << 3, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        TimeSpan now = net.Now;
        long plisHandled = room.Pub.Session.RtcpCounters.PayloadFeedbackReceived;
        long viewerFrames = 0, viewerAudio = 0;
        room.ManualNow = now;

        void Settle()
        {
            for (bool any = true; any;)
            {
                any = false;
                foreach (Node n in nodes)
                {
                    while (n.Session.TryPollTransmit(buffer, out DatagramTransmit t))
                    {
                        n.Peer!.Session.HandleDatagram(t.Destination, t.Source, buffer.AsSpan(0, t.Length), now);
                        any = true;
                    }

                    while (n.Session.TryPollEvent(out SessionEvent? e))
                    {
                        n.OnEvent?.Invoke(e);
                        any = true;
                    }

                    while (n.Session.TryPollMedia(media, out ReceivedMedia m))
                    {
                        any = true;
                        if (n == room.In)
                        {
                            room.OnPublisherMedia(m, media.AsSpan(0, m.Length));
                        }
                        else if (m.IsVideo)
                        {
                            viewerFrames++;
                        }
                        else
                        {
                            viewerAudio++;
                        }
                    }
                }

                room.OnStep(now);
            }
        }

        int frame = 30, audio = 0;
        void Round(int i)
        {
            // 10 ms a round: audio every other, a frame of each layer every third (33 ms is near enough here).
            // Every timer due in the round runs at its time (the pacer sends a packet or two per wake-up).
            TimeSpan end = now + TimeSpan.FromMilliseconds(10);
            while (true)
            {
                TimeSpan next = end;
                foreach (Node n in nodes)
                {
                    if (n.Session.PollTimeout() is TimeSpan t && t < next)
                    {
                        next = t;
                    }
                }

                now = next > now ? next : now;
                room.ManualNow = now;
                foreach (Node n in nodes)
                {
                    if (n.Session.PollTimeout() is TimeSpan due && due <= now)
                    {
                        n.Session.HandleTimeout(now);
                    }
                }

                Settle();
                if (next >= end)
                {
                    break;
                }
            }

            if (i % 2 == 0)
            {
                opus[1] = (byte)audio;
                room.SendAudio(opus, audio++, now);
            }

            if (i % 3 == 0)
            {
                long plis = room.Pub.Session.RtcpCounters.PayloadFeedbackReceived;
                bool key = plis > plisHandled;
                plisHandled = plis;
                for (int layer = 0; layer < 3; layer++)
                {
                    room.SendFrame(layer, frame, key ? keys[layer] : deltas[layer], now);
                }

                frame++;
            }

            Settle();
        }

        for (int i = 0; i < 600; i++)
        {
            Round(i);
        }

        long framesBefore = viewerFrames;
        Assert.Equal(0, AllocationProbe.LeastPerChunk(600, 3600, 30, Round));

        // The measured rounds did forward: 1000 frames to each viewer, 1500 audio packets to each.
        Assert.InRange(viewerFrames - framesBefore, 2 * 1000, (2 * 1000) + 10);
        Assert.Equal(2 * audio, viewerAudio);
        Assert.All(room.Viewers, v => Assert.Equal(0, v.Out.Session.MediaCounters.ForwardedPacketsRefused));
    }

    private static void DropOnce(Viewer v, Room room, int afterFrame)
    {
        bool dropped = false;
        v.Out.Drop = data =>
        {
            if (dropped || room.FramesSent < afterFrame || !IsRtp(data) || BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8)) != v.OutVideoSsrc)
            {
                return false;
            }

            dropped = true;
            return true;
        };
    }

    private static bool IsRtp(byte[] data) => data.Length >= 12 && data[0] >> 6 == 2 && data[1] is < 192 or > 223;

    private static void Stream(Viewer v, out ReceiveStreamStats stats) =>
        stats = v.Node.Session.Sections.Single(s => s.Kind == MediaKind.Video).Inbound.Single();

    internal sealed class Viewer(string name, Node node, Node output)
    {
        public string Name { get; } = name;

        /// <summary>Gets the viewer's own session.</summary>
        public Node Node { get; } = node;

        /// <summary>Gets the SFU's subscriber session that sends to it.</summary>
        public Node Out { get; } = output;

        public Transceiver? Audio { get; set; }

        public Transceiver? Video { get; set; }

        public uint OutVideoSsrc { get; set; }

        public int Subscriber { get; set; } = -1;

        public List<long> Targets { get; } = [];
    }

    /// <summary>
    /// The publisher, the SFU (its publisher-side session, the forwarder and one subscriber session per viewer, and the
    /// glue between them: what an SFU application does with the sessions' outputs), and the viewers.
    /// </summary>
    internal sealed class Room : IDisposable
    {
        private readonly ForwardingNet _net;
        private readonly int _seed;
        private readonly byte[] _forwarded = new byte[WebRtcSession.MaxDatagramSize + 1];
        private readonly byte[] _packet = new byte[1500];
        private readonly uint[] _layerSsrcs = [0x1000_0001, 0x1000_0002, 0x1000_0003];
        private readonly ushort[] _layerSequence = [1000, 20000, 40000];
        private Transceiver? _pubAudio;
        private Transceiver? _inVideo;
        private string _audioMid = "";
        private NegotiatedSection? _pubVideo;
        private byte _vp8;
        private byte _midId;
        private byte _ridId;
        private long _plisHandled;

        public Room(ForwardingNet net, int seed)
        {
            _net = net;
            _seed = seed;
            Pub = net.Add("publisher", Options(seed, null));
            In = net.Add("sfu-in", Options(seed + 1, null, receiveRtpPackets: true));
            ForwardingNet.Link(Pub, In);
            Forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { LayerCount = 3 });
            In.OnMedia = OnPublisherMedia;
            net.Step = OnStep;
        }

        public Node Pub { get; }

        /// <summary>Gets or sets the time the SFU's handlers use when a test drives the sessions itself (else the net's).</summary>
        public TimeSpan? ManualNow { get; set; }

        private TimeSpan Now => ManualNow ?? _net.Now;

        public Node In { get; }

        public SimulcastForwarder Forwarder { get; }

        public List<Viewer> Viewers { get; } = [];

        public int FramesSent { get; private set; }

        /// <summary>Gets or sets what runs before each frame is sent, with its index.</summary>
        public Action<int>? OnFrame { get; set; }

        public int AudioSent { get; private set; }

        /// <summary>Gets the frame indices the publisher made key frames of because a PLI had reached it.</summary>
        public List<int> PliKeyFrames { get; } = [];

        public Viewer AddViewer(string name, GccOptions gcc)
        {
            int n = Viewers.Count + 2;
            Node viewer = _net.Add("viewer-" + name, Options(_seed + (10 * n), null));
            Node output = _net.Add("sfu-out-" + name, Options(_seed + (10 * n) + 1, gcc));
            ForwardingNet.Link(viewer, output);
            var v = new Viewer(name, viewer, output);
            output.OnEvent = e => OnSubscriberEvent(v, e);
            Viewers.Add(v);
            return v;
        }

        /// <summary>Negotiates every leg (the publisher offers simulcast; each viewer offers to receive, as WHEP) and waits until media can flow.</summary>
        public void Connect()
        {
            // Publisher → SFU: audio and video, three RIDs in the video section (RFC 8853 §5.1, RFC 8851).
            _pubAudio = Pub.Session.AddTransceiver(MediaKind.Audio, MediaDirection.SendOnly);
            Pub.Session.AddTransceiver(MediaKind.Video, MediaDirection.SendOnly);
            Assert.True(SessionDescription.TryParse(Pub.Session.CreateOffer(_net.Now), out SessionDescription? offer, out _));
            MediaDescription m = offer!.MediaDescriptions.Single(x => x.Media == "video");
            foreach (string rid in Rids.Reverse())
            {
                m.Lines.Add(new Rid(rid, RidDirection.Send).ToLine());
            }

            m.Lines.Add(new Simulcast(Rids.Reverse().Select(r => (IReadOnlyList<SimulcastStream>)[new SimulcastStream(r)]), []).ToLine());
            Assert.True(In.Session.TryAnswer(offer.ToString(), MediaDirection.RecvOnly, _net.Now, out string? answer, out JsepError? error), error?.ToString());
            Assert.True(Pub.Session.TryApplyAnswer(answer, _net.Now, out error), error?.ToString());
            _pubVideo = Pub.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
            _vp8 = (byte)_pubVideo.SendCodecs.First(c => c.Name == "VP8").PayloadType;
            _midId = (byte)_pubVideo.GetExtensionId(ExtMap.MidUri)!.Value;
            _ridId = (byte)_pubVideo.GetExtensionId(JsepOptions.RidUri)!.Value;
            _inVideo = In.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Video);
            _audioMid = In.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Audio).Mid!;
            Assert.Equal(Rids.Reverse(), In.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video).ReceiveRids);

            foreach (Viewer v in Viewers)
            {
                v.Node.Session.AddTransceiver(MediaKind.Audio, MediaDirection.RecvOnly);
                v.Node.Session.AddTransceiver(MediaKind.Video, MediaDirection.RecvOnly);
                string viewerOffer = v.Node.Session.CreateOffer(_net.Now);
                Assert.True(v.Out.Session.TryAnswer(viewerOffer, MediaDirection.SendOnly, _net.Now, out string? viewerAnswer, out error), error?.ToString());
                Assert.True(v.Node.Session.TryApplyAnswer(viewerAnswer, _net.Now, out error), error?.ToString());
                v.Audio = v.Out.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Audio);
                v.Video = v.Out.Session.Jsep.Transceivers.Single(t => t.Kind == MediaKind.Video);
                NegotiatedSection video = v.Out.Session.Jsep.NegotiatedSections.Single(x => x.Kind == MediaKind.Video);
                v.OutVideoSsrc = video.LocalSsrc!.Value;
                byte pt = (byte)video.SendCodecs.First(c => c.Name == "VP8").PayloadType;
                v.Subscriber = Forwarder.AddSubscriber(v.OutVideoSsrc, firstSequenceNumber: (ushort)(65500 + (Viewers.IndexOf(v) * 20000)), firstTimestamp: 12345, payloadType: pt);
            }

            Assert.True(_net.RunUntil(
                () => Pub.Session.CanSendMedia && In.Session.State == PeerConnectionState.Connected && Viewers.All(v => v.Out.Session.CanSendMedia && v.Node.Session.State == PeerConnectionState.Connected),
                TimeSpan.FromSeconds(10)));
        }

        /// <summary>Sends <paramref name="frames"/> frames of every layer at 30 a second, and an Opus packet every 20 ms.</summary>
        public void Publish(int frames)
        {
            TimeSpan start = _net.Now;
            int audio = 0;
            for (int frame = 0; frame < frames; frame++)
            {
                TimeSpan due = start + TimeSpan.FromTicks(frame * TimeSpan.TicksPerSecond / FrameRate);
                while (start + TimeSpan.FromMilliseconds(20 * audio) <= due)
                {
                    _net.RunUntil(() => false, start + TimeSpan.FromMilliseconds(20 * audio) - _net.Now);
                    byte[] opus = [15 << 3, (byte)audio, 1, 2, 3, 4, 5, 6, 7, 8];
                    Assert.True(Pub.Session.SendAudio(_pubAudio!, opus, (uint)(960 * audio), _net.Now, audioLevel: 30));
                    audio++;
                }

                _net.RunUntil(() => false, due - _net.Now);
                OnFrame?.Invoke(frame);
                long plis = Pub.Session.RtcpCounters.PayloadFeedbackReceived;
                bool key = frame == 0 || plis > _plisHandled;
                if (key && frame > 0)
                {
                    PliKeyFrames.Add(frame);
                }

                _plisHandled = plis;
                for (int layer = 0; layer < 3; layer++)
                {
                    SendFrame(layer, frame, key);
                }

                FramesSent = frame + 1;
            }

            AudioSent = audio;
        }

        /// <summary>Checks each frame a viewer got against what the publisher sent, and says which it was.</summary>
        public List<(int Layer, int Index, bool Key, uint Timestamp)> CheckFrames(Viewer v)
        {
            var list = new List<(int, int, bool, uint)>();
            foreach ((ReceivedMedia media, byte[] data, _) in v.Node.Media.Where(x => x.Media.IsVideo))
            {
                Assert.True(data.Length > 16, $"viewer {v.Name}: a {data.Length}-byte frame");
                int layer = data[12], index = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(13));
                bool key = (data[0] & 1) == 0;
                Assert.Equal(Frame(layer, index, key), data);
                Assert.Equal(key, media.KeyFrame);
                list.Add((layer, index, key, media.Timestamp));
            }

            return list;
        }

        public void Dispose()
        {
        }

        private static WebRtcSessionOptions Options(int seed, GccOptions? gcc, bool receiveRtpPackets = false) => new()
        {
            ReceiveRtpPackets = receiveRtpPackets,
            Random = new Random(seed),
            Transport = new WebRtcTransportOptions { Random = new Random(seed + 1) },
            Gcc = gcc ?? new GccOptions { InitialProbing = false, AlrProbing = false },
        };

        /// <summary>A VP8 frame: a key frame's header or an inter frame's tag (RFC 6386 §9.1), then layer and index, then a pattern.</summary>
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

        /// <summary>One layer's frame in packets of at most 1100 bytes, each with a VP8 descriptor with a 15-bit PictureID (RFC 7741 §4.2).</summary>
        private void SendFrame(int layer, int index, bool key) => SendFrame(layer, index, Frame(layer, index, key), _net.Now);

        /// <summary>Sends <paramref name="frame"/> as layer <paramref name="layer"/>'s frame <paramref name="index"/> (no allocation).</summary>
        public void SendFrame(int layer, int index, byte[] frame, TimeSpan now)
        {
            int pictureId = (index + (layer * 1000)) & 0x7FFF;
            for (int offset = 0; offset < frame.Length; offset += 1100)
            {
                int size = Math.Min(1100, frame.Length - offset);
                var w = new RtpPacketWriter(_packet);
                Assert.True(w.TryWriteHeader(new RtpHeader(_vp8, _layerSequence[layer]++, (uint)(3000 * index) + (uint)(layer * 777), _layerSsrcs[layer], Marker: offset + size == frame.Length)));
                RtpHeaderExtensionWriter ext = w.BeginHeaderExtension(RtpHeaderExtensionMode.OneByteOnly);
                Assert.True(ext.TryAddText(_midId, _pubVideo!.Mid.AsSpan()));
                if (index < 3)
                {
                    Assert.True(ext.TryAddText(_ridId, Rids[layer].AsSpan()));
                }

                Assert.True(w.TryEndHeaderExtension(ext.Finish()));
                Span<byte> payload = w.GetPayloadBuffer();
                payload[0] = (byte)(offset == 0 ? 0x90 : 0x80);
                payload[1] = 0x80;
                payload[2] = (byte)(0x80 | (pictureId >> 8));
                payload[3] = (byte)pictureId;
                frame.AsSpan(offset, size).CopyTo(payload[4..]);
                w.AdvancePayload(4 + size);
                if (Pub.Session.Transport.SendRtp(_packet.AsSpan(0, w.Length), now) != TransportSendStatus.Sent)
                {
                    Assert.Fail("the publisher's transport did not send");
                }
            }
        }

        /// <summary>Sends one Opus packet from the publisher (audio level 30).</summary>
        public void SendAudio(byte[] opus, int index, TimeSpan now) =>
            Assert.True(Pub.Session.SendAudio(_pubAudio!, opus, (uint)(960 * index), now, audioLevel: 30));

        /// <summary>The SFU's publisher side: video through the forwarder to each subscriber, audio to each as it is.</summary>
        public void OnPublisherMedia(in ReceivedMedia media, ReadOnlySpan<byte> packet)
        {
            Assert.True(media.IsRtpPacket);
            TimeSpan now = Now;
            if (media.Mid == _audioMid)
            {
                foreach (Viewer v in Viewers)
                {
                    Assert.True(v.Out.Session.SendRtp(v.Audio!, packet, now, media.AudioLevel, media.VoiceActivity));
                }

                return;
            }

            int layer = Array.IndexOf(Rids, media.Rid);
            SimulcastPacket p = Forwarder.Ingest(layer, packet, now);
            if (p.Status != SimulcastIngestStatus.Accepted)
            {
                Assert.Fail($"ingest: {p.Status}");
            }

            foreach (Viewer v in Viewers)
            {
                if (Forwarder.Forward(v.Subscriber, p, packet, _forwarded, out int written) == SimulcastForwardStatus.Forwarded)
                {
                    if (!v.Out.Session.SendRtp(v.Video!, _forwarded.AsSpan(0, written), now))
                    {
                        SessionMediaCounters c = v.Out.Session.MediaCounters;
                        Assert.Fail($"viewer {v.Name}: SendRtp refused at {now}: refused {c.ForwardedPacketsRefused}, failed {c.SendFailed}, too large {c.SendTooLarge}, can send {v.Out.Session.CanSendMedia}, state {v.Out.Session.State}, pacer queue {v.Out.Session.PacerQueuedPackets}");
                    }
                }
            }
        }

        /// <summary>The SFU's subscriber side: a viewer's key frame request goes to the forwarder, its session's target sets its layer.</summary>
        public void OnSubscriberEvent(Viewer v, SessionEvent e)
        {
            v.Out.Events.Add(e);
            switch (e)
            {
                case SessionKeyframeRequestedEvent:
                    Forwarder.RequestKeyframe(v.Subscriber, Now);
                    break;
                case SessionTargetBitrateEvent t:
                    v.Targets.Add(t.TargetBitrateBps);

                    // What the video may take: the target less the audio stream (about 40 kbit/s with its headers).
                    Forwarder.SetTargetBitrate(v.Subscriber, t.TargetBitrateBps - 40_000, Now);
                    break;
            }
        }

        /// <summary>Key frame requests of the forwarder go to the publisher as PLIs for the layer's RID.</summary>
        public void OnStep(TimeSpan now)
        {
            while (Forwarder.TryPollKeyframeRequest(out int layer))
            {
                In.Session.RequestKeyframe(_inVideo!, Rids[layer], now);
            }
        }
    }
}
