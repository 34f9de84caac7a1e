using System.Text.Json;
using Microsoft.Extensions.Logging;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Forwarding;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.Cli.Serve;

/// <summary>
/// One room of <c>rtcstack serve</c>: a publisher's session (WHIP, <see cref="WebRtcSessionOptions.ReceiveRtpPackets"/>)
/// and its viewers' sessions (WHEP, send-only), on any of the server's hosts. The publisher's video goes through a
/// <see cref="SimulcastForwarder"/>, one subscriber a viewer: its layer follows the viewer session's target bitrate
/// (its congestion controller, capped by the viewer's REMB), a switch waits for a key frame of the new layer, asked of
/// the publisher with a PLI for that RID; the viewer's own PLIs go the same way. Audio is forwarded as it came (payload
/// type renumbered). A viewer's NACKs are answered by its own session from its send history (RTX when negotiated):
/// the forwarder's packets are kept there as the session's own media.
/// </summary>
/// <remarks>
/// Threads: everything the forwarder does runs under the publisher's session lock (its activity callback, after every
/// input), which is the room's lock; a packet for a viewer is sent inside that viewer's lock
/// (<see cref="RtcStack.WebRtc.Io.UdpSessionHandle.Invoke(Action{TimeSpan})"/>), always in that order. A viewer's
/// callbacks never take the publisher's lock: what they learn (target bitrate, key frame request, removal) is left in
/// the viewer's fields for the publisher's next activity to apply. The per-packet path allocates nothing.
/// </remarks>
internal sealed class ServeRoom
{
    /// <summary>What the video of a viewer may not use of its target bitrate: the audio stream (Opus, with its headers).</summary>
    public const long AudioAllowanceBps = 40_000;

    private readonly Lock _gate = new();
    private readonly ILogger _log;
    private readonly byte[] _audioNames = new byte[128];
    private readonly List<string> _audioCodecNames = [];
    private byte[] _in = new byte[WebRtcSession.MaxDatagramSize];
    private Member[] _members = [];
    private Member? _publisher;
    private SimulcastForwarder? _forwarder;
    private Transceiver? _videoTransceiver;
    private string? _audioMid;
    private string? _videoMid;
    private string[] _rids = [];
    private int _videoPt = -1;
    private int _viewersJoined;
    private bool _ended;

    public ServeRoom(string name, ILogger log)
    {
        Name = name;
        _log = log;
        Array.Fill(_audioNames, byte.MaxValue);
    }

    /// <summary>Gets the room's name (the route value).</summary>
    public string Name { get; }

    /// <summary>Gets the publisher's video codec (the first it can send in the answer), or null without video.</summary>
    public string? VideoCodec { get; private set; }

    /// <summary>Gets the simulcast layers, lowest first (1 without simulcast).</summary>
    public int LayerCount => Math.Max(1, _rids.Length);

    /// <summary>Gets whether a publisher is attached and the room has not ended.</summary>
    public bool HasPublisher => Volatile.Read(ref _publisher) is not null && !Volatile.Read(ref _ended);

    /// <summary>Gets the viewers (a snapshot).</summary>
    public IReadOnlyList<Member> Viewers => Volatile.Read(ref _members);

    /// <summary>Gets the buffer a forwarded packet is written to before it is sent (used under the publisher's lock only).</summary>
    internal byte[] Out { get; } = new byte[WebRtcSession.MaxDatagramSize + 1];

    /// <summary>Gets the length of the packet in <see cref="Out"/>.</summary>
    internal int OutLength { get; private set; }

    internal int OutAudioLevel { get; private set; }

    internal bool OutVoiceActivity { get; private set; }

    internal long AudioPacketsReceived { get; private set; }

    internal long VideoPacketsReceived { get; private set; }

    internal long VideoPacketsIgnored { get; private set; }

    internal long KeyframeRequestsSent { get; private set; }

    /// <summary>
    /// Gets or sets a video target for every viewer in place of its session's (for <c>bench forward</c>, which holds all
    /// viewers on one layer); null (serve): each viewer's layer follows its session's target bitrate.
    /// </summary>
    internal long? FixedVideoTargetBps { get; set; }

    /// <summary>Takes <paramref name="r"/> as the room's publisher (under its lock); an error when it sends nothing a room can forward.</summary>
    public string? AttachPublisher(SessionResource<WebRtcSession> r)
    {
        string? error = "the session ended";
        r.Handle.Invoke(_ =>
        {
            WebRtcSession s = r.Session;
            foreach (NegotiatedSection n in s.Jsep.NegotiatedSections)
            {
                if (n.Stopped || !n.Direction.Receives() || n.Mid is null)
                {
                    continue;
                }

                if (n.Kind == MediaKind.Audio && _audioMid is null)
                {
                    _audioMid = n.Mid;
                    foreach (NegotiatedCodec c in n.ReceiveCodecs)
                    {
                        _audioNames[c.PayloadType & 0x7F] = (byte)_audioCodecNames.Count;
                        _audioCodecNames.Add(c.Name);
                    }
                }
                else if (n.Kind == MediaKind.Video && _videoMid is null)
                {
                    _videoMid = n.Mid;
                    _videoTransceiver = n.Transceiver;
                    NegotiatedCodec? codec = n.ReceiveCodecs.FirstOrDefault(c => !IsRepair(c.Name));
                    VideoCodec = codec?.Name;
                    _rids = OrderLayers(n.ReceiveRids);
                    SimulcastCodec? kind = codec?.Name.ToUpperInvariant() switch { "VP8" => SimulcastCodec.Vp8, "H264" => SimulcastCodec.H264, "VP9" => SimulcastCodec.Vp9, "AV1" => SimulcastCodec.Av1, _ => null };
                    if (codec is not null && kind is SimulcastCodec k)
                    {
                        _videoPt = codec.PayloadType;
                        _forwarder = new SimulcastForwarder(new SimulcastForwarderOptions { Codec = k, LayerCount = LayerCount, ClockRate = codec.ClockRate });
                    }
                    else if (codec is not null)
                    {
                        _log.LogWarning("room {Room}: {Codec} video is not forwarded (the forwarder rewrites VP8, VP9, H.264 and AV1)", Name, codec.Name);
                    }
                }
            }

            if (_audioMid is null && _videoMid is null)
            {
                error = "the offer publishes no audio or video";
                return;
            }

            var m = new Member(this, r, publisher: true) { State = s.State };
            r.Tag = m;
            Volatile.Write(ref _publisher, m);
            error = null;
        });
        return error;
    }

    /// <summary>Adds <paramref name="r"/> as a viewer (its sections are read under its lock); false when the room has ended.</summary>
    public bool AttachViewer(SessionResource<WebRtcSession> r)
    {
        Member? added = null;
        r.Handle.Invoke(_ =>
        {
            WebRtcSession s = r.Session;
            var m = new Member(this, r, publisher: false) { State = s.State };
            foreach (NegotiatedSection n in s.Jsep.NegotiatedSections)
            {
                if (n.Stopped || !n.Direction.Sends() || n.Transceiver is null)
                {
                    continue;
                }

                if (n.Kind == MediaKind.Audio && m.Audio is null && _audioMid is not null)
                {
                    m.Audio = n.Transceiver;
                    for (int pt = 0; pt < 128; pt++)
                    {
                        if (_audioNames[pt] != byte.MaxValue)
                        {
                            string name = _audioCodecNames[_audioNames[pt]];
                            NegotiatedCodec? c = n.SendCodecs.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
                            m.AudioPayloadTypes[pt] = c is null ? byte.MaxValue : (byte)c.PayloadType;
                        }
                    }
                }
                else if (n.Kind == MediaKind.Video && m.Video is null && VideoCodec is not null && n.LocalSsrc is uint ssrc)
                {
                    NegotiatedCodec? c = n.SendCodecs.FirstOrDefault(x => string.Equals(x.Name, VideoCodec, StringComparison.OrdinalIgnoreCase));
                    if (c is not null)
                    {
                        m.Video = n.Transceiver;
                        m.VideoMid = n.Mid;
                        m.VideoSsrc = ssrc;
                        m.VideoPayloadType = (byte)c.PayloadType;
                    }
                }
            }

            if (FixedVideoTargetBps is long fixedTarget)
            {
                m.SetTarget(fixedTarget);
            }
            else if (s.TargetBitrateBps is long target)
            {
                m.SetTarget(target);
            }

            r.Tag = m;
            added = m;
        });
        if (added is null)
        {
            return false;
        }

        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            added.Name = "viewer-" + (++_viewersJoined).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _members = [.. _members, added];
        }

        return true;
    }

    /// <summary>Marks the room ended (once): no viewer joins it from now on.</summary>
    public bool TryEnd()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return false;
            }

            _ended = true;
            return true;
        }
    }

    /// <summary>Under the publisher's lock, after every input: apply the viewers' news, then forward every packet received.</summary>
    public void OnPublisherActivity(TimeSpan now)
    {
        if (_publisher is not Member publisher)
        {
            return;
        }

        Member[] members = Volatile.Read(ref _members);
        ApplyViewerChanges(members, now);
        WebRtcSession s = publisher.Resource.Session;
        while (s.TryPollMedia(_in, out ReceivedMedia m, out bool fits))
        {
            if (!fits)
            {
                _in = new byte[Math.Max(m.Length, _in.Length * 2)];
                continue;
            }

            if (!m.IsRtpPacket)
            {
                continue;
            }

            ReadOnlySpan<byte> packet = _in.AsSpan(0, m.Length);
            if (string.Equals(m.Mid, _audioMid, StringComparison.Ordinal))
            {
                AudioPacketsReceived++;
                ForwardAudio(members, m, packet);
            }
            else if (string.Equals(m.Mid, _videoMid, StringComparison.Ordinal))
            {
                VideoPacketsReceived++;
                ForwardVideo(members, m, packet, now);
            }
        }

        if (_forwarder is not null && _videoTransceiver is not null)
        {
            // RFC 4585 §6.3.1: a PLI for the layer's stream (RFC 8853: the RID's SSRC).
            while (_forwarder.TryPollKeyframeRequest(out int layer))
            {
                bool sent = _rids.Length > 0 ? s.RequestKeyframe(_videoTransceiver, _rids[layer], now) : s.RequestKeyframe(_videoTransceiver, now);
                if (sent)
                {
                    KeyframeRequestsSent++;
                }
            }
        }
    }

    /// <summary>Writes the room for /status: its layers and, per viewer, its layer and estimate.</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        Member? publisher = Volatile.Read(ref _publisher);
        long[] rates = new long[LayerCount];
        publisher?.Resource.Handle.Invoke(now =>
        {
            for (int i = 0; i < rates.Length && _forwarder is not null; i++)
            {
                rates[i] = _forwarder.GetLayerBitrate(i, now);
            }
        });
        w.WriteStartObject();
        w.WriteString("name", Name);
        w.WriteString("publisher", publisher?.Resource.Label);
        w.WriteString("publisherState", publisher?.State.ToString().ToLowerInvariant());
        w.WriteString("videoCodec", VideoCodec);
        w.WriteBoolean("videoForwarded", _forwarder is not null);
        w.WriteNumber("audioPacketsReceived", AudioPacketsReceived);
        w.WriteNumber("videoPacketsReceived", VideoPacketsReceived);
        w.WriteNumber("videoPacketsIgnored", VideoPacketsIgnored);
        w.WriteNumber("keyframeRequestsSent", KeyframeRequestsSent);
        w.WriteStartArray("layers");
        for (int i = 0; i < rates.Length; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("layer", i);
            w.WriteString("rid", i < _rids.Length ? _rids[i] : null);
            w.WriteNumber("bitrateBps", rates[i]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("viewers");
        foreach (Member v in Viewers)
        {
            if (v.Removed)
            {
                continue;
            }

            w.WriteStartObject();
            // Numbered in the room in the order they joined; the session's label too (labels are per host, not unique).
            w.WriteString("viewer", v.Name);
            w.WriteString("label", v.Resource.Label);
            w.WriteString("state", v.State.ToString().ToLowerInvariant());
            w.WriteBoolean("video", v.Video is not null);
            w.WriteNumber("layer", v.Layer);
            w.WriteNumber("targetLayer", v.TargetLayer);
            w.WriteString("rid", v.Layer >= 0 && v.Layer < _rids.Length ? _rids[v.Layer] : null);
            w.WriteNumber("estimateBps", Interlocked.Read(ref v.EstimateBps));
            long remote = Interlocked.Read(ref v.RemoteEstimateBps);
            if (remote >= 0)
            {
                w.WriteNumber("remoteEstimateBps", remote);
            }

            w.WriteNumber("videoPacketsSent", v.VideoPacketsSent);
            w.WriteNumber("audioPacketsSent", v.AudioPacketsSent);
            w.WriteNumber("packetsRefused", v.PacketsRefused);
            w.WriteNumber("keyframeRequests", v.KeyframeRequests);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static bool IsRepair(string codec) =>
        codec.Equals("rtx", StringComparison.OrdinalIgnoreCase) || codec.Equals("red", StringComparison.OrdinalIgnoreCase)
        || codec.Equals("ulpfec", StringComparison.OrdinalIgnoreCase) || codec.StartsWith("flexfec", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The RIDs lowest layer first: the forwarder takes layer i+1 to need more than layer i. Nothing in SDP says which
    /// RID is the smallest (RFC 8853 leaves it to the sender), so the usual names rank them (q/h/f, l/m/h, low/mid/high,
    /// 0/1/2); others keep their order in the offer's a=simulcast, which browsers' applications usually write lowest first.
    /// </summary>
    internal static string[] OrderLayers(IReadOnlyList<string> rids)
    {
        int Rank(string rid, int index) => rid.ToLowerInvariant() switch
        {
            "q" or "l" or "lo" or "low" or "quarter" or "0" => 0,
            "m" or "mid" or "medium" or "half" or "1" => 1,
            "h" when rids.Any(r => r.Equals("f", StringComparison.OrdinalIgnoreCase)) => 1,
            "h" or "hi" or "high" or "f" or "full" or "2" => 2,
            _ => 10 + index,
        };

        return [.. rids.Select((r, i) => (r, Rank(r, i), i)).OrderBy(x => x.Item2).ThenBy(x => x.i).Select(x => x.r)];
    }

    private void ApplyViewerChanges(Member[] members, TimeSpan now)
    {
        bool removed = false;
        foreach (Member m in members)
        {
            if (m.Removed)
            {
                if (m.Subscriber >= 0)
                {
                    _forwarder?.RemoveSubscriber(m.Subscriber);
                    m.Subscriber = -1;
                }

                removed = true;
                continue;
            }

            if (_forwarder is null || m.Video is null)
            {
                continue;
            }

            if (m.Subscriber < 0)
            {
                m.Subscriber = _forwarder.AddSubscriber(m.VideoSsrc, (ushort)Random.Shared.Next(1 << 16), (uint)Random.Shared.NextInt64(1L << 32), m.VideoPayloadType);
            }

            long target = Interlocked.Exchange(ref m.PendingTarget, -1);
            if (target >= 0)
            {
                _forwarder.SetTargetBitrate(m.Subscriber, target, now);
            }

            if (Interlocked.Exchange(ref m.KeyframeRequested, 0) != 0)
            {
                _forwarder.RequestKeyframe(m.Subscriber, now);
            }

            m.Layer = _forwarder.GetCurrentLayer(m.Subscriber);
            m.TargetLayer = _forwarder.GetTargetLayer(m.Subscriber);
        }

        if (removed)
        {
            lock (_gate)
            {
                _members = [.. _members.Where(x => !x.Removed)];
            }
        }
    }

    private void ForwardAudio(Member[] members, in ReceivedMedia m, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12)
        {
            return;
        }

        packet.CopyTo(Out);
        OutLength = packet.Length;
        OutAudioLevel = m.AudioLevel;
        OutVoiceActivity = m.VoiceActivity;
        foreach (Member v in members)
        {
            byte pt = v.AudioPayloadTypes[m.PayloadType & 0x7F];
            if (v.Audio is null || pt == byte.MaxValue || !v.Connected || v.Removed)
            {
                continue;
            }

            // The viewer's number for the codec (RFC 3550 §5.1: 7 bits after the marker).
            Out[1] = (byte)((Out[1] & 0x80) | pt);
            v.Resource.Handle.Invoke(v.SendAudio);
        }
    }

    private void ForwardVideo(Member[] members, in ReceivedMedia m, ReadOnlySpan<byte> packet, TimeSpan now)
    {
        int layer = _rids.Length == 0 ? 0 : m.Rid is string rid ? Array.IndexOf(_rids, rid) : -1;
        if (_forwarder is null || layer < 0 || m.PayloadType != _videoPt)
        {
            VideoPacketsIgnored++;
            return;
        }

        SimulcastPacket p = _forwarder.Ingest(layer, packet, now);
        if (p.Status != SimulcastIngestStatus.Accepted)
        {
            VideoPacketsIgnored++;
            return;
        }

        foreach (Member v in members)
        {
            if (v.Subscriber < 0 || !v.Connected || v.Removed)
            {
                continue;
            }

            if (_forwarder.Forward(v.Subscriber, p, packet, Out, out int written) == SimulcastForwardStatus.Forwarded)
            {
                OutLength = written;
                v.Resource.Handle.Invoke(v.SendVideo);
            }

            v.Layer = _forwarder.GetCurrentLayer(v.Subscriber);
        }
    }

    /// <summary>A session of the room: the publisher or a viewer, and what the room knows of it.</summary>
    internal sealed class Member
    {
        public long EstimateBps = -1;
        public long RemoteEstimateBps = -1;
        public long PendingTarget = -1;
        public int KeyframeRequested;
        private volatile bool _removed;
        private volatile bool _connected;
        private PeerConnectionState _state;

        public Member(ServeRoom room, SessionResource<WebRtcSession> resource, bool publisher)
        {
            Room = room;
            Resource = resource;
            IsPublisher = publisher;
            AudioPayloadTypes = new byte[128];
            Array.Fill(AudioPayloadTypes, byte.MaxValue);
            SendVideo = now =>
            {
                if (Resource.Session.SendRtp(Video!, Room.Out.AsSpan(0, Room.OutLength), now))
                {
                    VideoPacketsSent++;
                }
                else
                {
                    PacketsRefused++;
                }
            };
            SendAudio = now =>
            {
                if (Resource.Session.SendRtp(Audio!, Room.Out.AsSpan(0, Room.OutLength), now, Room.OutAudioLevel, Room.OutVoiceActivity))
                {
                    AudioPacketsSent++;
                }
                else
                {
                    PacketsRefused++;
                }
            };
        }

        public ServeRoom Room { get; }

        public SessionResource<WebRtcSession> Resource { get; }

        public bool IsPublisher { get; }

        /// <summary>Gets or sets the viewer's name in the room ("viewer-1" for the first to join).</summary>
        public string Name { get; set; } = "publisher";

        public bool Removed
        {
            get => _removed;
            set => _removed = value;
        }

        /// <summary>Gets whether the viewer's session can send media (connected).</summary>
        public bool Connected => _connected;

        /// <summary>Gets or sets the session's last state (set under its lock); <see cref="Connected"/> follows it.</summary>
        public PeerConnectionState State
        {
            get => _state;
            set
            {
                _state = value;
                _connected = value == PeerConnectionState.Connected;
            }
        }

        public Transceiver? Audio { get; set; }

        public Transceiver? Video { get; set; }

        public string? VideoMid { get; set; }

        public uint VideoSsrc { get; set; }

        public byte VideoPayloadType { get; set; }

        /// <summary>Gets the viewer's payload type for each of the publisher's audio payload types (255: none).</summary>
        public byte[] AudioPayloadTypes { get; }

        /// <summary>Gets or sets the viewer's forwarder subscriber (-1 before it is added, under the publisher's lock).</summary>
        public int Subscriber { get; set; } = -1;

        public int Layer { get; set; } = -1;

        public int TargetLayer { get; set; } = -1;

        public long VideoPacketsSent { get; private set; }

        public long AudioPacketsSent { get; private set; }

        public long PacketsRefused { get; private set; }

        public long KeyframeRequests { get; private set; }

        /// <summary>Sends <see cref="ServeRoom.Out"/> on the viewer's video (run under its lock).</summary>
        public Action<TimeSpan> SendVideo { get; }

        /// <summary>Sends <see cref="ServeRoom.Out"/> on the viewer's audio (run under its lock).</summary>
        public Action<TimeSpan> SendAudio { get; }

        /// <summary>The viewer session's target bitrate: what its video may take is the target less the audio.</summary>
        public void SetTarget(long targetBps)
        {
            Interlocked.Exchange(ref EstimateBps, targetBps);
            Interlocked.Exchange(ref PendingTarget, Room.FixedVideoTargetBps ?? Math.Max(0, targetBps - (Audio is null ? 0 : AudioAllowanceBps)));
        }

        /// <summary>An event of this member's session (under its lock).</summary>
        public void OnEvent(object e)
        {
            switch (e)
            {
                case SessionStateChangedEvent s:
                    State = s.State;
                    break;
                case SessionTargetBitrateEvent t when !IsPublisher:
                    Interlocked.Exchange(ref RemoteEstimateBps, t.RemoteEstimateBps ?? -1);
                    SetTarget(t.TargetBitrateBps);
                    break;
                case SessionKeyframeRequestedEvent k when !IsPublisher && string.Equals(k.Mid, VideoMid, StringComparison.Ordinal):
                    KeyframeRequests++;
                    Interlocked.Exchange(ref KeyframeRequested, 1);
                    break;
            }
        }
    }
}
