using RtcStack.Opus.Jitter;
using RtcStack.Rtp;
using RtcStack.Rtp.Dtmf;
using RtcStack.Rtp.Red;
using RtcStack.WebRtc.Jsep;

namespace RtcStack.WebRtc;

/// <content>
/// The audio receive pipeline and the audio extras of a section: RFC 2198 redundancy (lost primaries recovered from the
/// next packets before they reach the application or the jitter buffer), RFC 4733 telephone events (digits sent with
/// their durations and the final report three times; digits received as session events), and the optional playout
/// path (<see cref="WebRtcSessionOptions.AudioPlayout"/>: an adaptive jitter buffer and an Opus decoder per remote
/// stream, PCM out through <see cref="TryGetPlayoutAudio"/>).
/// </content>
public sealed partial class WebRtcSession
{
    /// <summary>RFC 4733 §2.5.1.2 leaves the update rate to the sender; libwebrtc sends one every 50 ms.</summary>
    private const int DtmfUpdateMilliseconds = 50;

    /// <summary>An event whose reports stop for this long without an end report is ended (RFC 4733 §2.5.2.2: lost end packets).</summary>
    private static readonly TimeSpan DtmfEndTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>W3C webrtc-pc §7.2 insertDTMF: a ',' is a 2 s pause.</summary>
    private static readonly TimeSpan DtmfCommaPause = TimeSpan.FromSeconds(2);

    private readonly byte[] _redFrames = new byte[MaxDatagramSize];
    private readonly int[] _redOffsets = new int[RedPayload.MaxBlocks + 1];
    private readonly RedFrame[] _redFrameInfo = new RedFrame[RedPayload.MaxBlocks + 1];
    private readonly byte[] _dtmfPayload = new byte[TelephoneEvent.Length];

    /// <summary>
    /// Gets what <paramref name="transceiver"/>'s audio section sends: the primary payload type and clock rate, the RED
    /// payload type to wrap it in when the peer accepted RFC 2198 redundancy for it, and the telephone-event payload type
    /// at the same clock rate when the peer accepted RFC 4733 events. False when the section does not send audio.
    /// </summary>
    public bool TryGetAudioSendFormat(Transceiver transceiver, out AudioSendFormat format)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        if (FindSection(transceiver) is Section { Kind: MediaKind.Audio, Send: not null, SendCodec: NegotiatedCodec codec } s)
        {
            format = new AudioSendFormat((byte)codec.PayloadType, codec.ClockRate, (byte?)s.SendRedPayloadType, (byte?)s.SendTelephoneEventPayloadType);
            return true;
        }

        format = default;
        return false;
    }

    /// <summary>
    /// Sends one audio packet with an explicit payload type, which must be the section's primary one or its RED one
    /// (<see cref="TryGetAudioSendFormat"/>): for a RED payload (RFC 2198 §3) <paramref name="rtpTimestamp"/> is the
    /// primary's. False when media cannot be sent, the section sends no audio, or the payload type is not one of those.
    /// </summary>
    public bool SendAudioPayload(Transceiver transceiver, byte payloadType, ReadOnlySpan<byte> payload, uint rtpTimestamp, TimeSpan now, bool marker = false, int audioLevel = -1, bool voiceActivity = false)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section { Kind: MediaKind.Audio, Send: not null, SendCodec: NegotiatedCodec codec } s
            || (payloadType != codec.PayloadType && payloadType != s.SendRedPayloadType))
        {
            return false;
        }

        return SendPrimaryAudio(s, payload, rtpTimestamp, now, marker, audioLevel, voiceActivity, payloadType);
    }

    /// <summary>
    /// Queues DTMF tones on <paramref name="transceiver"/>'s audio section as RFC 4733 telephone events (W3C webrtc-pc
    /// §7.2 insertDTMF: '0'-'9', 'A'-'D', '#', '*' and ',' for a 2 s pause; the tones replace any not yet started).
    /// Each tone lasts <paramref name="duration"/> (40-6000 ms, 100 by default) and is followed by
    /// <paramref name="interToneGap"/> (at least 30 ms, 70 by default). Packets go out from <see cref="HandleTimeout"/>:
    /// an update every 50 ms with the duration so far, the final report (E bit) three times (RFC 4733 §2.5.1.4), all
    /// with the event's start timestamp on the audio stream's clock (§2.5.1.2) and the marker on the first.
    /// </summary>
    /// <returns>False when media cannot be sent yet or the peer did not accept telephone-event at the audio clock rate.</returns>
    /// <exception cref="ArgumentException"><paramref name="tones"/> holds another character.</exception>
    public bool InsertDtmf(Transceiver transceiver, string tones, TimeSpan now, TimeSpan? duration = null, TimeSpan? interToneGap = null)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        ArgumentNullException.ThrowIfNull(tones);
        foreach (char c in tones)
        {
            if (c != ',' && !DtmfDigits.TryGetEvent(c, out _))
            {
                throw new ArgumentException($"'{c}' is not a DTMF tone (0-9, A-D, #, * or ',')", nameof(tones));
            }
        }

        _now = now;
        if (!CanSendMedia || FindSection(transceiver) is not Section { Send: not null, SendCodec: NegotiatedCodec codec, SendTelephoneEventPayloadType: not null } s)
        {
            return false;
        }

        TimeSpan toneDuration = duration ?? TimeSpan.FromMilliseconds(100);
        toneDuration = toneDuration < TimeSpan.FromMilliseconds(40) ? TimeSpan.FromMilliseconds(40) : toneDuration > TimeSpan.FromMilliseconds(6000) ? TimeSpan.FromMilliseconds(6000) : toneDuration;
        TimeSpan gap = interToneGap ?? TimeSpan.FromMilliseconds(70);
        gap = gap < TimeSpan.FromMilliseconds(30) ? TimeSpan.FromMilliseconds(30) : gap;
        if (s.Dtmf is null || s.Dtmf.ClockRate != codec.ClockRate)
        {
            s.Dtmf = new DtmfSendState(new TelephoneEventSender(codec.ClockRate * DtmfUpdateMilliseconds / 1000), codec.ClockRate, (uint)_random.NextInt64(0, 1L << 32), now);
        }

        DtmfSendState d = s.Dtmf;
        d.Tones = tones.ToUpperInvariant();
        d.Duration = toneDuration;
        d.Gap = gap;
        if (!d.InEvent && d.NextAt == TimeSpan.MaxValue)
        {
            d.NextAt = now;
        }

        RunDtmf(s, now);
        return true;
    }

    /// <summary>Gets the tones of <paramref name="transceiver"/>'s section not yet started (W3C RTCDTMFSender.toneBuffer).</summary>
    public string GetDtmfToneBuffer(Transceiver transceiver)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        return FindSection(transceiver)?.Dtmf?.Tones ?? string.Empty;
    }

    /// <summary>
    /// Takes the next 10 or 20 ms of decoded audio (<see cref="JitterBufferOptions.FrameMilliseconds"/>) of
    /// <paramref name="transceiver"/>'s remote stream from its jitter buffer, when <see cref="WebRtcSessionOptions.AudioPlayout"/>
    /// is set: call it once per frame duration with the current time. The buffer decides per call: decode, time-stretch
    /// towards its target delay, rebuild from in-band FEC, conceal, or comfort noise (see <see cref="AdaptiveJitterBuffer"/>).
    /// With several remote streams in the section, the one that received last plays. False when playout is off or no
    /// remote Opus stream has sent a packet yet.
    /// </summary>
    /// <param name="transceiver">The audio transceiver.</param>
    /// <param name="now">The current time, on the clock of the session's other inputs.</param>
    /// <param name="pcm">Receives <see cref="AudioPlayoutFrame.Samples"/> × <see cref="AudioPlayoutFrame.Channels"/> interleaved samples; at least that long.</param>
    /// <param name="frame">What was written and how it was made.</param>
    /// <returns>Whether a frame was written.</returns>
    public bool TryGetPlayoutAudio(Transceiver transceiver, TimeSpan now, Span<short> pcm, out AudioPlayoutFrame frame)
    {
        ArgumentNullException.ThrowIfNull(transceiver);
        frame = default;
        if (FindSection(transceiver) is not Section s)
        {
            return false;
        }

        AudioPlayout? playout = null;
        uint ssrc = 0;
        foreach (Receiver r in s.Receivers.Values)
        {
            if (r.Audio?.Playout is AudioPlayout p && p.LastInsertAt is TimeSpan at && (playout is null || at > playout.LastInsertAt))
            {
                playout = p;
                ssrc = r.Stream.Ssrc;
            }
        }

        if (playout is null)
        {
            return false;
        }

        AdaptiveJitterBuffer buffer = playout.Buffer;
        int length = buffer.FrameSamples * buffer.Channels;
        if (pcm.Length < length)
        {
            throw new ArgumentException($"A playout frame is {length} samples.", nameof(pcm));
        }

        JitterBufferDecision decision = buffer.GetAudio(now, pcm[..length]);
        frame = new AudioPlayoutFrame(s.Mid, ssrc, buffer.FrameSamples, buffer.Channels, buffer.SampleRate, decision);
        return true;
    }

    private bool SendPrimaryAudio(Section s, ReadOnlySpan<byte> payload, uint rtpTimestamp, TimeSpan now, bool marker, int audioLevel, bool voiceActivity, byte payloadType)
    {
        // Audio goes through SendOrQueue: it bypasses the pacer's queue (by default) but counts against its rate.
        bool sent = SendOrQueue(s, payload, rtpTimestamp, marker, now, audioLevel, voiceActivity, payloadType, audio: true);
        if (sent)
        {
            s.LastMediaTimestamp = rtpTimestamp;
            s.LastMediaSentAt = now;
        }

        if (_pacer is not null)
        {
            DrainPacer(now);
        }

        return sent;
    }

    /// <summary>An audio packet accepted by its receive stream: RED is unwrapped, events go to the event receiver, the rest is a frame.</summary>
    private void DeliverAudioPacket(Section s, Receiver r, RtpPacket packet, int level, bool voice, TimeSpan now)
    {
        switch (s.GetPayloadKind(packet.PayloadType))
        {
            case AudioPayloadKind.Red when r.Audio is not null:
                DeliverRed(s, r, r.Audio, packet, level, voice, now);
                break;
            case AudioPayloadKind.TelephoneEvent when r.Audio is not null:
                ReceiveTelephoneEvent(s, r, r.Audio, packet.PayloadType, packet.Timestamp, packet.Marker, packet.Payload, now);
                break;
            default:
                DeliverAudioFrame(s, r, packet.PayloadType, packet.Timestamp, packet.SequenceNumber, packet.Payload, level, voice, false, now);
                break;
        }
    }

    /// <summary>
    /// RFC 2198 §4: the RED decoder yields, oldest first, the redundant encodings whose primaries never arrived and then
    /// the primary (unless it was delivered already). Each goes on as if it had come in its own packet: one encoding per
    /// packet and consecutive sequence numbers (how WebRTC sends RED) give a recovered block's sequence number as the
    /// carrying packet's less its distance from the primary.
    /// </summary>
    private void DeliverRed(Section s, Receiver r, ReceiverAudio audio, RtpPacket packet, int level, bool voice, TimeSpan now)
    {
        ReadOnlySpan<byte> payload = packet.Payload;
        RedDecoder red = audio.Red ??= new RedDecoder();
        long withoutBefore = red.PayloadsWithoutRedundancy;
        if (payload.Length > _redFrames.Length || red.Push(packet.Timestamp, payload) != RedPayloadStatus.Valid)
        {
            MediaCounters.MalformedRed++;
            return;
        }

        MediaCounters.RedPayloadsReceived++;
        if (red.PayloadsWithoutRedundancy > withoutBefore)
        {
            MediaCounters.RedPayloadsWithoutRedundancy++;
        }

        int count = 0;
        int offset = 0;
        while (count < _redFrameInfo.Length && red.TryPoll(_redFrames.AsSpan(offset), out RedFrame f))
        {
            _redOffsets[count] = offset;
            _redFrameInfo[count++] = f;
            offset += f.Length;
        }

        bool lastIsPrimary = count > 0 && !_redFrameInfo[count - 1].IsRecovered;
        for (int i = 0; i < count; i++)
        {
            RedFrame f = _redFrameInfo[i];
            ReadOnlySpan<byte> data = _redFrames.AsSpan(_redOffsets[i], f.Length);
            ushort sequence = unchecked((ushort)(packet.SequenceNumber - (lastIsPrimary ? count - 1 - i : count - i)));
            switch (s.GetPayloadKind(f.PayloadType))
            {
                case AudioPayloadKind.Primary:
                    if (f.IsRecovered)
                    {
                        MediaCounters.RedRecoveredFrames++;
                    }

                    DeliverAudioFrame(s, r, f.PayloadType, f.Timestamp, sequence, data, f.IsRecovered ? -1 : level, !f.IsRecovered && voice, f.IsRecovered, now);
                    break;
                case AudioPayloadKind.TelephoneEvent:
                    ReceiveTelephoneEvent(s, r, audio, f.PayloadType, f.Timestamp, !f.IsRecovered && packet.Marker, data, now);
                    break;
                default:
                    // RFC 2198 §5: the blocks carry payload types the fmtp and the section name; anything else is not decodable.
                    MediaCounters.UnknownPayloadType++;
                    break;
            }
        }
    }

    private void DeliverAudioFrame(Section s, Receiver r, byte payloadType, uint timestamp, ushort sequence, ReadOnlySpan<byte> data, int level, bool voice, bool recovered, TimeSpan now)
    {
        if (r.Audio?.Playout is AudioPlayout playout && payloadType == r.PayloadType)
        {
            playout.Insert(r.Stream.Ssrc, sequence, timestamp, now, data);
            return;
        }

        Enqueue(new ReceivedMedia(s.Mid, r.Stream.Ssrc, payloadType, timestamp, sequence, data.Length, false, false, now)
        {
            AudioLevel = level,
            VoiceActivity = voice,
            Recovered = recovered,
        }, data);
    }

    private void ReceiveTelephoneEvent(Section s, Receiver r, ReceiverAudio audio, byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload, TimeSpan now)
    {
        TelephoneEventReceiver events = audio.Dtmf ??= new TelephoneEventReceiver();
        if (!events.Push(timestamp, marker, payload))
        {
            MediaCounters.MalformedTelephoneEvents++;
            return;
        }

        audio.DtmfClockRate = s.GetReceiveClockRate(payloadType);
        DrainDtmf(s, r, audio, now);
        audio.DtmfDeadline = audio.DtmfActive ? now + DtmfEndTimeout : null;
    }

    private void DrainDtmf(Section s, Receiver r, ReceiverAudio audio, TimeSpan now)
    {
        while (audio.Dtmf!.TryPoll(out DtmfReport report))
        {
            audio.DtmfActive = report.Kind == DtmfReportKind.Started;
            int rate = Math.Max(audio.DtmfClockRate, 1);
            _events.Enqueue(new SessionDtmfEvent(s.Mid, r.Stream.Ssrc, report.Kind, report.Event, report.Digit, TimeSpan.FromTicks(report.Duration * TimeSpan.TicksPerSecond / rate), report.EndReceived, now)
            {
                RtpTimestamp = report.Timestamp,
                ClockRate = rate,
            });
        }
    }

    /// <summary>The section's DTMF send and event receive timers.</summary>
    private static SessionTimeout? NextAudioTimeout(Section s, SessionTimeout? next)
    {
        if (s.Dtmf is { } d && d.NextAt != TimeSpan.MaxValue)
        {
            next = Earliest(next, new SessionTimeout(d.NextAt, SessionTimerReason.Dtmf));
        }

        foreach (Receiver r in s.Receivers.Values)
        {
            if (r.Audio?.DtmfDeadline is TimeSpan deadline)
            {
                next = Earliest(next, new SessionTimeout(deadline, SessionTimerReason.Dtmf));
            }
        }

        return next;
    }

    private void RunAudioTimers(Section s, TimeSpan now)
    {
        if (s.Dtmf is { } d && d.NextAt <= now)
        {
            RunDtmf(s, now);
        }

        foreach (Receiver r in s.Receivers.Values)
        {
            if (r.Audio is { DtmfDeadline: TimeSpan deadline } audio && deadline <= now)
            {
                // The event's end reports were all lost: it ends here, its duration what the last update said.
                audio.DtmfDeadline = null;
                audio.Dtmf!.Flush();
                DrainDtmf(s, r, audio, now);
            }
        }
    }

    /// <summary>Sends the telephone-event packets that are due and starts the next tone when its time has come.</summary>
    private void RunDtmf(Section s, TimeSpan now)
    {
        DtmfSendState d = s.Dtmf!;
        if (s.Send is null || s.SendTelephoneEventPayloadType is not int pt)
        {
            // Renegotiated away: nothing more can be sent.
            s.Dtmf = null;
            return;
        }

        while (d.NextAt <= now)
        {
            if (d.InEvent)
            {
                if (!d.HasPending)
                {
                    if (!d.Sender.TryPoll(out TelephoneEventPacket next))
                    {
                        // The event and its three final reports are out; the next tone follows the gap.
                        d.InEvent = false;
                        TimeSpan after = d.EventStartAt + d.Duration + d.Gap;
                        d.NextAt = after > now ? after : now;
                        continue;
                    }

                    d.Pending = next;
                    d.HasPending = true;
                }

                TimeSpan due = d.EventStartAt + TimeSpan.FromTicks(d.Pending.SendAt * TimeSpan.TicksPerSecond / d.ClockRate);
                if (due > now)
                {
                    d.NextAt = due;
                    return;
                }

                int n = d.Pending.Event.Write(_dtmfPayload);
                SendOrQueue(s, _dtmfPayload.AsSpan(0, n), d.Pending.Timestamp, d.Pending.Marker, now, -1, false, (byte)pt, audio: true);
                d.HasPending = false;
                continue;
            }

            if (d.Tones.Length == 0)
            {
                d.NextAt = TimeSpan.MaxValue;
                _events.Enqueue(new SessionDtmfToneChangeEvent(s.Mid, string.Empty, now));
                return;
            }

            char tone = d.Tones[0];
            d.Tones = d.Tones[1..];
            _events.Enqueue(new SessionDtmfToneChangeEvent(s.Mid, new string(tone, 1), now));
            if (tone == ',')
            {
                d.NextAt = now + DtmfCommaPause;
                continue;
            }

            if (!DtmfDigits.TryGetEvent(tone, out byte code))
            {
                continue;
            }

            // RFC 4733 §2.5.1.2: the event's timestamp is when it begins, on the audio stream's RTP clock.
            uint timestamp = s.LastMediaSentAt is TimeSpan at
                ? unchecked(s.LastMediaTimestamp + (uint)((now - at).Ticks * d.ClockRate / TimeSpan.TicksPerSecond))
                : unchecked(d.FirstTimestamp + (uint)((now - d.CreatedAt).Ticks * d.ClockRate / TimeSpan.TicksPerSecond));
            d.Sender.Start(code, timestamp, Math.Max(1, d.Duration.Ticks * d.ClockRate / TimeSpan.TicksPerSecond));
            d.EventStartAt = now;
            d.InEvent = true;
        }
    }

    private void DisposeAudio()
    {
        foreach (Section s in _sections)
        {
            foreach (Receiver r in s.Receivers.Values)
            {
                r.Audio?.Playout?.Dispose();
            }
        }
    }

    /// <summary>What an RTP payload type of a section carries.</summary>
    private enum AudioPayloadKind : byte
    {
        /// <summary>Not negotiated in the section.</summary>
        Unknown,

        /// <summary>A codec's own payload (Opus, or a video codec).</summary>
        Primary,

        /// <summary>RFC 2198 redundancy.</summary>
        Red,

        /// <summary>RFC 4733 telephone events.</summary>
        TelephoneEvent,
    }

    /// <summary>The audio state of a remote stream, made with the stream.</summary>
    private sealed class ReceiverAudio(AudioPlayout? playout)
    {
        public AudioPlayout? Playout { get; } = playout;

        public RedDecoder? Red { get; set; }

        public TelephoneEventReceiver? Dtmf { get; set; }

        public int DtmfClockRate { get; set; }

        public bool DtmfActive { get; set; }

        public TimeSpan? DtmfDeadline { get; set; }
    }

    /// <summary>The tones a section is sending (W3C RTCDTMFSender) and the event in progress.</summary>
    private sealed class DtmfSendState(TelephoneEventSender sender, int clockRate, uint firstTimestamp, TimeSpan createdAt)
    {
        public TelephoneEventSender Sender { get; } = sender;

        public int ClockRate { get; } = clockRate;

        public string Tones { get; set; } = string.Empty;

        public TimeSpan Duration { get; set; }

        public TimeSpan Gap { get; set; }

        public TimeSpan NextAt { get; set; } = TimeSpan.MaxValue;

        public TimeSpan EventStartAt { get; set; }

        public bool InEvent { get; set; }

        public bool HasPending { get; set; }

        public TelephoneEventPacket Pending { get; set; }

        /// <summary>Gets the timestamp events start from when no audio was sent yet (RFC 3550 §5.1: random).</summary>
        public uint FirstTimestamp { get; } = firstTimestamp;

        public TimeSpan CreatedAt { get; } = createdAt;
    }

    /// <summary>The payload kinds, send extras and clock rates of a section's negotiated codecs.</summary>
    private sealed partial class Section
    {
        private readonly AudioPayloadKind[] _payloadKinds = new AudioPayloadKind[128];
        private readonly int[] _clockRates = new int[128];

        public AudioPayloadKind GetPayloadKind(byte payloadType) => payloadType < 128 ? _payloadKinds[payloadType] : AudioPayloadKind.Unknown;

        public int GetReceiveClockRate(byte payloadType) => payloadType < 128 ? _clockRates[payloadType] : 0;

        /// <summary>The first codec of <paramref name="codecs"/> that is a codec of its own (not RED, an event, comfort noise), at <paramref name="clockRate"/> when given.</summary>
        public static NegotiatedCodec? PrimaryCodec(IReadOnlyList<NegotiatedCodec> codecs, int? clockRate)
        {
            for (int i = 0; i < codecs.Count; i++)
            {
                NegotiatedCodec c = codecs[i];
                if (KindOf(c.Name) == AudioPayloadKind.Primary && !string.Equals(c.Name, "CN", StringComparison.OrdinalIgnoreCase)
                    && (clockRate is null || c.ClockRate == clockRate))
                {
                    return c;
                }
            }

            return null;
        }

        /// <summary>RFC 2198 §5: the RED payload type whose fmtp names only <paramref name="primary"/>'s payload type.</summary>
        public static int? FindRed(IReadOnlyList<NegotiatedCodec> codecs, NegotiatedCodec primary)
        {
            foreach (NegotiatedCodec c in codecs)
            {
                if (KindOf(c.Name) == AudioPayloadKind.Red && c.ClockRate == primary.ClockRate && SdpCodec.RedPayloadTypes(c.Parameters) is byte[] pts && AllAre(pts, primary.PayloadType))
                {
                    return c.PayloadType;
                }
            }

            return null;
        }

        /// <summary>RFC 4733 §2.1: events share the audio stream's timestamps, so they are sent at its clock rate only.</summary>
        public static int? FindTelephoneEvent(IReadOnlyList<NegotiatedCodec> codecs, int clockRate)
        {
            foreach (NegotiatedCodec c in codecs)
            {
                if (KindOf(c.Name) == AudioPayloadKind.TelephoneEvent && c.ClockRate == clockRate)
                {
                    return c.PayloadType;
                }
            }

            return null;
        }

        public void ApplyReceivePayloadKinds(NegotiatedSection n)
        {
            Array.Clear(_payloadKinds);
            Array.Clear(_clockRates);
            foreach (NegotiatedCodec c in n.ReceiveCodecs)
            {
                if (c.PayloadType is >= 0 and < 128)
                {
                    _payloadKinds[c.PayloadType] = KindOf(c.Name);
                    _clockRates[c.PayloadType] = c.ClockRate;
                }
            }
        }

        private static AudioPayloadKind KindOf(string name) =>
            string.Equals(name, "red", StringComparison.OrdinalIgnoreCase) ? AudioPayloadKind.Red
            : string.Equals(name, "telephone-event", StringComparison.OrdinalIgnoreCase) ? AudioPayloadKind.TelephoneEvent
            : AudioPayloadKind.Primary;

        private static bool AllAre(byte[] payloadTypes, int payloadType)
        {
            foreach (byte pt in payloadTypes)
            {
                if (pt != payloadType)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
