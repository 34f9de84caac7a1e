using RtcStack.Congestion;
using RtcStack.Congestion.Pacing;
using RtcStack.NetSim.Sources;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Jsep;

namespace RtcStack.NetSim.Tests.Sessions;

/// <summary>
/// The sending application of a session: the RFC 8593 video model (<see cref="VideoSource"/>) whose encoder target
/// follows the congestion controller, each frame a VP8 frame handed to the session's video transceiver
/// (<see cref="WebRtcSession.SendVideoFrame"/>: the session packetizes it per RFC 7741, ≤ 1200 B payloads, and keeps it
/// for RTX), and a <see cref="Pacer"/> between the session and the link that releases the session's SRTP datagrams at
/// the controller's pacing rate, with its probe clusters and padding (<see cref="WebRtcSession.SendPadding"/>, on the
/// RTX SSRC). The controller is the one the session feeds (WebRtcSessionOptions.CongestionController), so what it learns
/// comes from the session's own packet-sent reports (stamped with the release time by
/// <see cref="ProbeTaggingController"/>) and the TWCC feedback the peer session sent.
/// </summary>
/// <remarks>
/// The first frame is a key frame, and so is the next frame after the peer asked for one (PLI/FIR, a
/// <see cref="SessionKeyframeRequestedEvent"/>); the video model decides sizes and timing, not the frame type.
/// </remarks>
internal sealed class SessionVideoSender : ISessionApplication, IRtpPacer
{
    private const int MaxPaddingPerPacket = 255;

    private readonly ProbeTaggingController? _controller;
    private readonly VideoSource _source;
    private readonly TimeSpan _start;
    private readonly Dictionary<long, OutgoingDatagram> _queued = [];
    private long _nextId;
    private bool _started;
    private bool _keyFrameDue = true;
    private TimeSpan _lastRun;
    private int _nextFrame;
    private int _mediaPayloadType = -1;
    private int _audioPayloadType = -1;
    private long _frameBytesPending;
    private long _mediaWireBytes;
    private long _mediaPackets;
    private static readonly TimeSpan AudioFrame = TimeSpan.FromMilliseconds(20);
    private TimeSpan _nextAudio = TimeSpan.MaxValue;
    private bool _waitingForSession;
    private long _totalMediaPackets;
    private long _totalMediaWireBytes;
    private long _totalFrameBytes;

    /// <summary>
    /// A sender paced by the session itself (<see cref="WebRtcSessionOptions.Pacing"/> with the session's own controller):
    /// the encoder follows <see cref="WebRtcSession.TargetBitrateBps"/>, and <see cref="CountWritten"/> sees the datagrams
    /// the session releases, which here are already paced.
    /// </summary>
    public SessionVideoSender(VideoSourceOptions video, Random rng, TimeSpan start)
        : this(null, video, rng, start)
    {
    }

    public SessionVideoSender(ProbeTaggingController? controller, VideoSourceOptions video, Random rng, TimeSpan start)
    {
        _controller = controller;
        _source = new VideoSource(video, rng);
        _start = start;
    }

    /// <summary>Gets or sets when the source stops making frames (RFC 8867 flows end before the run does).</summary>
    public TimeSpan Stop { get; set; } = TimeSpan.MaxValue;

    /// <summary>Gets or sets the intervals in which frames are made but not sent (RFC 8867 §5.8 pause and resume).</summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan To)> Pauses { get; set; } = [];

    /// <summary>Gets the wire bytes (IP/UDP included) of the RTP packets the session wrote (with its own pacer).</summary>
    public long RtpWireBytesSent { get; private set; }

    /// <summary>
    /// Gets or sets the constant audio rate beside the video (RFC 8867 §4.3's flows: 20 kbps), sent as one payload every
    /// 20 ms on <see cref="AudioTransceiver"/>, outside the pacer queue as the session sends audio; 0 for none.
    /// </summary>
    public double AudioBps { get; set; }

    /// <summary>Gets or sets the audio transceiver (with <see cref="AudioBps"/>).</summary>
    public Transceiver? AudioTransceiver { get; set; }

    /// <summary>Gets the audio payloads handed to the session.</summary>
    public long AudioFramesSent { get; private set; }

    /// <summary>Gets or sets the video transceiver the frames go to (set once the session has it).</summary>
    public Transceiver? Transceiver { get; set; }

    public Pacer Pacer { get; } = new();

    /// <summary>Frames handed to the session: RTP timestamp, size, key frame.</summary>
    public List<(uint Timestamp, int Size, bool Key)> Frames { get; } = [];

    public long MediaPacketsSent { get; private set; }

    public long RetransmissionsSent { get; private set; }

    public long PaddingPacketsSent { get; private set; }

    public long ProbePacketsSent { get; private set; }

    public long KeyframeRequests { get; private set; }

    /// <summary>Frames or padding the session refused.</summary>
    public long SendRefused { get; private set; }

    /// <summary>Encoder rate of the video model, bps.</summary>
    public double EncoderRateBps => _source.CurrentRateBps;

    /// <summary>
    /// Per-packet bytes on the wire besides the frame's bytes: RTP header and extensions, VP8 payload descriptor, SRTP
    /// tag, IP/UDP; measured over the media packets the session wrote so far (a first guess before).
    /// </summary>
    public int PacketOverhead { get; private set; } = 50 + WebRtcSessionEndpoint.IpUdpOverhead;

    public void OnEvent(SessionEvent sessionEvent, TimeSpan now)
    {
        if (sessionEvent is SessionKeyframeRequestedEvent)
        {
            KeyframeRequests++;
            _keyFrameDue = true;
        }
    }

    public void Run(WebRtcSession session, TimeSpan now)
    {
        _lastRun = now;
        if (now < _start || !session.CanSendMedia || Transceiver is null)
        {
            // Past the start but not connected yet: wait for the session's next input instead of a timer in the past.
            _waitingForSession = now >= _start;
            return;
        }

        _waitingForSession = false;

        if (!_started)
        {
            _started = true;
            _source.Start(now);
            _nextAudio = now;
        }

        // The session runs the controller's timer (its PollOutput includes it); the target is read here.
        if (_controller is null)
        {
            UpdateOverheadCumulative();
        }

        _source.SetTargetBitrate(VideoPayloadTarget(_controller?.TargetBitrateBps ?? session.MediaTargetBitrateBps ?? 0), now);
        while (AudioBps > 0 && AudioTransceiver is not null && _nextAudio <= now && _nextAudio < Stop)
        {
            if (!Pauses.Any(p => _nextAudio >= p.From && _nextAudio < p.To))
            {
                int bytes = (int)(AudioBps * AudioFrame.TotalSeconds / 8);
                if (session.SendAudio(AudioTransceiver, new byte[bytes], (uint)(long)(_nextAudio.TotalSeconds * 48_000), now))
                {
                    AudioFramesSent++;
                }
                else
                {
                    SendRefused++;
                }
            }

            _nextAudio += AudioFrame;
        }

        while (_source.NextFrameTime <= now && _source.NextFrameTime < Stop)
        {
            TimeSpan capture = _source.NextFrameTime;
            int size = _source.ProduceFrame();
            if (!Pauses.Any(p => capture >= p.From && capture < p.To))
            {
                SendFrame(session, size, capture, now);
            }
            else
            {
                // The paused source resumes with a key frame (the receiver's decoder has nothing recent to go on).
                _keyFrameDue = true;
            }
        }

        while (_controller is not null && _controller.TryPollProbe(out ProbeClusterConfig probe))
        {
            Pacer.CreateProbeCluster(probe, now);
        }
    }

    /// <summary>
    /// With the session's own pacer: an RTP datagram the session released, counted as media (and for the overhead),
    /// padding (the P bit is in the clear header) or a retransmission.
    /// </summary>
    public void CountWritten(OutgoingDatagram datagram)
    {
        int wire = datagram.Data.Length + WebRtcSessionEndpoint.IpUdpOverhead;
        RtpWireBytesSent += wire;
        if ((datagram.Data[0] & 0x20) != 0)
        {
            PaddingPacketsSent++;
        }
        else if ((datagram.Data[1] & 0x7F) == _mediaPayloadType)
        {
            MediaPacketsSent++;
            _mediaWireBytes += wire;
            _mediaPackets++;
        }
        else if (AudioTransceiver is not null && (datagram.Data[1] & 0x7F) == _audioPayloadType)
        {
            AudioPacketsSent++;
        }
        else
        {
            RetransmissionsSent++;
        }
    }

    /// <summary>Gets the audio RTP packets the session wrote (with its own pacer).</summary>
    public long AudioPacketsSent { get; private set; }

    public void Enqueue(OutgoingDatagram datagram, TimeSpan now)
    {
        long id = _nextId++;
        _queued.Add(id, datagram);
        int wire = datagram.Data.Length + WebRtcSessionEndpoint.IpUdpOverhead;
        if ((datagram.Data[1] & 0x7F) == _mediaPayloadType)
        {
            _mediaWireBytes += wire;
            _mediaPackets++;
        }

        Pacer.Enqueue(id, wire, highPriority: false, now);
    }

    public void Release(WebRtcSession session, TimeSpan now, Action<OutgoingDatagram> transmit, Func<OutgoingDatagram?> pollSession)
    {
        if (_controller is null)
        {
            throw new InvalidOperationException("a sender paced by the session is not a pacer");
        }

        _lastRun = now;
        UpdateOverhead();
        _controller.OnSendQueue(Pacer.QueuedBytes, now);
        Pacer.SetRates(_controller.PacingRateBps, _controller.PaddingRateBps);
        while (Pacer.TryPollSend(now, out PacedSend send))
        {
            if (!send.IsPadding)
            {
                _queued.Remove(send.PacketId, out OutgoingDatagram datagram);
                if ((datagram.Data[1] & 0x7F) == _mediaPayloadType)
                {
                    MediaPacketsSent++;
                }
                else
                {
                    RetransmissionsSent++;
                }

                Send(datagram, send, now, transmit);
                continue;
            }

            // Padding as libwebrtc makes it: as many padding-only packets (≤ 255 B of padding each) as fill the size.
            int remaining = send.Size;
            while (remaining > 0)
            {
                int padding = Math.Clamp(remaining - PacketOverhead, 1, MaxPaddingPerPacket);
                if (Transceiver is null || !session.SendPadding(Transceiver, padding, now) || pollSession() is not OutgoingDatagram datagram)
                {
                    SendRefused++;
                    break;
                }

                PaddingPacketsSent++;
                remaining -= datagram.Data.Length + WebRtcSessionEndpoint.IpUdpOverhead;
                Send(datagram, send, now, transmit);
            }
        }
    }

    public TimeSpan PollTimeout()
    {
        if (!_started)
        {
            return _waitingForSession ? TimeSpan.MaxValue : _start;
        }

        TimeSpan next = _source.NextFrameTime;
        if (AudioBps > 0 && _nextAudio < next)
        {
            next = _nextAudio;
        }

        return next < Stop ? next : TimeSpan.MaxValue;
    }

    TimeSpan IRtpPacer.PollTimeout() => _started ? Pacer.PollTimeout(_lastRun) : TimeSpan.MaxValue;

    /// <summary>
    /// Reads the transport-wide sequence number from an SRTP packet's clear header extension (RFC 3711 §3.1). The
    /// padding count of a padding packet is encrypted, so its P bit is cleared on a copy first (the header is all we read).
    /// </summary>
    private static ushort TransportSequence(byte[] datagram, byte extensionId)
    {
        if ((datagram[0] & 0x20) != 0)
        {
            datagram = (byte[])datagram.Clone();
            datagram[0] &= 0xDF;
        }

        if (!RtpPacket.TryParse(datagram, out RtpPacket p) || !p.HasExtension || !p.TryGetHeaderExtension(extensionId, out ReadOnlySpan<byte> value)
            || !TransportSequenceNumberExtension.TryRead(value, out ushort sequence))
        {
            throw new InvalidOperationException("the session sent an RTP packet without a transport-wide sequence number");
        }

        return sequence;
    }

    private void Send(OutgoingDatagram datagram, in PacedSend send, TimeSpan now, Action<OutgoingDatagram> transmit)
    {
        _controller!.OnPacketReleased(TransportSequence(datagram.Data, TransportCcExtensionId), send.ProbeClusterId, send.IsPadding, now);
        if (send.ProbeClusterId != SentPacket.NotAProbe)
        {
            ProbePacketsSent++;
        }

        transmit(datagram);
    }

    /// <summary>The transport-wide sequence number extension's id (RFC 8285 extmap): both sessions offer and accept the defaults.</summary>
    private static readonly byte TransportCcExtensionId = (byte)JsepOptions.DefaultHeaderExtensions.First(e => e.Uri == ExtMap.TransportWideCcUri).PreferredId;

    private void SendFrame(WebRtcSession session, int bytes, TimeSpan capture, TimeSpan now)
    {
        if (_mediaPayloadType < 0 && session.Sections.FirstOrDefault(s => s.Kind == MediaKind.Video)?.SendCodec is NegotiatedCodec codec)
        {
            _mediaPayloadType = codec.PayloadType;
            _audioPayloadType = session.Sections.FirstOrDefault(s => s.Kind == MediaKind.Audio)?.SendCodec?.PayloadType ?? -1;
        }

        uint ts = (uint)(long)(capture.TotalSeconds * 90_000);
        bool key = _keyFrameDue;
        byte[] frame = TestVp8Frames.Create(_nextFrame, key, bytes);
        if (!session.SendVideoFrame(Transceiver!, frame, ts, key, now))
        {
            SendRefused++;
            return;
        }

        _nextFrame++;
        _keyFrameDue = false;
        _frameBytesPending += frame.Length;
        Frames.Add((ts, frame.Length, key));
    }

    /// <summary>
    /// With the session's pacer, frames wait in its queue, so the packets released lag the frames handed over: the
    /// overhead is taken from the totals since the start (the lag's share shrinks as they grow), once 100 media packets
    /// have gone, within 40-150 B (the RTP header and its extensions, the VP8 descriptor, the SRTP tag, IP/UDP).
    /// </summary>
    private void UpdateOverheadCumulative()
    {
        if (_totalMediaPackets + _mediaPackets >= 100)
        {
            _totalMediaPackets += _mediaPackets;
            _totalMediaWireBytes += _mediaWireBytes;
            _totalFrameBytes += _frameBytesPending;
            _mediaPackets = 0;
            _mediaWireBytes = 0;
            _frameBytesPending = 0;
            PacketOverhead = (int)Math.Clamp((_totalMediaWireBytes - _totalFrameBytes) / _totalMediaPackets, 40, 150);
        }
    }

    /// <summary>Overhead per media packet: wire bytes of the media packets written since the last update less the frames' bytes.</summary>
    private void UpdateOverhead()
    {
        if (_mediaPackets > 0 && _frameBytesPending > 0)
        {
            PacketOverhead = (int)((_mediaWireBytes - _frameBytesPending) / _mediaPackets);
            _mediaPackets = 0;
            _mediaWireBytes = 0;
            _frameBytesPending = 0;
        }
    }

    /// <summary>The controller's target covers the wire; the encoder gets it less the per-packet overhead.</summary>
    private double VideoPayloadTarget(double target)
    {
        const int MaxPayload = 1200;
        if (AudioBps > 0)
        {
            // The audio's rate and its packets' overhead (about the video's per packet) are reserved first, as the
            // bare RTP sender does (libwebrtc's allocation with send-side BWE "with overhead").
            target -= AudioBps + (PacketOverhead * 8 / AudioFrame.TotalSeconds);
        }

        double fps = 30;
        double packetsPerFrame = Math.Ceiling(target / 8 / fps / (MaxPayload + PacketOverhead));
        return Math.Max(target - (packetsPerFrame * fps * PacketOverhead * 8), 0);
    }
}
