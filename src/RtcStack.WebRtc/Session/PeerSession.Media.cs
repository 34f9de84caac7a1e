using System.Buffers;
using RtcStack.Congestion;
using RtcStack.Congestion.Feedback;
using RtcStack.Opus;
using RtcStack.Rtp;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Srtp;

namespace RtcStack.WebRtc;

/// <content>RTP: sending payloads with header extensions, receiving and depacketizing, the media queue.</content>
public sealed partial class PeerSession
{
    private const int MaxRemoteStreams = 8;

    private readonly Queue<QueuedFrame> _media = new();
    private readonly List<RemoteStream> _remoteStreams = [];
    private readonly SendHistory? _history;

    // Negotiated media parameters.
    private byte _payloadType;
    private byte _midId;
    private byte _absSendTimeId;
    private byte _transportCcId;
    private byte _audioLevelId;
    private string _mid = "0";
    private RtpHeaderExtensionMode _extensionMode;
    private bool _nackNegotiated;
    private bool _twccNegotiated;
    private bool _remoteXrRtt;
    private bool _canSend;
    private FeedbackGenerator? _feedback;

    // Send state.
    private ushort _sendSequence;
    private long _transportSequence;
    private uint _lastRtpTimestamp;
    private TimeSpan _lastRtpSendTime;
    private bool _sentRtp;
    private long _packetsSent;
    private long _payloadBytesSent;
    private long _headerBytesSent;
    private long _retransmittedPacketsSent;
    private long _retransmittedBytesSent;
    private long _retransmissionsDropped;
    private long _nackCountReceived;
    private long _sendWithoutPair;

    // Receive state.
    private SequenceNumberUnwrapper _incomingTransportSequence;
    private long _srtpFailures;
    private long _srtpReplays;
    private long _srtcpReplays;
    private long _srtcpFailures;
    private long _rtpBeforeKeys;
    private long _malformedRtp;
    private long _unknownPayloadType;
    private long _unknownDatagrams;
    private long _mediaQueueOverflows;
    private long _transportPacketsSent;
    private long _transportPacketsReceived;
    private long _transportBytesSent;
    private long _transportBytesReceived;

    /// <summary>Gets a value indicating whether media can be sent now: DTLS-SRTP is up and the direction allows it.</summary>
    public bool CanSendMedia => _srtp is not null && _canSend && !_closed;

    /// <summary>Gets the negotiated Opus payload type (RFC 3264 §6.1: the offerer's number), or -1.</summary>
    public int PayloadType => _negotiated is null ? -1 : _payloadType;

    /// <summary>
    /// Sends one RTP packet of our audio stream (RFC 3550 §5.1): <paramref name="payload"/> (one Opus
    /// packet, RFC 7587 §4.2) with <paramref name="rtpTimestamp"/> (48 kHz) and <paramref name="marker"/>,
    /// the next sequence number, and the negotiated header extensions (RFC 8285): sdes:mid (RFC 8843
    /// §15.2), abs-send-time, transport-wide sequence number, and the audio level (RFC 6464) when
    /// <paramref name="audioLevel"/> is 0-127. Protected with SRTP and kept for NACK retransmission.
    /// False when media cannot be sent yet (or any more). Allocation-free.
    /// </summary>
    public bool SendRtp(ReadOnlySpan<byte> payload, uint rtpTimestamp, bool marker, TimeSpan now, int audioLevel = -1, bool voiceActivity = false)
    {
        if (!CanSendMedia)
        {
            return false;
        }

        if (payload.Length > MaxDatagramSize - 100)
        {
            throw new ArgumentException($"an RTP payload of {payload.Length} bytes does not fit a {MaxDatagramSize}-byte datagram", nameof(payload));
        }

        _now = now;
        byte[] scratch = Scratch;
        var writer = new RtpPacketWriter(scratch);
        writer.TryWriteHeader(new RtpHeader(_payloadType, _sendSequence, rtpTimestamp, Ssrc, marker));
        if ((_midId | _absSendTimeId | _transportCcId | (audioLevel >= 0 ? _audioLevelId : 0)) != 0)
        {
            RtpHeaderExtensionWriter ext = writer.BeginHeaderExtension(_extensionMode);
            if (_midId != 0)
            {
                ext.TryAddText(_midId, _mid.AsSpan());
            }

            if (_absSendTimeId != 0)
            {
                ext.TryAddAbsSendTime(_absSendTimeId, AbsSendTimeExtension.FromTime(now));
            }

            if (_transportCcId != 0)
            {
                ext.TryAddTransportSequenceNumber(_transportCcId, (ushort)_transportSequence);
            }

            if (_audioLevelId != 0 && audioLevel >= 0)
            {
                ext.TryAddAudioLevel(_audioLevelId, voiceActivity, (byte)Math.Min(audioLevel, 127));
            }

            writer.TryEndHeaderExtension(ext.Finish());
        }

        writer.TryWritePayload(payload);
        int headerLength = writer.HeaderLength;
        if (_srtp!.ProtectRtp(scratch, writer.Length, out int wireLength) != SrtpStatus.Ok)
        {
            return false;
        }

        ReadOnlySpan<byte> wire = scratch.AsSpan(0, wireLength);
        _history?.Store(_sendSequence, wire);
        if (!TrySendViaIce(wire, now))
        {
            _sendWithoutPair++;
        }

        _retransmissionBudget.OnMediaSent(wireLength, now);
        _options.SharedRetransmissionBudget?.OnMediaSent(wireLength, now);
        _options.CongestionController?.OnPacketSent(new SentPacket(_transportSequence, wireLength, now));
        _sendSequence++;
        _transportSequence++;
        _lastRtpTimestamp = rtpTimestamp;
        _lastRtpSendTime = now;
        _sentRtp = true;
        _packetsSent++;
        _payloadBytesSent += payload.Length;
        _headerBytesSent += headerLength;
        return true;
    }

    /// <summary>
    /// Takes the next received frame: copies its payload (one Opus packet) into <paramref name="payload"/>
    /// (make it <see cref="MaxDatagramSize"/> bytes) and describes it in <paramref name="frame"/>.
    /// Duplicates and malformed payloads are counted and dropped (RFC 7587 §4.1-4.2); late (reordered or
    /// retransmitted) ones are returned with that status.
    /// </summary>
    public bool TryPollMedia(Span<byte> payload, out ReceivedMediaFrame frame)
    {
        if (!_media.TryPeek(out QueuedFrame q))
        {
            frame = default;
            return false;
        }

        if (payload.Length < q.Frame.PayloadLength)
        {
            throw new ArgumentException($"the buffer holds {payload.Length} bytes; the payload has {q.Frame.PayloadLength}", nameof(payload));
        }

        _media.Dequeue();
        q.Buffer.AsSpan(0, q.Frame.PayloadLength).CopyTo(payload);
        ArrayPool<byte>.Shared.Return(q.Buffer);
        frame = q.Frame;
        return true;
    }

    private static byte FindExtension(NegotiatedAudio negotiated, string uri)
    {
        foreach (ExtMap e in negotiated.HeaderExtensions)
        {
            if (e.Uri == uri && e.Id is >= 1 and <= 255)
            {
                return (byte)e.Id;
            }
        }

        return 0;
    }

    private void ConfigureMedia(NegotiatedAudio negotiated)
    {
        _payloadType = (byte)negotiated.PayloadType;
        _mid = negotiated.Mid ?? "0";
        _midId = negotiated.Mid is null ? (byte)0 : FindExtension(negotiated, ExtMap.MidUri);
        _absSendTimeId = FindExtension(negotiated, ExtMap.AbsSendTimeUri);
        _transportCcId = FindExtension(negotiated, ExtMap.TransportWideCcUri);
        _audioLevelId = FindExtension(negotiated, ExtMap.AudioLevelUri);
        _extensionMode = negotiated.ExtMapAllowMixed ? RtpHeaderExtensionMode.Mixed : RtpHeaderExtensionMode.OneByteOnly;
        foreach (RtcStack.Sdp.RtcpFeedback fb in negotiated.RtcpFeedback)
        {
            if (fb.Type == "nack" && fb.Parameter is null)
            {
                _nackNegotiated = true;
            }
            else if (fb.Type == "transport-cc")
            {
                _twccNegotiated = true;
            }
        }

        // Without an extmap id there is nothing to give feedback on.
        _twccNegotiated &= _transportCcId != 0;
        _feedback = _twccNegotiated && _options.SendTransportFeedback ? new FeedbackGenerator(FeedbackFormat.Twcc) : null;
        _canSend = negotiated.LocalDirection is MediaDirection.SendRecv or MediaDirection.SendOnly;
    }

    private RemoteStream? GetOrAddStream(uint ssrc, int payloadType, TimeSpan now)
    {
        foreach (RemoteStream s in _remoteStreams)
        {
            if (s.Ssrc == ssrc)
            {
                return s;
            }
        }

        if (_remoteStreams.Count >= MaxRemoteStreams)
        {
            return null;
        }

        var stream = new RemoteStream(ssrc, payloadType, 48000, _nackNegotiated);
        _remoteStreams.Add(stream);
        _events.Enqueue(new RemoteSourceStartedEvent(ssrc, payloadType));
        _ = now;
        return stream;
    }

    private void HandleSrtp(ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (_srtp is null)
        {
            _rtpBeforeKeys++;
            return;
        }

        byte[] scratch = Scratch;
        data.CopyTo(scratch);
        SrtpStatus status = _srtp.UnprotectRtp(scratch, data.Length, out int plainLength);
        if (status != SrtpStatus.Ok)
        {
            if (status is SrtpStatus.Replayed or SrtpStatus.TooOld)
            {
                _srtpReplays++;
            }
            else
            {
                _srtpFailures++;
            }

            return;
        }

        if (!RtpPacket.TryParse(scratch.AsSpan(0, plainLength), out RtpPacket packet))
        {
            _malformedRtp++;
            return;
        }

        if (packet.PayloadType != _payloadType)
        {
            // telephone-event, comfort noise, or anything else we did not answer with.
            _unknownPayloadType++;
            return;
        }

        RemoteStream? stream = GetOrAddStream(packet.Ssrc, packet.PayloadType, now);
        if (stream is null)
        {
            _unknownPayloadType++;
            return;
        }

        stream.Ended = false;
        stream.Statistics.ReceivePacket(packet.SequenceNumber, packet.Timestamp, now);
        stream.BytesReceived += packet.Payload.Length;
        stream.HeaderBytesReceived += packet.HeaderLength;
        stream.LastPacketReceived = now;
        int level = -1;
        bool voice = false;
        if (packet.HasExtension)
        {
            if (_feedback is not null && packet.TryGetHeaderExtension(_transportCcId, out ReadOnlySpan<byte> tcc)
                && TransportSequenceNumberExtension.TryRead(tcc, out ushort transportSequence))
            {
                _feedback.OnPacket(_incomingTransportSequence.Unwrap(transportSequence), data.Length, now);
            }

            if (_audioLevelId != 0 && packet.TryGetHeaderExtension(_audioLevelId, out ReadOnlySpan<byte> lv)
                && AudioLevelExtension.TryRead(lv, out voice, out byte l))
            {
                level = l;
                stream.LastAudioLevel = l;
            }
        }

        OpusRtpReceivedPacket r = stream.Depacketizer.Receive(packet.Payload, packet.SequenceNumber, packet.Timestamp);
        bool retransmission = false;
        switch (r.Status)
        {
            case OpusRtpReceiveStatus.Accepted:
                if (r.LostPackets > 0)
                {
                    stream.Nack?.OnGap(r.ExtendedSequenceNumber, r.LostPackets);
                }

                break;
            case OpusRtpReceiveStatus.Late:
                retransmission = stream.Nack?.OnLatePacket(r.ExtendedSequenceNumber) ?? false;
                if (retransmission)
                {
                    stream.RetransmittedPacketsReceived++;
                }

                break;
            default:
                stream.PacketsDiscarded++;
                return;
        }

        if (level >= 0 && r.Info.SampleCount > 0)
        {
            // webrtc-stats totalAudioEnergy: Σ (amplitude² × duration), amplitude = 10^(-level/20).
            double amplitude = Math.Pow(10, -level / 20.0);
            double duration = r.Info.SampleCount / 48000.0;
            stream.TotalAudioEnergy += amplitude * amplitude * duration;
            stream.TotalSamplesDuration += duration;
        }

        if (_media.Count >= _options.MaxQueuedMediaFrames)
        {
            ArrayPool<byte>.Shared.Return(_media.Dequeue().Buffer);
            _mediaQueueOverflows++;
        }

        ReadOnlySpan<byte> body = packet.Payload;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
        body.CopyTo(buffer);
        _media.Enqueue(new QueuedFrame(buffer, new ReceivedMediaFrame(
            packet.Ssrc, packet.PayloadType, r.ExtendedSequenceNumber, packet.Timestamp, packet.Marker, now, body.Length, r.Status,
            r.LostPackets, r.MissingSamples, r.IsDtxGap, r.CanRecoverWithFec, r.Info.SampleCount, level, voice, retransmission)));
    }

    private readonly record struct QueuedFrame(byte[] Buffer, ReceivedMediaFrame Frame);
}
