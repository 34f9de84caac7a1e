using System.Buffers;
using System.Text;
using RtcStack.Rtp;
using RtcStack.Rtp.Bundle;
using RtcStack.Rtp.Rtcp;
using RtcStack.Sdp;
using RtcStack.Video;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;
using RtcStack.WebRtc.Transport;

namespace RtcStack.WebRtc;

/// <content>
/// Media sections and their streams: routing RTP to a section and stream (RFC 8843 §9.2), RTX repair (RFC 4588),
/// video frame assembly, RTCP in (split per packet to the stream it names) and out (periodic SR/RR with SDES, NACK and
/// key frame requests when due), and sending audio packets and video frames.
/// </content>
public sealed partial class WebRtcSession
{
    private const int MaxRtcpSize = 1200;
    private const int MaxReportBlocks = 31;

    private readonly RtpStreamRouter _router;
    private readonly List<Section> _sections = [];
    private readonly Queue<QueuedMedia> _media = new();
    private readonly byte[] _repair = new byte[MaxDatagramSize + 64];
    private readonly byte[] _send = new byte[MaxDatagramSize + 64];
    private readonly byte[] _frame = new byte[MaxDatagramSize];
    private byte _midExtensionId;
    private byte _ridExtensionId;
    private byte _repairedRidExtensionId;
    private byte[] _cname = [];
    private TimeSpan? _nextReportAt;

    /// <summary>Gets counters of what the media path dropped, by reason.</summary>
    public SessionMediaCounters MediaCounters { get; } = new();

    /// <summary>Gets counters of the RTCP sent and received, by packet type.</summary>
    public SessionRtcpCounters RtcpCounters { get; } = new();

    /// <summary>Gets the negotiated media sections with their streams, in m-line order.</summary>
    public IReadOnlyList<MediaSectionInfo> Sections
    {
        get
        {
            var list = new List<MediaSectionInfo>(_sections.Count);
            foreach (Section s in _sections)
            {
                var receivers = new List<ReceiveStreamStats>();
                foreach (Receiver r in s.Receivers.Values)
                {
                    receivers.Add(r.Stream.GetStats(r.Frames));
                }

                list.Add(new MediaSectionInfo(s.Mid, s.Kind, s.Direction, s.SendCodec, s.Send?.GetStats(), s.Send?.GetRemoteInboundStats(), receivers));
            }

            return list;
        }
    }

    /// <summary>
    /// Sends one audio packet (for Opus one RFC 7587 payload) in <paramref name="transceiver"/>'s section with
    /// <paramref name="rtpTimestamp"/> and the negotiated header extensions (MID, abs-send-time, audio level). False when
    /// media cannot be sent yet, or the section does not send.
    /// </summary>
    public bool SendAudio(Transceiver transceiver, ReadOnlySpan<byte> payload, uint rtpTimestamp, TimeSpan now, bool marker = false, int audioLevel = -1, bool voiceActivity = false)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section s || s.Send is null || s.SendCodec is null)
        {
            return false;
        }

        return SendPrimaryAudio(s, payload, rtpTimestamp, now, marker, audioLevel, voiceActivity, (byte)s.SendCodec.PayloadType);
    }

    /// <summary>
    /// Sends one encoded video frame in <paramref name="transceiver"/>'s section: packetized for the negotiated send codec
    /// (RFC 7741, RFC 9628, RFC 6184, RFC 7798 or the AV1 RTP specification), every packet with the frame's
    /// <paramref name="rtpTimestamp"/> and the marker on the last, kept for retransmission. False when media cannot be
    /// sent, the section sends no video, or the packetizer refused the frame.
    /// </summary>
    public bool SendVideoFrame(Transceiver transceiver, ReadOnlyMemory<byte> frame, uint rtpTimestamp, bool keyFrame, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section s)
        {
            return false;
        }

        return SendVideoFrame(s, 0, frame, rtpTimestamp, keyFrame, now);
    }

    /// <summary>
    /// Sends one encoded video frame of the simulcast encoding <paramref name="rid"/> (RFC 8853) in
    /// <paramref name="transceiver"/>'s section: as <see cref="SendVideoFrame(Transceiver, ReadOnlyMemory{byte}, uint, bool, TimeSpan)"/>,
    /// on that encoding's SSRC, with its own packetizer and sequence numbers, every packet carrying the MID and the RID
    /// header extension (RFC 8852 §3: on every packet, not only the first ones, so a receiver can bind the stream at
    /// any packet). When the exchange did not negotiate simulcast the first of the transceiver's
    /// <see cref="Transceiver.SendEncodings"/> is sent as the section's one stream (without RID) and the others are
    /// refused (false), as a browser sends only its first encoding then. False also for a RID the section does not send,
    /// and as the other overload.
    /// </summary>
    public bool SendVideoFrame(Transceiver transceiver, string rid, ReadOnlyMemory<byte> frame, uint rtpTimestamp, bool keyFrame, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        ArgumentNullException.ThrowIfNull(rid);
        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section s)
        {
            return false;
        }

        int layer = s.FindLayer(rid);
        if (layer < 0 && s.Layers.Length == 0 && transceiver.SendEncodings.Count > 0 && string.Equals(transceiver.SendEncodings[0].Rid, rid, StringComparison.Ordinal))
        {
            layer = 0;
        }

        return layer >= 0 && SendVideoFrame(s, layer, frame, rtpTimestamp, keyFrame, now);
    }

    private bool SendVideoFrame(Section s, int layer, ReadOnlyMemory<byte> frame, uint rtpTimestamp, bool keyFrame, TimeSpan now)
    {
        IVideoPacketizer? packetizer = s.Layers.Length > 0 ? s.Layers[layer].Packetizer : s.Packetizer;
        if (s.Send is null || packetizer is null)
        {
            return false;
        }

        // The frame that is taken is queued whole; the next waits until the pacer has room (the caller drops or re-encodes).
        if (PacingActive && s.CcFeedback && _pacer!.QueuedPackets >= _options.PacerQueueCapacity)
        {
            PacingCounters.FramesRefused++;
            return false;
        }

        if (packetizer.Push(frame, keyFrame) != VideoPacketizeStatus.Ok)
        {
            MediaCounters.VideoFramesRefused++;
            return false;
        }

        Span<byte> payload = _frame;
        while (packetizer.TryPoll(payload, out VideoRtpPayload p))
        {
            SendOrQueue(s, payload[..p.Length], rtpTimestamp, p.Marker, now, -1, false, (byte)s.SendCodec!.PayloadType, audio: false, layer: layer);
        }

        DrainPacer(now);
        return true;
    }

    /// <summary>Asks the peer for a key frame on every stream it sends in <paramref name="transceiver"/>'s section (PLI or FIR, as negotiated).</summary>
    public bool RequestKeyframe(Transceiver transceiver, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        _now = now;
        if (FindSection(transceiver) is not Section s)
        {
            return false;
        }

        bool any = false;
        foreach (Receiver r in s.Receivers.Values)
        {
            any |= r.Stream.RequestKeyframe();
        }

        RunMediaTimers(now);
        return any;
    }

    /// <summary>
    /// Asks the peer for a key frame on one simulcast stream of <paramref name="transceiver"/>'s section, the one with
    /// <paramref name="rid"/> (RFC 8853; PLI or FIR as negotiated, to that stream's SSRC). False when no stream with that
    /// RID has sent yet, or a request for it is already pending.
    /// </summary>
    public bool RequestKeyframe(Transceiver transceiver, string rid, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        ArgumentNullException.ThrowIfNull(rid);
        _now = now;
        if (FindSection(transceiver) is not Section s)
        {
            return false;
        }

        bool any = false;
        foreach (Receiver r in s.Receivers.Values)
        {
            if (string.Equals(r.Rid, rid, StringComparison.Ordinal))
            {
                any |= r.Stream.RequestKeyframe();
            }
        }

        RunMediaTimers(now);
        return any;
    }

    private Section? FindSection(Transceiver transceiver)
    {
        foreach (Section s in _sections)
        {
            if (s.Transceiver == transceiver)
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>
    /// Writes and sends one media packet of <paramref name="s"/>'s send stream: numbered by the stream, or, for a
    /// forwarded packet (<paramref name="sequenceNumber"/> 0-65535), with that number; <paramref name="padding"/> bytes of
    /// RFC 3550 §5.1 padding after the payload when not 0.
    /// </summary>
    private bool SendPacket(Section s, ReadOnlySpan<byte> payload, uint rtpTimestamp, bool marker, TimeSpan now, int audioLevel, bool voiceActivity, byte payloadType, out int wireLength, int sequenceNumber = -1, int padding = 0, int layer = 0)
    {
        wireLength = 0;
        Span<byte> packet = _send;
        var writer = new RtpPacketWriter(packet);
        RtpSendStream send = s.SendStream(layer);
        writer.TryWriteHeader(new RtpHeader(payloadType, 0, rtpTimestamp, send.Ssrc, marker));
        WriteHeaderExtensions(s, ref writer, now, audioLevel, voiceActivity, layer, repair: false);
        if (!writer.TryWritePayload(payload) || (padding > 0 && !writer.TryWritePadding(padding)))
        {
            MediaCounters.SendTooLarge++;
            return false;
        }

        Span<byte> written = packet[..writer.Length];
        if (sequenceNumber >= 0 ? !send.PrepareNumbered(written, (ushort)sequenceNumber, now) : !send.Prepare(written, now))
        {
            return false;
        }

        TransportSendStatus status = _transport.SendRtp(written, now);
        if (status != TransportSendStatus.Sent)
        {
            MediaCounters.SendFailed++;
            return false;
        }

        if (s.CcFeedback)
        {
            OnTransportSequenceSent(written, now);
        }

        wireLength = written.Length + SrtpTag();
        return true;
    }

    /// <summary>
    /// Sends one padding-only packet for bandwidth probing in <paramref name="transceiver"/>'s section (RFC 3550 §5.1
    /// padding, <paramref name="paddingLength"/> bytes, 1-255): on the RTX SSRC when RTX is negotiated (RFC 4588: an empty
    /// payload without OSN, so the peer tells it from a retransmission), otherwise on the media SSRC with its next
    /// sequence number. It carries the section's MID and abs-send-time and, as every packet on the transport, the next
    /// transport-wide sequence number, so the congestion controller hears of it (and of its feedback) like of media.
    /// </summary>
    /// <returns>False when media cannot be sent yet, the section does not send, or no media was sent in it yet.</returns>
    public bool SendPadding(Transceiver transceiver, int paddingLength, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        ArgumentOutOfRangeException.ThrowIfLessThan(paddingLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(paddingLength, 255);
        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section s || !TrySendPadding(s, paddingLength, now, out int wire))
        {
            return false;
        }

        // Sent at once, outside the pacer's queue: its bytes count against the pacing rate.
        _pacer?.OnPacketSentOutsideQueue(wire, now);
        return true;
    }

    /// <summary>One padding-only packet in <paramref name="s"/> (<see cref="SendPadding"/>); <paramref name="wireLength"/> is its SRTP length.</summary>
    private bool TrySendPadding(Section s, int paddingLength, TimeSpan now, out int wireLength)
    {
        wireLength = 0;
        if (s.Send is null || !s.Send.TryWritePadding(_repair, paddingLength, now, out int bare) || !RtpPacket.TryParse(_repair.AsSpan(0, bare), out RtpPacket header))
        {
            return false;
        }

        // The stream numbered the packet (RTX or media sequence, last timestamp); the header extensions are the session's
        // (of a simulcast section: its first layer's RID, or repaired RID on the RTX SSRC, RFC 8852 §3.2).
        var writer = new RtpPacketWriter(_send);
        writer.TryWriteHeader(new RtpHeader(header.PayloadType, header.SequenceNumber, header.Timestamp, header.Ssrc));
        WriteHeaderExtensions(s, ref writer, now, -1, false, 0, repair: header.Ssrc == s.Send.RtxSsrc);
        if (!writer.TryWritePadding(paddingLength))
        {
            MediaCounters.SendTooLarge++;
            return false;
        }

        Span<byte> written = _send.AsSpan(0, writer.Length);
        if (_transport.SendRtp(written, now) != TransportSendStatus.Sent)
        {
            MediaCounters.SendFailed++;
            return false;
        }

        if (s.CcFeedback)
        {
            OnTransportSequenceSent(written, now);
        }

        wireLength = written.Length + SrtpTag();
        return true;
    }

    /// <summary>The section's negotiated header extensions (RFC 8285) for the packet being written.</summary>
    private void WriteHeaderExtensions(Section s, ref RtpPacketWriter writer, TimeSpan now, int audioLevel, bool voiceActivity, int layer, bool repair)
    {
        // RFC 8852 §3: a simulcast layer's packets name it by RID, its RTX packets by repaired RID.
        string? rid = s.Layers.Length > 0 ? s.Layers[layer].Rid : null;
        byte ridId = rid is null ? (byte)0 : repair ? s.RepairedRidId : s.RidId;
        if ((s.MidId | s.AbsSendTimeId | s.TransportCcId | ridId | (audioLevel >= 0 ? s.AudioLevelId : 0)) == 0)
        {
            return;
        }

        RtpHeaderExtensionWriter ext = writer.BeginHeaderExtension(s.ExtensionMode);
        if (s.MidId != 0)
        {
            ext.TryAddText(s.MidId, s.Mid.AsSpan());
        }

        if (ridId != 0)
        {
            ext.TryAddText(ridId, rid.AsSpan());
        }

        if (s.AbsSendTimeId != 0)
        {
            ext.TryAddAbsSendTime(s.AbsSendTimeId, AbsSendTimeExtension.FromTime(now));
        }

        if (s.TransportCcId != 0)
        {
            ext.TryAddTransportSequenceNumber(s.TransportCcId, NextTransportSequenceNumber);
        }

        if (s.AudioLevelId != 0 && audioLevel >= 0)
        {
            ext.TryAddAudioLevel(s.AudioLevelId, voiceActivity, (byte)Math.Min(audioLevel, 127));
        }

        writer.TryEndHeaderExtension(ext.Finish());
    }

    /// <summary>Builds or updates the sections from the negotiated ones; streams of a section that stays keep their state.</summary>
    private void ConfigureSections(TimeSpan now)
    {
        _router.Clear();
        var keep = new List<Section>();
        Span<byte> pts = stackalloc byte[64];
        foreach (NegotiatedSection n in _jsep.NegotiatedSections)
        {
            if (n.Stopped || n.Mid is null || n.Kind == MediaKind.Application)
            {
                continue;
            }

            Section s = _sections.Find(x => x.Mid == n.Mid) ?? new Section(n.Mid, n.Kind);
            s.Apply(n, this);
            keep.Add(s);
            _midExtensionId = s.MidId != 0 ? s.MidId : _midExtensionId;
            _ridExtensionId = (byte)(n.GetExtensionId(JsepOptions.RidUri) ?? _ridExtensionId);
            _repairedRidExtensionId = (byte)(n.GetExtensionId(JsepOptions.RepairedRidUri) ?? _repairedRidExtensionId);

            int count = 0;
            foreach (NegotiatedCodec c in n.ReceiveCodecs)
            {
                if (count < pts.Length - 1)
                {
                    pts[count++] = (byte)c.PayloadType;
                    if (c.RtxPayloadType is int rtx)
                    {
                        pts[count++] = (byte)rtx;
                    }
                }
            }

            // RFC 8853 §5.4 / RFC 8852 §3: the negotiated simulcast streams are told apart by RID (and their RTX by repaired RID).
            _router.AddSection(n.Mid, pts[..count], n.ReceiveRids.Count > 0 ? n.ReceiveRids : null);

            // Signalled sources (a=ssrc, a=ssrc-group:FID, RFC 4588 §8.1) are bound now; others on their first packet.
            foreach (uint ssrc in n.RemoteSsrcs)
            {
                _router.BindSsrc(ssrc, n.Mid);
            }

            foreach (SsrcGroup g in n.RemoteSsrcGroups)
            {
                if (g.Semantics == "FID" && g.Ssrcs.Count == 2)
                {
                    s.RtxFor[g.Ssrcs[1]] = g.Ssrcs[0];
                    _router.BindSsrc(g.Ssrcs[1], n.Mid, repair: true);
                }
            }
        }

        foreach (Section old in _sections)
        {
            if (!keep.Contains(old))
            {
                MediaCounters.SectionsRemoved++;
            }
        }

        _sections.Clear();
        _sections.AddRange(keep);
        _cname = Encoding.UTF8.GetBytes(_jsep.CName);
        ConfigureFeedback();
    }

    private void OnMediaReady(TimeSpan now)
    {
        // RFC 3550 §6.3.5 randomises every interval; the first report goes after half of one.
        _nextReportAt ??= now + (_options.RtcpInterval * (0.25 + (0.5 * _random.NextDouble())));
    }

    private void HandleRtp(ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (!RtpPacket.TryParse(data, out RtpPacket packet))
        {
            MediaCounters.MalformedRtp++;
            return;
        }

        ReadOnlySpan<byte> mid = default, rid = default, repairedRid = default, transportSequence = default;
        if (packet.HasExtension && packet.TryGetHeaderExtensions(out RtpHeaderExtensionReader ext))
        {
            if (_midExtensionId != 0)
            {
                ext.TryGet(_midExtensionId, out mid);
            }

            if (_ridExtensionId != 0)
            {
                ext.TryGet(_ridExtensionId, out rid);
            }

            if (_repairedRidExtensionId != 0)
            {
                ext.TryGet(_repairedRidExtensionId, out repairedRid);
            }

            if (_transportCcExtensionId != 0 && ext.TryGet(_transportCcExtensionId, out transportSequence))
            {
                // Transport-wide: every packet that arrived counts, whichever stream it belongs to (RTX and padding too).
                RecordTransportSequence(transportSequence, packet.Ssrc, data.Length, now);
            }
        }

        RecordCcfbArrival(packet.Ssrc, packet.SequenceNumber, now);
        RtpRoute route = _router.Route(packet.Ssrc, packet.SequenceNumber, packet.PayloadType, mid, rid, repairedRid);
        if (route.Status != RtpRouteStatus.Routed)
        {
            MediaCounters.UnroutedRtp++;
            return;
        }

        Section s = _sections[route.Section];
        if (s.IsRtxPayloadType(packet.PayloadType))
        {
            HandleRepair(s, packet, data, route, now);
            return;
        }

        Receiver? r = s.GetOrCreateReceiver(packet.Ssrc, packet.PayloadType, this, route.IsRepair ? -1 : route.RidIndex);
        if (r is null)
        {
            MediaCounters.UnknownPayloadType++;
            return;
        }

        ReceiveStatus status = r.Stream.HandleRtp(data, now);
        if (status == ReceiveStatus.Accepted)
        {
            Deliver(s, r, packet, now);
        }
        else if (status == ReceiveStatus.PaddingOnly && _options.ReceiveRtpPackets)
        {
            // Forwarded as it came: it holds its place in the sequence numbers the subscribers see.
            Deliver(s, r, packet, now);
        }
        else if (status == ReceiveStatus.PaddingOnly && r.Frames is not null)
        {
            r.Frames.InsertPadding(packet.SequenceNumber, now);
            DrainFrames(s, r, now);
        }
    }

    private void HandleRepair(Section s, RtpPacket rtx, ReadOnlySpan<byte> data, RtpRoute route, TimeSpan now)
    {
        uint original;
        if (!s.RtxFor.TryGetValue(rtx.Ssrc, out original))
        {
            // RFC 8852 §3.2 / RFC 8853 §5.4: an unsignalled RTX stream that names its simulcast stream by repaired RID
            // repairs the stream of that RID (once that stream has sent).
            if (route.IsRepair && route.RidIndex >= 0)
            {
                if (s.FindReceiverByRid(route.RidIndex) is not Receiver layer)
                {
                    MediaCounters.UnroutedRtp++;
                    return;
                }

                original = layer.Stream.Ssrc;
                s.RtxFor[rtx.Ssrc] = original;
            }

            // Unsignalled RTX (no FID group): with exactly one stream in the section it can only repair that one.
            else if (s.Receivers.Count != 1)
            {
                MediaCounters.UnroutedRtp++;
                return;
            }

            else
            {
                foreach (uint k in s.Receivers.Keys)
                {
                    original = k;
                }

                s.RtxFor[rtx.Ssrc] = original;
            }
        }

        if (!s.Receivers.TryGetValue(original, out Receiver? r))
        {
            MediaCounters.UnroutedRtp++;
            return;
        }

        if (r.Stream.RtxSsrc != rtx.Ssrc)
        {
            r = s.RebindRtx(r, rtx.Ssrc, this);
        }

        ReceiveStatus status = r.Stream.HandleRtx(data, _repair, now, out int written);
        if (status == ReceiveStatus.Repaired && RtpPacket.TryParse(_repair.AsSpan(0, written), out RtpPacket repaired))
        {
            Deliver(s, r, repaired, now);
        }
    }

    private void Deliver(Section s, Receiver r, RtpPacket packet, TimeSpan now)
    {
        if (r.Frames is null || _options.ReceiveRtpPackets)
        {
            int level = -1;
            bool voice = false;
            if (s.AudioLevelId != 0 && packet.TryGetHeaderExtension(s.AudioLevelId, out ReadOnlySpan<byte> value)
                && AudioLevelExtension.TryRead(value, out voice, out byte l))
            {
                level = l;
            }

            if (_options.ReceiveRtpPackets)
            {
                Enqueue(
                    new ReceivedMedia(s.Mid, r.Stream.Ssrc, packet.PayloadType, packet.Timestamp, packet.SequenceNumber, packet.Data.Length, s.Kind == MediaKind.Video, false, now)
                    {
                        Rid = r.Rid,
                        AudioLevel = level,
                        VoiceActivity = voice,
                        IsRtpPacket = true,
                    },
                    packet.Data);
                return;
            }

            DeliverAudioPacket(s, r, packet, level, voice, now);
            return;
        }

        r.Frames.Insert(packet.SequenceNumber, packet.Timestamp, packet.Marker, packet.Payload, now);
        DrainFrames(s, r, now);
    }

    private void DrainFrames(Section s, Receiver r, TimeSpan now)
    {
        VideoFrameBuffer frames = r.Frames!;
        while (frames.TryPollFrame(out VideoFrame f))
        {
            Enqueue(new ReceivedMedia(s.Mid, r.Stream.Ssrc, r.PayloadType, f.Timestamp, f.FirstSequenceNumber, f.Length, true, f.KeyFrame, now) { Rid = r.Rid }, frames.GetFrameData(f));
        }

        if (frames.TryTakeKeyframeRequest())
        {
            r.Stream.RequestKeyframe();
        }
    }

    private void Enqueue(in ReceivedMedia media, ReadOnlySpan<byte> data)
    {
        if (_media.Count >= _options.MediaQueueCapacity && _media.TryDequeue(out QueuedMedia dropped))
        {
            ArrayPool<byte>.Shared.Return(dropped.Buffer);
            MediaCounters.MediaQueueOverflows++;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(buffer);
        _media.Enqueue(new QueuedMedia(media, buffer));
    }

    /// <summary>
    /// Takes the next received audio packet or video frame into <paramref name="destination"/>. True when one is queued;
    /// <paramref name="fits"/> says whether it was copied and dequeued, or stays queued because it needs
    /// <see cref="ReceivedMedia.Length"/> bytes (poll again with a larger buffer).
    /// </summary>
    public bool TryPollMedia(Span<byte> destination, out ReceivedMedia media, out bool fits)
    {
        if (!_media.TryPeek(out QueuedMedia q))
        {
            media = default;
            fits = false;
            return false;
        }

        media = q.Media;
        fits = destination.Length >= q.Media.Length;
        if (fits)
        {
            _media.Dequeue();
            q.Buffer.AsSpan(0, q.Media.Length).CopyTo(destination);
            ArrayPool<byte>.Shared.Return(q.Buffer);
        }

        return true;
    }

    private void HandleRtcp(ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (!RtcpCompoundReader.TryParse(data, out RtcpCompoundReader compound))
        {
            MediaCounters.MalformedRtcp++;
            return;
        }

        bool sdes = false;
        foreach (RtcpPacket packet in compound)
        {
            RtcpCounters.Received(packet.PacketType);
            sdes |= packet.PacketType == RtcpPacketType.SourceDescription;
            switch (packet.PacketType)
            {
                case RtcpPacketType.SenderReport when RtcpSenderReport.TryParse(packet, out RtcpSenderReport sr):
                    if (FindReceiver(sr.Ssrc) is Receiver source)
                    {
                        source.Stream.HandleSenderReport(sr.SenderInfo, now);
                    }

                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        HandleReportBlock(sr.GetReportBlock(i), now);
                    }

                    break;
                case RtcpPacketType.ReceiverReport when RtcpReceiverReport.TryParse(packet, out RtcpReceiverReport rr):
                    for (int i = 0; i < rr.ReportCount; i++)
                    {
                        HandleReportBlock(rr.GetReportBlock(i), now);
                    }

                    break;
                case RtcpPacketType.Goodbye when RtcpGoodbye.TryParse(packet, out RtcpGoodbye bye):
                    for (int i = 0; i < bye.SourceCount; i++)
                    {
                        _events.Enqueue(new SessionRemoteGoodbyeEvent(bye.GetSsrc(i), bye.Reason.IsEmpty ? null : Encoding.UTF8.GetString(bye.Reason)));
                    }

                    break;
                case RtcpPacketType.TransportFeedback when packet.Count == RtcpFeedbackFormat.GenericNack && RtcpGenericNack.TryParse(packet, out RtcpGenericNack nack):
                    if (FindSender(nack.MediaSsrc, out int nackLayer) is Section ns)
                    {
                        ns.SendStream(nackLayer).HandleNack(nack, now);
                        SendRetransmissions(ns, nackLayer, now);
                    }

                    break;
                case RtcpPacketType.TransportFeedback when packet.Count == RtcpFeedbackFormat.CongestionControlFeedback:
                    HandleCcfb(packet.Data, now);
                    break;
                case RtcpPacketType.TransportFeedback when packet.Count == RtcpFeedbackFormat.TransportWideCc && TransportWideFeedback.TryParse(packet, out TransportWideFeedback twcc):
                    HandleTransportFeedback(twcc, now);
                    break;
                case RtcpPacketType.ExtendedReport when RtcpExtendedReport.TryParse(packet, out RtcpExtendedReport xr):
                    HandleExtendedReport(xr, now);
                    break;
                case RtcpPacketType.PayloadFeedback when packet.Count == RtcpFeedbackFormat.PictureLossIndication && RtcpPictureLossIndication.TryParse(packet, out RtcpPictureLossIndication pli):
                    if (FindSender(pli.MediaSsrc, out int pliLayer) is Section ps && ps.SendStream(pliLayer).HandlePictureLossIndication(pli, now))
                    {
                        TakeKeyframeRequest(ps, pliLayer);
                    }

                    break;
                case RtcpPacketType.PayloadFeedback when packet.Count == RtcpFeedbackFormat.ApplicationLayer && RtcpRemb.TryParse(packet, out RtcpRemb remb):
                    HandleRemb(remb);
                    break;
                case RtcpPacketType.PayloadFeedback when packet.Count == RtcpFeedbackFormat.FullIntraRequest && RtcpFullIntraRequest.TryParse(packet, out RtcpFullIntraRequest fir):
                    foreach (Section fs in _sections)
                    {
                        for (int layer = 0; layer < fs.SendStreamCount; layer++)
                        {
                            if (fs.SendStream(layer).HandleFullIntraRequest(fir, now))
                            {
                                TakeKeyframeRequest(fs, layer);
                            }
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        RtcpCounters.ReceivedCompound(sdes);
    }

    private void TakeKeyframeRequest(Section s, int layer)
    {
        if (s.SendStream(layer).TryTakeKeyframeRequest(out KeyframeRequest request))
        {
            // RFC 8853: of a simulcast section, the layer whose SSRC the request named, so that only it encodes a key frame.
            _events.Enqueue(new SessionKeyframeRequestedEvent(s.Mid, request) { Rid = s.Layers.Length > 0 ? s.Layers[layer].Rid : null });
        }
    }

    private void HandleReportBlock(in RtcpReportBlock block, TimeSpan now)
    {
        if (FindSender(block.Ssrc, out int layer) is Section s)
        {
            RtpSendStream send = s.SendStream(layer);
            send.HandleReportBlock(block, now);
            OnReportBlockRoundTripTime(send.RoundTripTime, block.LastSenderReport, now);
            foreach (Receiver r in s.Receivers.Values)
            {
                r.Stream.RoundTripTime = send.RoundTripTime;
                if (r.Frames is not null)
                {
                    r.Frames.RoundTripTime = send.RoundTripTime;
                }
            }
        }
    }

    private Receiver? FindReceiver(uint ssrc)
    {
        foreach (Section s in _sections)
        {
            if (s.Receivers.TryGetValue(ssrc, out Receiver? r))
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>The section sending <paramref name="ssrc"/> (media or RTX) and the index of its send stream there (<see cref="Section.SendStream"/>).</summary>
    private Section? FindSender(uint ssrc, out int layer)
    {
        foreach (Section s in _sections)
        {
            for (layer = 0; layer < s.SendStreamCount; layer++)
            {
                RtpSendStream send = s.SendStream(layer);
                if (send.Ssrc == ssrc || send.RtxSsrc == ssrc)
                {
                    return s;
                }
            }
        }

        layer = 0;
        return null;
    }

    /// <summary>
    /// Sends the retransmissions a NACK asked for. With the pacer active on the section they wait in its high-priority
    /// queue, ahead of queued video (libwebrtc's pacer ranks retransmissions after audio and before video), and leave at
    /// the pacing rate; otherwise they leave at once.
    /// </summary>
    private void SendRetransmissions(Section s, int layer, TimeSpan now)
    {
        if (PacingActive && s.CcFeedback)
        {
            QueueRetransmissions(s, layer, now);
            return;
        }

        Span<byte> buffer = _send;
        RtpSendStream send = s.SendStream(layer);
        while (send.TryPollRetransmission(buffer, now, out int written))
        {
            MarkRepairedRid(s, send, buffer[..written]);
            SendRetransmission(s, layer, buffer[..written], now);
        }
    }

    /// <summary>
    /// RFC 8852 §3.2: a simulcast layer's retransmission on its RTX SSRC carries the layer's RID as repaired RID, not as
    /// RID (the stream copied the original's header extensions, RFC 4588 §4). The element keeps its place and value and
    /// takes the repaired-RID id; if that id does not fit the packet's one-byte form, or repaired RID was not negotiated,
    /// the element becomes padding (RFC 8285 §4.2: zero bytes), so the RTX packet never claims to be the layer itself.
    /// </summary>
    private static void MarkRepairedRid(Section s, RtpSendStream send, Span<byte> packet)
    {
        if (s.Layers.Length == 0 || s.RidId == 0 || send.RtxSsrc is not uint rtx || !RtpPacket.TryParse(packet, out RtpPacket parsed)
            || parsed.Ssrc != rtx || !parsed.HasExtension || !parsed.TryGetHeaderExtensions(out RtpHeaderExtensionReader ext)
            || !ext.TryGet(s.RidId, out ReadOnlySpan<byte> value) || value.IsEmpty || !((ReadOnlySpan<byte>)packet).Overlaps(value, out int offset))
        {
            return;
        }

        if (ext.Form == RtpHeaderExtensionForm.OneByte)
        {
            if (s.RepairedRidId is >= 1 and <= 14)
            {
                packet[offset - 1] = (byte)((s.RepairedRidId << 4) | (packet[offset - 1] & 0x0F));
            }
            else
            {
                packet.Slice(offset - 1, value.Length + 1).Clear();
            }
        }
        else if (s.RepairedRidId != 0)
        {
            packet[offset - 2] = s.RepairedRidId;
        }
        else
        {
            packet.Slice(offset - 2, value.Length + 2).Clear();
        }
    }

    /// <summary>
    /// Sends one retransmission the stream wrote (on its RTX SSRC, or the original packet again): its transport-wide
    /// sequence number is written now, at departure, so the controller hears of the time it really left.
    /// </summary>
    private bool SendRetransmission(Section s, int layer, Span<byte> packet, TimeSpan now)
    {
        RtpSendStream send = s.SendStream(layer);
        bool stamped = TryRestampTransportSequence(packet, s.TransportCcId, send.RtxSsrc);
        if (_transport.SendRtp(packet, now) != TransportSendStatus.Sent)
        {
            MediaCounters.SendFailed++;
            return false;
        }

        // With RFC 8888 a retransmission on the RTX SSRC is a new packet with its own sequence number to be
        // reported; one on the media SSRC is the very packet sent before (its report entry is the same).
        if (stamped || (s.CcfbNegotiated && send.RtxSsrc is uint rtx && packet.Length >= 12
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet[8..]) == rtx))
        {
            OnTransportSequenceSent(packet, now);
        }

        return true;
    }

    private SessionTimeout? NextMediaTimeout()
    {
        if (!_transport.CanSendMedia)
        {
            return null;
        }

        SessionTimeout? next = _nextReportAt is TimeSpan report ? new SessionTimeout(report, SessionTimerReason.RtcpReport) : null;
        foreach (Section s in _sections)
        {
            foreach (Receiver r in s.Receivers.Values)
            {
                if (r.Stream.PollTimeout() is StreamTimeout st)
                {
                    next = Earliest(next, new SessionTimeout(st.At, st.Reason == StreamTimeoutReason.KeyframeRequest ? SessionTimerReason.KeyframeRequest : SessionTimerReason.Nack));
                }

                if (r.Frames?.PollTimeout() is StreamTimeout ft)
                {
                    next = Earliest(next, new SessionTimeout(ft.At, SessionTimerReason.FrameDeadline));
                }
            }

            next = NextAudioTimeout(s, next);
        }

        return Earliest(next, NextFeedbackTimeout());
    }

    /// <summary>Runs what is due: frame deadlines, NACKs and key frame requests, the periodic report, transport feedback.</summary>
    private void RunMediaTimers(TimeSpan now)
    {
        if (!_transport.CanSendMedia || _closed)
        {
            return;
        }

        foreach (Section s in _sections)
        {
            foreach (Receiver r in s.Receivers.Values)
            {
                if (r.Frames is not null && r.Frames.PollTimeout() is StreamTimeout ft && ft.At <= now)
                {
                    r.Frames.HandleTimeout(now);
                    DrainFrames(s, r, now);
                }

                SendFeedback(s, r, now);
            }

            RunAudioTimers(s, now);
        }

        if (_nextReportAt is TimeSpan due && now >= due)
        {
            SendReport(now, goodbye: false);
            _nextReportAt = now + (_options.RtcpInterval * (0.5 + _random.NextDouble()));
        }

        RunFeedbackTimers(now);
    }

    /// <summary>
    /// Sends the NACK and key frame request of <paramref name="r"/> that are due, each in a compound of an empty RR and
    /// SDES CNAME first (RFC 3550 §6.1, RFC 4585 §3.1 compound rule).
    /// </summary>
    private void SendFeedback(Section s, Receiver r, TimeSpan now)
    {
        Span<byte> buffer = _send.AsSpan(0, MaxRtcpSize);
        uint reporter = s.Send?.Ssrc ?? s.LocalSsrc;
        for (int i = 0; i < 2; i++)
        {
            var compound = new RtcpCompoundWriter(buffer);
            compound.TryAddReceiverReport(reporter, []);
            compound.TryAddCname(reporter, _cname);
            bool wrote = i == 0
                ? r.Stream.TryWriteNack(compound.Free, now, out int n)
                : r.Stream.TryWriteKeyframeRequest(compound.Free, now, out n);
            if (!wrote)
            {
                continue;
            }

            compound.Advance(n);
            _transport.SendRtcp(buffer[..compound.Length], now);
            RtcpCounters.ReceiverReportsSent++;
        }
    }

    /// <summary>The periodic report (RFC 3550 §6.4): an SR per sending stream, report blocks about every received stream, SDES CNAME, BYE when leaving.</summary>
    private void SendReport(TimeSpan now, bool goodbye)
    {
        Span<byte> buffer = _send.AsSpan(0, MaxRtcpSize);
        var compound = new RtcpCompoundWriter(buffer);
        Span<RtcpReportBlock> blocks = stackalloc RtcpReportBlock[MaxReportBlocks];
        int count = 0;
        uint? reporter = null;
        foreach (Section s in _sections)
        {
            reporter ??= s.Send?.Ssrc ?? s.LocalSsrc;
            foreach (Receiver r in s.Receivers.Values)
            {
                if (count < blocks.Length && r.Stream.Statistics.PacketsReceived > 0)
                {
                    blocks[count++] = r.Stream.CreateReportBlock(now);
                }
            }
        }

        if (reporter is null)
        {
            return;
        }

        bool first = true;
        Span<uint> senders = stackalloc uint[16];
        int senderCount = 0;
        foreach (Section s in _sections)
        {
            // RFC 3550 §6.4.1: an SR for every stream we send, each simulcast layer's too (its SSRC, RTP clock and counts).
            for (int layer = 0; layer < s.SendStreamCount; layer++)
            {
                if (s.SendStream(layer) is { HasSentMedia: true } send && senderCount < senders.Length)
                {
                    compound.TryAddSenderReport(send.Ssrc, send.CreateSenderInfo(now), first ? blocks[..count] : []);
                    senders[senderCount++] = send.Ssrc;
                    first = false;
                }
            }
        }

        if (first)
        {
            compound.TryAddReceiverReport(reporter.Value, blocks[..count]);
            RtcpCounters.ReceiverReportsSent++;
        }

        RtcpCounters.SenderReportsSent += senderCount;

        compound.TryAddCname(senderCount > 0 ? senders[0] : reporter.Value, _cname);
        AddExtendedReport(ref compound, senderCount > 0 ? senders[0] : reporter.Value, now);
        if (goodbye)
        {
            // RFC 3550 §6.6: BYE for every source we used; a session that only received leaves with its reporter SSRC.
            if (senderCount == 0)
            {
                senders[senderCount++] = reporter.Value;
            }

            compound.TryAddGoodbye(senders[..senderCount]);
        }

        _transport.SendRtcp(buffer[..compound.Length], now);
    }

    private readonly record struct QueuedMedia(ReceivedMedia Media, byte[] Buffer);

    /// <summary>One negotiated audio or video section and its streams.</summary>
    private sealed partial class Section(string mid, MediaKind kind)
    {
        public string Mid { get; } = mid;

        public MediaKind Kind { get; } = kind;

        public Transceiver? Transceiver { get; private set; }

        public MediaDirection Direction { get; private set; }

        public uint LocalSsrc { get; private set; }

        public RtpSendStream? Send { get; private set; }

        /// <summary>Gets the primary codec we send (the first negotiated one that is not RED, an event or comfort noise).</summary>
        public NegotiatedCodec? SendCodec { get; private set; }

        /// <summary>Gets the RED payload type (RFC 2198) to wrap <see cref="SendCodec"/> in, when the peer receives it.</summary>
        public int? SendRedPayloadType { get; private set; }

        /// <summary>Gets the telephone-event payload type (RFC 4733) at <see cref="SendCodec"/>'s clock rate, when the peer receives it.</summary>
        public int? SendTelephoneEventPayloadType { get; private set; }

        /// <summary>Gets or sets the digits being sent (RFC 4733), or null.</summary>
        public DtmfSendState? Dtmf { get; set; }

        /// <summary>Gets or sets the RTP timestamp of the last primary audio packet we sent, to start events on the media clock.</summary>
        public uint LastMediaTimestamp { get; set; }

        /// <summary>Gets or sets when the last primary audio packet was sent, or null.</summary>
        public TimeSpan? LastMediaSentAt { get; set; }

        public IVideoPacketizer? Packetizer { get; private set; }

        /// <summary>
        /// Gets the simulcast layers we send (RFC 8853), in <see cref="NegotiatedSection.SendRids"/> order, or none: the
        /// first layer's stream and packetizer are <see cref="Send"/> and <see cref="Packetizer"/>.
        /// </summary>
        public SendLayer[] Layers { get; private set; } = [];

        /// <summary>Gets the RID header extension's id (RFC 8852 §3.1) when negotiated here, else 0.</summary>
        public byte RidId { get; private set; }

        /// <summary>Gets the repaired-RID header extension's id (RFC 8852 §3.2) when negotiated here, else 0.</summary>
        public byte RepairedRidId { get; private set; }

        /// <summary>Gets how many streams we send here: one per simulcast layer, or <see cref="Send"/> alone.</summary>
        public int SendStreamCount => Layers.Length > 0 ? Layers.Length : Send is null ? 0 : 1;

        public Dictionary<uint, Receiver> Receivers { get; } = [];

        public Dictionary<uint, uint> RtxFor { get; } = [];

        public byte MidId { get; private set; }

        public byte AbsSendTimeId { get; private set; }

        public byte AudioLevelId { get; private set; }

        /// <summary>Gets the transport-wide sequence number extension's id when transport-cc is negotiated here, else 0.</summary>
        public byte TransportCcId { get; private set; }

        /// <summary>Gets or sets a value indicating whether RFC 8888 feedback is negotiated (for the whole session, set on each audio and video section).</summary>
        public bool CcfbNegotiated { get; set; }

        /// <summary>Gets a value indicating whether the peer reports our packets here (transport-cc or RFC 8888): they are numbered, remembered and paced.</summary>
        public bool CcFeedback => TransportCcId != 0 || CcfbNegotiated;

        public int MLineIndex { get; private set; }

        public RtpHeaderExtensionMode ExtensionMode { get; private set; }

        private NegotiatedSection? Negotiated { get; set; }

        /// <summary>Send stream <paramref name="layer"/> (0 to <see cref="SendStreamCount"/> - 1): a simulcast layer's, or <see cref="Send"/>.</summary>
        public RtpSendStream SendStream(int layer) => Layers.Length > 0 ? Layers[layer].Stream : Send!;

        /// <summary>The index of the simulcast layer with <paramref name="rid"/>, or -1.</summary>
        public int FindLayer(string rid)
        {
            for (int i = 0; i < Layers.Length; i++)
            {
                if (string.Equals(Layers[i].Rid, rid, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        public bool IsRtxPayloadType(byte pt)
        {
            // Indexed: foreach over the IReadOnlyList boxed its enumerator, 40 B for every packet received.
            IReadOnlyList<NegotiatedCodec> codecs = Negotiated!.ReceiveCodecs;
            for (int i = 0; i < codecs.Count; i++)
            {
                if (codecs[i].RtxPayloadType == pt)
                {
                    return true;
                }
            }

            return false;
        }

        public void Apply(NegotiatedSection n, WebRtcSession session)
        {
            Negotiated = n;
            Transceiver = n.Transceiver;
            Direction = n.Direction;
            LocalSsrc = n.LocalSsrc ?? n.Transceiver?.Ssrc ?? 1;
            MidId = (byte)(n.GetExtensionId(ExtMap.MidUri) ?? 0);
            AbsSendTimeId = (byte)(n.GetExtensionId(ExtMap.AbsSendTimeUri) ?? 0);
            AudioLevelId = (byte)(n.GetExtensionId(ExtMap.AudioLevelUri) ?? 0);
            TransportCcId = NegotiatesTransportCc(n) ? (byte)(n.GetExtensionId(ExtMap.TransportWideCcUri) ?? 0) : (byte)0;
            RidId = (byte)(n.GetExtensionId(JsepOptions.RidUri) ?? 0);
            RepairedRidId = (byte)(n.GetExtensionId(JsepOptions.RepairedRidUri) ?? 0);
            MLineIndex = n.MLineIndex;
            ExtensionMode = RtpHeaderExtensionMode.Mixed;
            ApplyReceivePayloadKinds(n);
            NegotiatedCodec? codec = n.Direction.Sends() ? PrimaryCodec(n.SendCodecs, null) : null;
            SendRedPayloadType = codec is null ? null : FindRed(n.SendCodecs, codec);
            SendTelephoneEventPayloadType = codec is null ? null : FindTelephoneEvent(n.SendCodecs, codec.ClockRate);
            if (codec is null || n.LocalSsrc is not uint ssrc)
            {
                SendCodec = null;
                Layers = [];
                return;
            }

            // RFC 4585 §4.2 / RFC 4588: only a peer that negotiated NACK (or RTX) may ask for a packet again; without
            // either (browsers' Opus) the send stream keeps no history, which is most of an audio session's memory.
            bool keepHistory = n.SendCodecs.Any(c => c.RtxPayloadType is not null || c.HasFeedback("nack"));
            if (Send is not null && Send.Ssrc == ssrc && keepHistory)
            {
                Send.EnableHistory();
            }

            Dictionary<byte, byte>? rtx = null;
            foreach (NegotiatedCodec c in n.SendCodecs)
            {
                if (c.RtxPayloadType is int r)
                {
                    (rtx ??= [])[(byte)c.PayloadType] = (byte)r;
                }
            }

            if (Send is null || Send.Ssrc != ssrc)
            {
                Send = CreateSendStream(ssrc, rtx is null ? null : n.LocalRtxSsrc, codec, rtx, keepHistory, session);
            }

            bool sameCodec = SendCodec?.Name == codec.Name;
            if (!sameCodec || Packetizer is null)
            {
                Packetizer = Kind == MediaKind.Video ? CreatePacketizer(codec) : null;
            }

            ApplyLayers(n, codec, rtx, keepHistory, sameCodec, session);
            SendCodec = codec;
        }

        /// <summary>
        /// RFC 8853: one send stream per negotiated simulcast stream, on its encoding's SSRC and RTX SSRC, with its own
        /// packetizer; the first is <see cref="Send"/>. A layer whose SSRC stays keeps its state across renegotiation.
        /// </summary>
        private void ApplyLayers(NegotiatedSection n, NegotiatedCodec codec, Dictionary<byte, byte>? rtx, bool keepHistory, bool sameCodec, WebRtcSession session)
        {
            if (n.SendRids.Count == 0 || Transceiver is null || Kind != MediaKind.Video)
            {
                Layers = [];
                return;
            }

            var layers = new SendLayer[n.SendRids.Count];
            for (int i = 0; i < layers.Length; i++)
            {
                string rid = n.SendRids[i];
                SendEncoding encoding = Transceiver.SendEncodings.First(e => e.Rid == rid);
                if (i == 0)
                {
                    layers[i] = new SendLayer(rid, Send!, Packetizer);
                    continue;
                }

                SendLayer? existing = Array.Find(Layers, x => x.Stream.Ssrc == encoding.Ssrc);
                if (existing is not null && sameCodec && existing.Stream.RtxSsrc == (rtx is null ? null : encoding.RtxSsrc))
                {
                    if (keepHistory)
                    {
                        existing.Stream.EnableHistory();
                    }

                    layers[i] = existing with { Rid = rid };
                    continue;
                }

                layers[i] = new SendLayer(rid, CreateSendStream(encoding.Ssrc, rtx is null ? null : encoding.RtxSsrc, codec, rtx, keepHistory, session), CreatePacketizer(codec));
            }

            Layers = layers;
        }

        private static RtpSendStream CreateSendStream(uint ssrc, uint? rtxSsrc, NegotiatedCodec codec, Dictionary<byte, byte>? rtx, bool keepHistory, WebRtcSession session) => new(new RtpSendStreamOptions
        {
            Ssrc = ssrc,
            ClockRate = codec.ClockRate,
            RtxSsrc = rtxSsrc,
            RtxPayloadTypes = rtx,
            HistorySize = session._options.SendHistorySize,
            KeepHistory = keepHistory,
            SharedRetransmissionBudget = session._options.SharedRetransmissionBudget,
            Random = session._options.Random,
            WallClockAtZero = session.WallClockAtZero(session._now),
        });

        public Receiver? GetOrCreateReceiver(uint ssrc, byte payloadType, WebRtcSession session, int ridIndex)
        {
            if (Receivers.TryGetValue(ssrc, out Receiver? existing))
            {
                return existing;
            }

            NegotiatedCodec? codec = FindReceiveCodec(payloadType);
            if (codec is null || Receivers.Count >= 16)
            {
                return null;
            }

            if (GetPayloadKind(payloadType) != AudioPayloadKind.Primary)
            {
                // A stream whose first packet is RED or an event still carries the primary codec (its clock, its stats).
                codec = PrimaryCodec(Negotiated!.ReceiveCodecs, codec.ClockRate) ?? PrimaryCodec(Negotiated.ReceiveCodecs, null) ?? codec;
            }

            uint? rtxSsrc = null;
            foreach ((uint rtx, uint primary) in RtxFor)
            {
                if (primary == ssrc)
                {
                    rtxSsrc = rtx;
                }
            }

            string? rid = ridIndex >= 0 && ridIndex < Negotiated!.ReceiveRids.Count ? Negotiated.ReceiveRids[ridIndex] : null;
            var receiver = CreateReceiver(ssrc, rtxSsrc, codec, session) with { RidIndex = rid is null ? -1 : ridIndex, Rid = rid };
            Receivers[ssrc] = receiver;
            session._events.Enqueue(new SessionRemoteStreamEvent(Mid, ssrc, rid));
            return receiver;
        }

        /// <summary>The stream of simulcast stream <paramref name="ridIndex"/> (an index into <see cref="NegotiatedSection.ReceiveRids"/>), if it has sent.</summary>
        public Receiver? FindReceiverByRid(int ridIndex)
        {
            foreach (Receiver r in Receivers.Values)
            {
                if (r.RidIndex == ridIndex)
                {
                    return r;
                }
            }

            return null;
        }

        public Receiver RebindRtx(Receiver r, uint rtxSsrc, WebRtcSession session)
        {
            // The RTX SSRC was not signalled: this stream's repair stream is learnt from its first packet.
            var rebound = CreateReceiver(r.Stream.Ssrc, rtxSsrc, r.Codec, session, r) with { RidIndex = r.RidIndex, Rid = r.Rid };
            Receivers[r.Stream.Ssrc] = rebound;
            return rebound;
        }

        private Receiver CreateReceiver(uint ssrc, uint? rtxSsrc, NegotiatedCodec codec, WebRtcSession session, Receiver? previous = null)
        {
            Dictionary<byte, byte>? apt = null;
            foreach (NegotiatedCodec c in Negotiated!.ReceiveCodecs)
            {
                if (c.RtxPayloadType is int r)
                {
                    (apt ??= [])[(byte)r] = (byte)c.PayloadType;
                }
            }

            KeyframeRequestKind? keyframes = codec.HasFeedback("nack pli") ? KeyframeRequestKind.Pli : codec.HasFeedback("ccm fir") ? KeyframeRequestKind.Fir : null;
            var stream = new RtpReceiveStream(new RtpReceiveStreamOptions
            {
                Ssrc = ssrc,
                ClockRate = codec.ClockRate,
                LocalSsrc = Send?.Ssrc ?? LocalSsrc,
                RtxSsrc = rtxSsrc,
                RtxAssociatedPayloadTypes = apt,
                Nack = codec.HasFeedback("nack"),
                KeyframeRequests = keyframes,
            });
            VideoFrameBuffer? frames = previous?.Frames;
            if (frames is null && Kind == MediaKind.Video && !session._options.ReceiveRtpPackets && CreateDepacketizer(codec) is IVideoDepacketizer d)
            {
                frames = new VideoFrameBuffer(d, session._options.VideoFrameBuffer);
            }

            var receiver = new Receiver(stream, frames, codec, (byte)codec.PayloadType);
            if (previous is not null)
            {
                receiver.Audio = previous.Audio;
            }
            else if (Kind == MediaKind.Audio)
            {
                bool opus = string.Equals(codec.Name, "opus", StringComparison.OrdinalIgnoreCase);
                receiver.Audio = new ReceiverAudio(opus && session._options.AudioPlayout is AudioPlayoutOptions playout ? new AudioPlayout(playout) : null);
            }

            return receiver;
        }

        private NegotiatedCodec? FindReceiveCodec(byte payloadType)
        {
            foreach (NegotiatedCodec c in Negotiated!.ReceiveCodecs)
            {
                if (c.PayloadType == payloadType)
                {
                    return c;
                }
            }

            return null;
        }

        private static IVideoPacketizer? CreatePacketizer(NegotiatedCodec codec) => codec.Name.ToUpperInvariant() switch
        {
            "VP8" => new Vp8Packetizer(),
            "VP9" => new Vp9Packetizer(),
            "H264" => new H264Packetizer(codec.GetParameter("packetization-mode") == "1" ? H264PacketizationMode.NonInterleaved : H264PacketizationMode.SingleNalUnit),
            "H265" => new H265Packetizer(),
            "AV1" => new Av1Packetizer(),
            _ => null,
        };

        private static IVideoDepacketizer? CreateDepacketizer(NegotiatedCodec codec) => codec.Name.ToUpperInvariant() switch
        {
            "VP8" => new Vp8Depacketizer(),
            "VP9" => new Vp9Depacketizer(),
            "H264" => new H264Depacketizer(),
            "H265" => new H265Depacketizer(),
            "AV1" => new Av1Depacketizer(),
            _ => null,
        };
    }

    /// <summary>One simulcast layer we send (RFC 8853): its RID, its send stream (SSRC, RTX SSRC, history) and its packetizer.</summary>
    private sealed record SendLayer(string Rid, RtpSendStream Stream, IVideoPacketizer? Packetizer);

    /// <summary>A remote stream in a section: its RTP receive stream and, for video, its frame buffer, for audio its RED, event and playout state.</summary>
    private sealed record Receiver(RtpReceiveStream Stream, VideoFrameBuffer? Frames, NegotiatedCodec Codec, byte PayloadType)
    {
        public ReceiverAudio? Audio { get; set; }

        /// <summary>Gets the index of its simulcast stream in <see cref="NegotiatedSection.ReceiveRids"/>, or -1.</summary>
        public int RidIndex { get; init; } = -1;

        /// <summary>Gets its simulcast stream's RID (RFC 8852), or null.</summary>
        public string? Rid { get; init; }
    }
}
