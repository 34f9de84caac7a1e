using RtcStack.Congestion;
using RtcStack.Congestion.Gcc;
using RtcStack.Congestion.Nada;
using RtcStack.Congestion.Pacing;
using RtcStack.Rtp;
using RtcStack.Rtp.Rtcp;
using RtcStack.Srtp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;

namespace RtcStack.WebRtc;

/// <content>
/// Congestion control inside the session (issue 14, first part). When transport-cc is negotiated the session owns a
/// controller (the caller's <see cref="WebRtcSessionOptions.CongestionController"/>, else GCC or NADA as
/// <see cref="WebRtcSessionOptions.CongestionControl"/> says) and, with <see cref="WebRtcSessionOptions.Pacing"/>, a
/// <see cref="Pacer"/> (libwebrtc's leaky bucket, src/RtcStack.Congestion/Pacing):
/// <list type="bullet">
/// <item>Video packets the application hands over wait in the pacer (their payloads in reusable slots) and leave at the
/// controller's pacing rate; the RTP header, sequence number, abs-send-time and transport-wide sequence number are written
/// when a packet leaves, so the send time the controller hears of is the time it left. The pacer's next departure is a
/// <see cref="SessionTimerReason.Pacer"/> timeout of <see cref="PollOutput"/>: time is an input, nothing here reads a
/// clock. Audio skips the queue (<see cref="WebRtcSessionOptions.AudioBypassesPacer"/>); its bytes count against the
/// pacing rate. Retransmissions wait in the pacer's high-priority queue, ahead of video, as libwebrtc's pacer ranks them
/// (audio, then retransmissions, then video); sending them at once, outside the queue, kept the link's queue full after
/// a capacity drop and slowed the controller's recovery (specs/rfc8867.md).</item>
/// <item>Probe clusters the controller asks for go to the pacer once media was sent (libwebrtc sends no padding before
/// the first media packet); it sends them with queued media or, without, as padding-only packets on the RTX SSRC (each at
/// most 255 B of padding, RFC 3550 §5.1, as many as the pacer's size takes). Every packet of a cluster reaches the
/// controller with the cluster id, so its feedback gives the probe result.</item>
/// <item>The peer's REMB (draft-alvestrand-rmcat-remb-03, RTCP PSFB FMT 15) caps the target, never below the controller's
/// minimum (libwebrtc's SendSideBandwidthEstimation caps with the receiver limit before the configured minimum).</item>
/// <item>An ALR detector (libwebrtc's, 65 % budget) is fed with what the application hands over, against the target.</item>
/// <item>A <see cref="SessionTargetBitrateEvent"/> tells the application the target when it changes.</item>
/// </list>
/// </content>
public sealed partial class WebRtcSession
{
    private const int MaxPaddingPerPacket = 255;

    private ICongestionController? _controller;
    private ISendWindow? _sendWindow;
    private Pacer? _pacer;
    private AlrDetector? _appAlr;
    private long _minTargetBps;
    private PacedSlot[] _paced = [];
    private byte[]?[] _pacedData = [];
    private int[] _freeSlots = [];
    private int _freeCount;
    private int _probeCluster = SentPacket.NotAProbe;
    private bool _sendingPadding;
    private bool _mediaSentOnTransport;
    private ulong? _remoteEstimate;
    private long _reportedTarget;
    private int _paddingOverhead = 40;

    /// <summary>Gets what the pacer, probes and REMB handling did.</summary>
    public SessionPacingCounters PacingCounters { get; } = new();

    /// <summary>
    /// Gets the congestion controller in use: the caller's, or the one the session made when transport-cc was negotiated
    /// (<see cref="WebRtcSessionOptions.CongestionControl"/>); null before that or when there is none.
    /// </summary>
    public ICongestionController? CongestionController => _controller;

    /// <summary>Gets the target bitrate (the controller's, capped by the peer's REMB), or null without a controller.</summary>
    public long? TargetBitrateBps => _controller is ICongestionController cc ? EffectiveTarget(cc) : null;

    /// <summary>
    /// Gets the rate to give the encoders: <see cref="TargetBitrateBps"/> less the share of the bytes sent in the last
    /// second that were retransmissions (<see cref="RetransmissionShare"/>), or null without a controller. libwebrtc does
    /// the same (its encoder target is the network target less the measured NACK and FEC overhead, the overhead share at
    /// most 50 %, FecControllerDefault::UpdateFecRates), so that media plus repairs stay within the target: an encoder
    /// that took the whole target while a capacity drop made losses and NACKs kept the link's queue full with repairs
    /// and slowed the controller's recovery (specs/rfc8867.md).
    /// </summary>
    public long? MediaTargetBitrateBps => TargetBitrateBps is long target ? (long)(target * (1 - RetransmissionShare)) : null;

    /// <summary>
    /// Gets the share of the bytes this session's send streams sent in the last second that were retransmissions, at most
    /// <see cref="MaxRetransmissionShare"/>.
    /// </summary>
    public double RetransmissionShare
    {
        get
        {
            long media = 0, repaired = 0;
            foreach (Section s in _sections)
            {
                for (int layer = 0; layer < s.SendStreamCount; layer++)
                {
                    s.SendStream(layer).ReadLastSecond(_now, out long m, out long r);
                    media += m;
                    repaired += r;
                }
            }

            return media + repaired == 0 ? 0 : Math.Min(MaxRetransmissionShare, (double)repaired / (media + repaired));
        }
    }

    /// <summary>The most of the target <see cref="MediaTargetBitrateBps"/> sets aside for retransmissions (libwebrtc's 50 %).</summary>
    public const double MaxRetransmissionShare = 0.5;

    /// <summary>Gets the peer's last REMB estimate (RTCP PSFB FMT 15), if it sent one.</summary>
    public long? RemoteEstimateBps => _remoteEstimate is ulong remb ? (long)Math.Min(remb, (ulong)long.MaxValue) : null;

    /// <summary>Gets a value indicating whether the application sends well below the target (ALR, libwebrtc's detector).</summary>
    public bool IsApplicationLimited => _appAlr?.AlrStartTime is not null;

    /// <summary>Gets the packets waiting in the pacer.</summary>
    public int PacerQueuedPackets => _pacer?.QueuedPackets ?? 0;

    /// <summary>Gets the bytes waiting in the pacer (as the pacer counts them: RTP with the SRTP tag).</summary>
    public long PacerQueuedBytes => _pacer?.QueuedBytes ?? 0;

    /// <summary>Whether media the application hands over now goes through the pacer.</summary>
    private bool PacingActive => _pacer is not null && (_transportCcExtensionId != 0 || _ccfbNegotiated);

    /// <summary>After an exchange that negotiated transport-cc: the session's own controller and pacer, once.</summary>
    private void EnsureController()
    {
        if (_controller is null)
        {
            _controller = _options.CongestionControl switch
            {
                SessionCongestionControl.Gcc => new GccController(_options.Gcc),
                SessionCongestionControl.Nada => new NadaController(_options.Nada),
                _ => null,
            };
        }

        // A REMB never caps below the controller's minimum (the caller's controller: GCC's, 30 kbps by default).
        _minTargetBps = _options.CongestionController is null && _options.CongestionControl == SessionCongestionControl.Nada
            ? (long)_options.Nada.RMin
            : _options.Gcc.MinBitrateBps;
        if (_controller is null || !_options.Pacing || _pacer is not null)
        {
            return;
        }

        _sendWindow = _controller as ISendWindow;
        _pacer = new Pacer();
        _appAlr = new AlrDetector();
    }

    private long EffectiveTarget(ICongestionController cc)
    {
        long target = cc.TargetBitrateBps;
        if (_remoteEstimate is ulong remb && (ulong)Math.Max(target, 0) > remb)
        {
            target = Math.Max((long)remb, Math.Min(_minTargetBps, target));
        }

        return target;
    }

    /// <summary>
    /// Sends a media packet now, or queues it in the pacer: the session paces when transport-cc is negotiated in the
    /// section and <see cref="WebRtcSessionOptions.Pacing"/> is on. Audio that bypasses the queue is sent at once and counted.
    /// </summary>
    private bool SendOrQueue(Section s, ReadOnlySpan<byte> payload, uint rtpTimestamp, bool marker, TimeSpan now, int audioLevel, bool voiceActivity, byte payloadType, bool audio, int sequenceNumber = -1, int padding = 0, int layer = 0)
    {
        if (!PacingActive || !s.CcFeedback)
        {
            return SendPacket(s, payload, rtpTimestamp, marker, now, audioLevel, voiceActivity, payloadType, out _, sequenceNumber, padding, layer);
        }

        int overhead = PacketOverhead(s);
        _appAlr!.OnBytesSent(payload.Length + overhead, now);
        if (audio && _options.AudioBypassesPacer)
        {
            if (!SendPacket(s, payload, rtpTimestamp, marker, now, audioLevel, voiceActivity, payloadType, out int wire, sequenceNumber, padding, layer))
            {
                return false;
            }

            _pacer!.OnPacketSentOutsideQueue(wire, now);
            PacingCounters.PacketsBypassed++;
            return true;
        }

        if (payload.Length > MaxDatagramSize)
        {
            MediaCounters.SendTooLarge++;
            return false;
        }

        int slot = TakeSlot();
        payload.CopyTo(_pacedData[slot]);
        _paced[slot] = new PacedSlot(s, rtpTimestamp, marker, audioLevel, voiceActivity, payloadType, payload.Length, sequenceNumber, padding, Layer: layer);
        _pacer!.Enqueue(slot, payload.Length + padding + overhead, highPriority: audio, now);
        return true;
    }

    /// <summary>RTP header, the extensions <see cref="WriteHeaderExtensions"/> writes (one-byte form) and the SRTP tag: what the pacer charges besides the payload.</summary>
    private int PacketOverhead(Section s)
    {
        int ext = 0;
        int rid = s.Layers.Length > 0 && s.RidId != 0 ? 1 + s.Layers[0].Rid.Length : 0;
        if ((s.MidId | s.AbsSendTimeId | s.TransportCcId) != 0 || rid != 0)
        {
            ext = (s.MidId != 0 ? 1 + s.Mid.Length : 0) + (s.AbsSendTimeId != 0 ? 4 : 0) + (s.TransportCcId != 0 ? 3 : 0) + rid;
            ext = 4 + ((ext + 3) & ~3);
        }

        return RtpPacket.FixedHeaderLength + ext + SrtpTag();
    }

    private int SrtpTag() => _transport.SrtpProfile is SrtpProfile profile ? profile.SrtpTagLength() : 0;

    private int TakeSlot()
    {
        if (_freeCount == 0)
        {
            // Grows while the queue is deeper than ever before; afterwards the slots (and their buffers) are reused.
            int old = _paced.Length, size = Math.Max(64, old * 2);
            Array.Resize(ref _paced, size);
            Array.Resize(ref _pacedData, size);
            Array.Resize(ref _freeSlots, size);
            for (int i = size - 1; i >= old; i--)
            {
                _freeSlots[_freeCount++] = i;
            }
        }

        int slot = _freeSlots[--_freeCount];
        _pacedData[slot] ??= new byte[MaxDatagramSize + 64];
        return slot;
    }

    /// <summary>
    /// The controller's timer ran, feedback or a REMB arrived, or any other input: hand its probe clusters to the pacer
    /// (once media was sent), set the pacer's rates from the target, tell the application of a changed target, and send
    /// what the pacer lets go now.
    /// </summary>
    private void OnControllerUpdated(TimeSpan now)
    {
        if (_pacer is null || _controller is not ICongestionController cc)
        {
            return;
        }

        if (_mediaSentOnTransport)
        {
            while (cc.TryPollProbe(out ProbeClusterConfig probe))
            {
                _pacer.CreateProbeCluster(probe, now);
                PacingCounters.ProbeClusters++;
            }
        }

        long controllerTarget = cc.TargetBitrateBps;
        long target = EffectiveTarget(cc);
        long pacing = cc.PacingRateBps;
        if (target < controllerTarget && controllerTarget > 0)
        {
            pacing = (long)(pacing * ((double)target / controllerTarget));
        }

        _pacer.SetRates(pacing, cc.PaddingRateBps);

        // Repairs never faster than the target (libwebrtc's retransmission rate limiter has the target as its maximum).
        foreach (Section s in _sections)
        {
            for (int layer = 0; layer < s.SendStreamCount; layer++)
            {
                s.SendStream(layer).SetRetransmissionRateCap(target);
            }
        }

        _appAlr!.SetEstimatedBitrate(target);
        if (target != _reportedTarget && (_reportedTarget == 0 || Math.Abs(target - _reportedTarget) >= _options.TargetBitrateEventThreshold * _reportedTarget))
        {
            _reportedTarget = target;
            PacingCounters.TargetBitrateEvents++;
            _events.Enqueue(new SessionTargetBitrateEvent(now, target, controllerTarget, RemoteEstimateBps, pacing, IsApplicationLimited)
            {
                MediaTargetBitrateBps = (long)(target * (1 - RetransmissionShare)),
            });
        }

        DrainPacer(now);
    }

    /// <summary>Sends what the pacer lets go at <paramref name="now"/>: queued media, probe media, probe padding.</summary>
    private void DrainPacer(TimeSpan now)
    {
        if (_pacer is null || !_transport.CanSendMedia || _closed)
        {
            return;
        }

        while ((_sendWindow is null || _sendWindow.CanSend(now)) && _pacer.TryPollSend(now, out PacedSend send))
        {
            _probeCluster = send.ProbeClusterId;
            if (send.IsPadding)
            {
                SendPaddingBytes(send.Size, now);
            }
            else
            {
                SendQueued((int)send.PacketId, now);
            }

            _probeCluster = SentPacket.NotAProbe;
        }

        _controller?.OnSendQueue(_pacer.QueuedBytes, now);
    }

    /// <summary>
    /// The retransmissions a NACK asked for, written now (RTX sequence numbers in request order) and queued at high
    /// priority; <see cref="SendQueued"/> sends each as it leaves.
    /// </summary>
    private void QueueRetransmissions(Section s, int layer, TimeSpan now)
    {
        RtpSendStream send = s.SendStream(layer);
        while (true)
        {
            int slot = TakeSlot();
            if (!send.TryPollRetransmission(_pacedData[slot], now, out int written))
            {
                _freeSlots[_freeCount++] = slot;
                return;
            }

            MarkRepairedRid(s, send, _pacedData[slot].AsSpan(0, written));
            _paced[slot] = new PacedSlot(s, 0, false, -1, false, 0, written, -1, 0, Retransmission: true, Layer: layer);
            _pacer!.Enqueue(slot, written + SrtpTag(), highPriority: true, now);
            PacingCounters.RetransmissionsQueued++;
        }
    }

    private void SendQueued(int slot, TimeSpan now)
    {
        PacedSlot m = _paced[slot];
        _paced[slot] = default;
        _freeSlots[_freeCount++] = slot;
        Section s = m.Section!;
        if (m.Retransmission)
        {
            if (!_sections.Contains(s) || m.Layer >= s.SendStreamCount || !SendRetransmission(s, m.Layer, _pacedData[slot].AsSpan(0, m.Length), now))
            {
                PacingCounters.PacketsDropped++;
                return;
            }

            PacingCounters.RetransmissionsPaced++;
            return;
        }

        if (!_sections.Contains(s) || s.Send is null || s.SendCodec is null || m.Layer >= s.SendStreamCount
            || !SendPacket(s, _pacedData[slot].AsSpan(0, m.Length), m.Timestamp, m.Marker, now, m.AudioLevel, m.VoiceActivity, m.PayloadType, out _, m.SequenceNumber, m.Padding, m.Layer))
        {
            PacingCounters.PacketsDropped++;
            return;
        }

        PacingCounters.PacketsPaced++;
    }

    /// <summary>
    /// Padding the pacer asked for (a probe's, when no media is queued, or the controller's padding rate): padding-only
    /// packets on the RTX SSRC of a video section that sent media (its media SSRC without RTX), each with at most 255 B
    /// of padding, until <paramref name="size"/> bytes went out. A session that sends only audio cannot pad.
    /// </summary>
    private void SendPaddingBytes(int size, TimeSpan now)
    {
        Section? section = null;
        foreach (Section s in _sections)
        {
            // Video only, as libwebrtc pads (its audio senders make no padding): an audio SSRC's receiver would take
            // padding for a gap in its stream.
            if (s.Kind == MediaKind.Video && s.Send is { HasSentMedia: true } send && s.CcFeedback
                && (section is null || (send.RtxSsrc is not null && section.Send!.RtxSsrc is null)))
            {
                section = s;
            }
        }

        if (section is null)
        {
            PacingCounters.ProbePaddingUnavailable++;
            return;
        }

        _sendingPadding = true;
        int remaining = size;
        while (remaining > 0)
        {
            int padding = Math.Clamp(remaining - _paddingOverhead, 1, MaxPaddingPerPacket);
            if (!TrySendPadding(section, padding, now, out int wire))
            {
                PacingCounters.ProbePaddingUnavailable++;
                break;
            }

            _paddingOverhead = Math.Max(wire - padding, 1);
            PacingCounters.ProbePaddingPackets++;
            remaining -= wire;
        }

        _sendingPadding = false;
    }

    /// <summary>The peer's REMB: its estimate caps our target when it names one of our SSRCs (or none).</summary>
    private void HandleRemb(in RtcpRemb remb)
    {
        bool ours = remb.SsrcCount == 0;
        for (int i = 0; i < remb.SsrcCount && !ours; i++)
        {
            ours = IsOurSsrc(remb.GetSsrc(i));
        }

        if (ours)
        {
            _remoteEstimate = remb.Bitrate;
            PacingCounters.RembReceived++;
        }
    }

    private SessionTimeout? NextPacerTimeout()
    {
        if (_pacer is null || (_sendWindow is not null && !_sendWindow.CanSend(_now)))
        {
            return null;
        }

        TimeSpan at = _pacer.PollTimeout(_now);
        return at == TimeSpan.MaxValue ? null : new SessionTimeout(at, SessionTimerReason.Pacer);
    }

    /// <summary>
    /// A media packet waiting in the pacer: its section, what its RTP header will carry, and its payload's length (the
    /// payload is in <see cref="_pacedData"/>); a forwarded packet's sequence number (-1: the stream numbers it when it
    /// leaves) and padding length (RFC 3550 §5.1, 0 for none). A <paramref name="Retransmission"/> slot holds a whole packet
    /// the send stream wrote, sent as it is but for its transport-wide sequence number. <paramref name="Layer"/> is the
    /// section's send stream (<see cref="Section.SendStream"/>: a simulcast layer, else 0).
    /// </summary>
    private readonly record struct PacedSlot(Section? Section, uint Timestamp, bool Marker, int AudioLevel, bool VoiceActivity, byte PayloadType, int Length, int SequenceNumber, int Padding, bool Retransmission = false, int Layer = 0);
}
