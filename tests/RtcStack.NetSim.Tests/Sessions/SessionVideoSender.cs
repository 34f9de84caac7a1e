using RtcStack.Congestion;
using RtcStack.Congestion.Pacing;
using RtcStack.NetSim.Endpoints;
using RtcStack.NetSim.Sources;
using RtcStack.WebRtc;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// The sending application of a session: the RFC 8593 video model (<see cref="VideoSource"/>) whose encoder target
/// follows the congestion controller, packetised into payloads of at most 1200 bytes, released by a
/// <see cref="Pacer"/> at the controller's pacing rate (with probe clusters and padding) and sent with
/// <see cref="PeerSession.SendRtp"/>. The controller is the one the session feeds (PeerSessionOptions.CongestionController),
/// so what it learns comes from the session's own packet-sent reports and the TWCC feedback the peer session sent.
/// </summary>
/// <remarks>
/// Each payload starts with an Opus TOC byte (config 31, CELT fullband 20 ms, code 0; RFC 6716 §3.1) so the peer's
/// Opus depacketizer accepts it as a frame: the receiving session hands every packet to the application, which
/// counts it. The session is an audio session; the video model only decides sizes and timing.
/// </remarks>
internal sealed class SessionVideoSender : ISessionApplication
{
    /// <summary>Largest RTP payload (as the NetSim media sender).</summary>
    public const int MaxPayload = 1200;

    private const int StoreSize = 1 << 14;

    private readonly ProbeTaggingController _controller;
    private readonly VideoSource _source;
    private readonly TimeSpan _start;
    private readonly (int Size, uint Timestamp, bool Marker)[] _store = new (int, uint, bool)[StoreSize];
    private readonly byte[] _payload = new byte[MaxPayload];
    private long _nextId;
    private bool _started;
    private TimeSpan _lastRun;
    private uint _lastTimestamp;

    public SessionVideoSender(ProbeTaggingController controller, VideoSourceOptions video, Random rng, TimeSpan start)
    {
        _controller = controller;
        _source = new VideoSource(video, rng);
        _start = start;
        _payload[0] = 0xF8;
    }

    public Pacer Pacer { get; } = new();

    public long MediaPacketsSent { get; private set; }

    public long PaddingPacketsSent { get; private set; }

    public long ProbePacketsSent { get; private set; }

    public long PayloadBytesSent { get; private set; }

    public long SendRefused { get; private set; }

    /// <summary>Encoder rate of the video model, bps.</summary>
    public double EncoderRateBps => _source.CurrentRateBps;

    /// <summary>Per-packet bytes on the wire besides the payload: RTP header and extensions, SRTP tag, IP/UDP.</summary>
    public int PacketOverhead { get; private set; } = 44 + PeerSessionEndpoint.IpUdpOverhead;

    public void Run(PeerSession session, TimeSpan now)
    {
        _lastRun = now;
        if (now < _start || !session.CanSendMedia)
        {
            return;
        }

        if (!_started)
        {
            _started = true;
            _source.Start(now);
        }

        _controller.HandleTimeout(now);
        _source.SetTargetBitrate(VideoPayloadTarget(_controller.TargetBitrateBps), now);
        while (_source.NextFrameTime <= now)
        {
            TimeSpan capture = _source.NextFrameTime;
            Packetize(_source.ProduceFrame(), capture, now);
        }

        while (_controller.TryPollProbe(out ProbeClusterConfig probe))
        {
            Pacer.CreateProbeCluster(probe, now);
        }

        _controller.OnSendQueue(Pacer.QueuedBytes, now);
        Pacer.SetRates(_controller.PacingRateBps, _controller.PaddingRateBps);
        while (Pacer.TryPollSend(now, out PacedSend send))
        {
            Send(session, send, now);
        }
    }

    public TimeSpan PollTimeout()
    {
        if (!_started)
        {
            return _start;
        }

        TimeSpan next = _source.NextFrameTime;
        TimeSpan pacer = Pacer.PollTimeout(_lastRun);
        TimeSpan cc = _controller.PollTimeout();
        next = pacer < next ? pacer : next;
        return cc < next ? cc : next;
    }

    /// <summary>The controller's target covers the wire; the encoder gets it less the per-packet overhead.</summary>
    private double VideoPayloadTarget(double target)
    {
        double fps = 30;
        double packetsPerFrame = Math.Ceiling(target / 8 / fps / (MaxPayload + PacketOverhead));
        return Math.Max(target - (packetsPerFrame * fps * PacketOverhead * 8), 0);
    }

    private void Packetize(int bytes, TimeSpan capture, TimeSpan now)
    {
        int count = Math.Max(1, (bytes + MaxPayload - 1) / MaxPayload);
        uint ts = (uint)(long)(capture.TotalSeconds * 48_000);
        for (int i = 0; i < count; i++)
        {
            // The NetSim sender's split (none exceeds MaxPayload), at least 2 bytes for a valid Opus packet.
            int size = Math.Max(MediaSenderEndpoint.PayloadShare(bytes, count, i), 2);
            long id = _nextId++;
            _store[id & (StoreSize - 1)] = (size, ts, i == count - 1);
            Pacer.Enqueue(id, size + PacketOverhead, highPriority: false, now);
        }
    }

    private void Send(PeerSession session, in PacedSend send, TimeSpan now)
    {
        (int size, uint ts, bool marker) = send.IsPadding
            ? (Math.Clamp(send.Size - PacketOverhead, 2, MaxPayload), _lastTimestamp, false)
            : _store[send.PacketId & (StoreSize - 1)];
        _lastTimestamp = ts;
        _controller.Current = (send.ProbeClusterId, send.IsPadding);
        bool sent = session.SendRtp(_payload.AsSpan(0, size), ts, marker, now);
        _controller.Current = (SentPacket.NotAProbe, false);
        if (!sent)
        {
            SendRefused++;
            return;
        }

        PacketOverhead = _controller.LastSize - size + PeerSessionEndpoint.IpUdpOverhead;
        PayloadBytesSent += size;
        if (send.IsPadding)
        {
            PaddingPacketsSent++;
        }
        else
        {
            MediaPacketsSent++;
        }

        if (send.ProbeClusterId != SentPacket.NotAProbe)
        {
            ProbePacketsSent++;
        }
    }
}
