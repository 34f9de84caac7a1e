using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Congestion.Pacing;
using RtcStack.NetSim.Sources;

namespace RtcStack.NetSim.Endpoints;

/// <summary>
/// A bare RTP sender: media sources (RFC 8593 video model, CBR audio), packetisation into RTP-sized packets with a
/// transport-wide sequence number, a <see cref="Pacer"/> and a pluggable <see cref="ICongestionController"/> that
/// consumes the receiver's feedback.
/// </summary>
public sealed class MediaSenderEndpoint : ISimEndpoint
{
    /// <summary>RTP header (12) plus the one-byte-header transport-wide sequence number extension (8).</summary>
    public const int RtpOverhead = 20;

    /// <summary>IPv4 + UDP headers.</summary>
    public const int IpUdpOverhead = 28;

    private const int StoreSize = 1 << 16;

    private readonly MediaFlowOptions _options;
    private readonly SimAddress _destination;
    private readonly List<SourceState> _sources = new();
    private readonly MediaPacketInfo?[] _store = new MediaPacketInfo?[StoreSize];
    private readonly Queue<SimPacket> _outbox = new();
    private readonly uint _ssrcBase;
    private readonly TwccFeedbackAdapter _twcc = new();
    private readonly CcfbFeedbackAdapter _ccfb = new();
    private long _nextPacketId;
    private long _nextTransportSeq;
    private long _frameCounter;
    private bool _started;
    private bool _stopped;
    private ushort _paddingSeq;

    /// <summary>Creates a sender.</summary>
    public MediaSenderEndpoint(ICongestionController controller, MediaFlowOptions options, SimAddress destination, uint ssrcBase, Random rng)
    {
        Controller = controller;
        _options = options;
        _destination = destination;
        _ssrcBase = ssrcBase;
        if (options.Video is { } v)
        {
            _sources.Add(new SourceState(new VideoSource(v, rng), ssrcBase, 96));
        }
        if (options.AudioBps > 0)
        {
            _sources.Add(new SourceState(new AudioSource(options.AudioBps), ssrcBase + 1, 111));
        }
    }

    /// <summary>The controller.</summary>
    public ICongestionController Controller { get; }

    /// <summary>The pacer.</summary>
    public Pacer Pacer { get; } = new();

    /// <summary>Bytes sent (wire), media + padding.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Feedback bytes received (wire).</summary>
    public long FeedbackBytesReceived { get; private set; }

    /// <summary>Encoder rate of the video source, bps (0 without video).</summary>
    public double EncoderRateBps => _sources.Count > 0 && !_sources[0].Source.IsAudio ? _sources[0].Source.CurrentRateBps : 0;

    /// <summary>Whether media is currently produced.</summary>
    public bool Active { get; private set; }

    /// <summary>Called for every RTP packet sent (RFC 8868 §3.1 logging).</summary>
    public Action<TimeSpan, MediaPacketInfo>? OnRtpSent { get; set; }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        // Feedback arrives as real RTCP bytes: TWCC or RFC 8888 (CCFB), each through its adapter.
        ReadOnlySpan<byte> rtcp = packet.Payload.Span;
        if (rtcp.IsEmpty)
        {
            return;
        }
        FeedbackBytesReceived += packet.WireSize;
        bool ok = _options.Feedback == FeedbackFormat.Rfc8888
            ? _ccfb.TryConvert(rtcp, out ReadOnlySpan<PacketFeedback> fb)
            : _twcc.TryConvert(rtcp, _nextTransportSeq - 1, out fb);
        if (ok)
        {
            Controller.OnFeedback(fb, now);
            Run(now);
        }
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now) => Run(now);

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

    /// <inheritdoc/>
    public TimeSpan PollTimeout()
    {
        if (_stopped)
        {
            return TimeSpan.MaxValue;
        }
        if (!_started)
        {
            return _options.Start;
        }
        TimeSpan next = Controller.PollTimeout();
        foreach (SourceState s in _sources)
        {
            next = Min(next, s.Source.NextFrameTime);
        }
        // A self-clocked controller (ISendWindow) with a closed window waits for feedback or its own timeout, not the pacer.
        if (Controller is not ISendWindow window || window.CanSend(_lastRun))
        {
            next = Min(next, Pacer.PollTimeout(_lastRun));
        }
        next = Min(next, _options.Stop);
        return next;
    }

    private TimeSpan _lastRun;

    private void Run(TimeSpan now)
    {
        _lastRun = now;
        if (_stopped)
        {
            return;
        }
        if (!_started)
        {
            if (now < _options.Start)
            {
                return;
            }
            _started = true;
            foreach (SourceState s in _sources)
            {
                s.Source.Start(now);
            }
        }
        if (now >= _options.Stop)
        {
            _stopped = true;
            Active = false;
            return;
        }
        Controller.HandleTimeout(now);
        Active = !IsPaused(now);
        double videoTarget = VideoPayloadTarget(Controller.TargetBitrateBps);
        foreach (SourceState s in _sources)
        {
            s.Source.SetTargetBitrate(videoTarget, now);
            while (s.Source.NextFrameTime <= now)
            {
                TimeSpan capture = s.Source.NextFrameTime;
                int bytes = s.Source.ProduceFrame();
                if (Active)
                {
                    Packetize(s, bytes, capture, now);
                }
            }
        }
        while (Controller.TryPollProbe(out ProbeClusterConfig probe))
        {
            Pacer.CreateProbeCluster(probe, now);
        }
        Controller.OnSendQueue(Pacer.QueuedBytes, now);
        Pacer.SetRates(Controller.PacingRateBps, Controller.PaddingRateBps);
        ISendWindow? gate = Controller as ISendWindow;
        while ((gate is null || gate.CanSend(now)) && Pacer.TryPollSend(now, out PacedSend send))
        {
            SendPaced(send, now);
        }
    }

    /// <summary>
    /// The controller's target covers everything on the wire, so the video encoder gets what is left after the CBR
    /// audio and the per-packet IP/UDP/RTP overhead (as libwebrtc allocates with send-side BWE "with overhead":
    /// the audio stream's rate is reserved and packet overhead is subtracted before the encoder's target).
    /// </summary>
    private double VideoPayloadTarget(double target)
    {
        const int overhead = RtpOverhead + IpUdpOverhead;
        if (_options.AudioBps > 0)
        {
            target -= _options.AudioBps + overhead * 8 / AudioSource.FrameDuration.TotalSeconds;
        }
        double fps = _options.Video?.Fps ?? 30;
        double packetsPerFrame = Math.Ceiling(target / 8 / fps / (_options.MaxPayload + overhead));
        return Math.Max(target - packetsPerFrame * fps * overhead * 8, 0);
    }

    private bool IsPaused(TimeSpan now)
    {
        foreach ((TimeSpan from, TimeSpan to) in _options.Pauses)
        {
            if (now >= from && now < to)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Packet <paramref name="index"/>'s share of a <paramref name="bytes"/>-byte frame split into <paramref name="count"/>
    /// packets: equal shares, the remainder spread one byte each over the first packets, so with
    /// count = ceil(bytes / MaxPayload) none exceeds MaxPayload.
    /// </summary>
    internal static int PayloadShare(int bytes, int count, int index) => (bytes / count) + (index < bytes % count ? 1 : 0);

    private void Packetize(SourceState s, int bytes, TimeSpan capture, TimeSpan now)
    {
        int max = _options.MaxPayload;
        int count = Math.Max(1, (bytes + max - 1) / max);
        long frameId = _frameCounter++;
        uint ts = (uint)(long)(capture.TotalSeconds * s.Source.ClockRate);
        for (int i = 0; i < count; i++)
        {
            int payload = PayloadShare(bytes, count, i);
            var info = new MediaPacketInfo
            {
                Ssrc = s.Ssrc,
                PayloadType = s.PayloadType,
                SequenceNumber = s.NextSeq++,
                Timestamp = ts,
                Marker = i == count - 1,
                PayloadSize = payload,
                FrameId = frameId,
                PacketsInFrame = count,
                CaptureTime = capture,
                IsAudio = s.Source.IsAudio,
            };
            long id = _nextPacketId++;
            _store[id & (StoreSize - 1)] = info;
            Pacer.Enqueue(id, payload + RtpOverhead + IpUdpOverhead, s.Source.IsAudio, now);
        }
    }

    private void SendPaced(in PacedSend send, TimeSpan now)
    {
        MediaPacketInfo info;
        if (send.IsPadding)
        {
            info = new MediaPacketInfo
            {
                Ssrc = _ssrcBase + 2,
                PayloadType = 127,
                SequenceNumber = _paddingSeq++,
                PayloadSize = Math.Max(send.Size - RtpOverhead - IpUdpOverhead, 0),
                IsPadding = true,
                CaptureTime = now,
                PacketsInFrame = 1,
                FrameId = -1,
            };
        }
        else
        {
            long slot = send.PacketId & (StoreSize - 1);
            info = _store[slot]!;
            _store[slot] = null;
        }
        info.TransportSequenceNumber = _nextTransportSeq++;
        if (_options.Feedback == FeedbackFormat.Rfc8888)
        {
            _ccfb.OnPacketSent(info.Ssrc, info.SequenceNumber, info.TransportSequenceNumber);
        }
        int wire = info.PayloadSize + RtpOverhead + IpUdpOverhead;
        Controller.OnPacketSent(new SentPacket(info.TransportSequenceNumber, wire, now, send.ProbeClusterId, send.IsPadding));
        BytesSent += wire;
        OnRtpSent?.Invoke(now, info);
        _outbox.Enqueue(new SimPacket { Destination = _destination, WireSize = wire, Tag = info });
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class SourceState(IMediaSource source, uint ssrc, byte payloadType)
    {
        public IMediaSource Source { get; } = source;

        public uint Ssrc { get; } = ssrc;

        public byte PayloadType { get; } = payloadType;

        public ushort NextSeq { get; set; }
    }
}
