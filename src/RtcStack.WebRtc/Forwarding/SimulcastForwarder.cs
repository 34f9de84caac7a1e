using System.Buffers.Binary;
using RtcStack.Rtp;
using RtcStack.Video;

namespace RtcStack.WebRtc.Forwarding;

/// <summary>
/// Forwards one publisher's simulcast layers (RFC 8853: the same source at several bitrates, one SSRC each) to many
/// subscribers, each receiving one layer as one continuous stream. Sans-IO: packets and time go in, rewritten packets
/// and key frame requests come out; nothing here sends, reads a clock or allocates per packet.
/// </summary>
/// <remarks>
/// <para>
/// Per packet: <see cref="Ingest"/> once (it measures each layer's bitrate over <see cref="SimulcastForwarderOptions.BitrateWindow"/>
/// and finds key frame starts), then <see cref="Forward"/> for each subscriber. A subscriber's layer is the highest
/// active layer whose measured bitrate its estimate (<see cref="SetTargetBitrate"/>) covers, with
/// <see cref="SimulcastForwarderOptions.UpswitchHeadroom"/> to move up; it always gets at least the lowest active layer.
/// A new choice takes effect only at a key frame of the new layer (a delta frame of another layer cannot be decoded
/// against the old one's references): until then the subscriber keeps its layer, and the forwarder asks the publisher
/// for a key frame of the new one (<see cref="TryPollKeyframeRequest"/>, to send as a PLI, RFC 4585 §6.3.1).
/// </para>
/// <para>
/// The output is one stream per subscriber: its SSRC, sequence numbers that continue across switches (a gap only where
/// the publisher's packets were lost), timestamps that keep increasing (at a switch, by the arrival time since the last
/// forwarded packet), and for VP8 and VP9 a picture ID (always written in 15 bits) and TL0PICIDX that continue
/// (RFC 7741 §4.2, RFC 9628 §4.2). Each output packet is the 12-byte RTP header (no CSRCs, no header extensions: the
/// publisher's extension ids mean nothing to the subscriber's session, which adds its own), the payload, and the
/// original padding.
/// </para>
/// <para>
/// VP9: a picture ID continuing by the publisher's steps keeps flexible mode's P_DIFFs (picture ID differences) valid,
/// and no reference reaches back past the switch point (a key frame resets every reference buffer); the scalability
/// structure of a key frame holds no picture IDs and is forwarded as sent, so the subscriber learns the new layer's
/// resolution at the switch. AV1: the payload goes out as sent; the dependency descriptor, a header extension, is not
/// forwarded. A subscriber receives the whole of one simulcast stream (a bitstream of its own with its own sequence
/// header, AV1 RTP payload format §6.1), so it has no layers to tell apart, and the aggregation header's N says where
/// a sequence starts; what the descriptor would add (frame numbers, templates, decode targets for dropping layers
/// within a stream) the subscriber does not get from this forwarder.
/// </para>
/// <para>
/// A subscriber's NACK names output sequence numbers; <see cref="TryMapNack"/> gives back the layer and the publisher's
/// sequence number of each (for the last <see cref="SimulcastForwarderOptions.NackHistorySize"/> forwarded packets), and
/// <see cref="RequestKeyframe"/> turns a subscriber's PLI into a request for the layer it receives.
/// </para>
/// </remarks>
public sealed class SimulcastForwarder
{
    private const int Buckets = 10;
    private const int HeaderLength = RtpPacket.FixedHeaderLength;

    private readonly SimulcastForwarderOptions _options;
    private readonly Layer[] _layers;
    private readonly List<Subscriber?> _subscribers = [];
    private readonly long _bucketTicks;
    private readonly Av1Depacketizer? _av1;
    private TimeSpan? _nextReview;

    /// <summary>Creates a forwarder for one publisher's layers.</summary>
    public SimulcastForwarder(SimulcastForwarderOptions? options = null)
    {
        _options = options ?? new SimulcastForwarderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.LayerCount, 1, nameof(SimulcastForwarderOptions.LayerCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.LayerCount, 8, nameof(SimulcastForwarderOptions.LayerCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ClockRate, 1, nameof(SimulcastForwarderOptions.ClockRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BitrateWindow, TimeSpan.FromMilliseconds(100), nameof(SimulcastForwarderOptions.BitrateWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.UpswitchHeadroom, 1.0, nameof(SimulcastForwarderOptions.UpswitchHeadroom));
        if (_options.NackHistorySize < 16 || (_options.NackHistorySize & (_options.NackHistorySize - 1)) != 0 || _options.NackHistorySize > 32768)
        {
            throw new ArgumentOutOfRangeException(nameof(SimulcastForwarderOptions.NackHistorySize), "a power of two from 16 to 32768");
        }

        _layers = new Layer[_options.LayerCount];
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = new Layer();
        }

        _bucketTicks = _options.BitrateWindow.Ticks / Buckets;
        _av1 = _options.Codec == SimulcastCodec.Av1 ? new Av1Depacketizer() : null;
    }

    /// <summary>Gets the number of layers.</summary>
    public int LayerCount => _layers.Length;

    /// <summary>
    /// Adds a subscriber that will receive one layer as the stream <paramref name="ssrc"/>, starting at
    /// <paramref name="firstSequenceNumber"/> and <paramref name="firstTimestamp"/> (random ones, RFC 3550 §5.1), with the
    /// publisher's payload type or <paramref name="payloadType"/> (the subscriber's number for the codec).
    /// </summary>
    /// <returns>The subscriber's id.</returns>
    public int AddSubscriber(uint ssrc, ushort firstSequenceNumber, uint firstTimestamp, byte? payloadType = null)
    {
        if (payloadType > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadType), "an RTP payload type is 0-127");
        }

        var s = new Subscriber(ssrc, payloadType, _options.NackHistorySize)
        {
            LastOutSequence = (ushort)(firstSequenceNumber - 1),
            FirstTimestamp = firstTimestamp,
        };
        for (int i = 0; i < _subscribers.Count; i++)
        {
            if (_subscribers[i] is null)
            {
                _subscribers[i] = s;
                return i;
            }
        }

        _subscribers.Add(s);
        return _subscribers.Count - 1;
    }

    /// <summary>Removes a subscriber; its id may be given to a later one.</summary>
    public void RemoveSubscriber(int subscriber)
    {
        if ((uint)subscriber < (uint)_subscribers.Count)
        {
            _subscribers[subscriber] = null;
        }
    }

    /// <summary>
    /// Sets what a subscriber can receive, in bits per second (its session's target bitrate or the REMB it sent, less
    /// what else it receives), and reviews its layer. Until this is called a subscriber gets the highest active layer.
    /// </summary>
    public void SetTargetBitrate(int subscriber, long bitsPerSecond, TimeSpan now)
    {
        Subscriber s = Get(subscriber);
        s.Estimate = Math.Max(0, bitsPerSecond);
        Review(s, now);
    }

    /// <summary>Gets the layer a subscriber receives now (-1 before its first key frame).</summary>
    public int GetCurrentLayer(int subscriber) => Get(subscriber).Current;

    /// <summary>Gets the layer a subscriber should receive (it switches at that layer's next key frame), or -1 when no layer is active.</summary>
    public int GetTargetLayer(int subscriber) => Get(subscriber).Target;

    /// <summary>Gets a layer's bitrate measured over the window ending <paramref name="now"/>, in bits per second (0 when inactive).</summary>
    public long GetLayerBitrate(int layer, TimeSpan now) => Rate(_layers[layer], now);

    /// <summary>
    /// Takes one packet of layer <paramref name="layer"/> from the publisher (after SRTP; the receive stream of that
    /// RID): measures the layer, finds whether a key frame starts here, and reviews the subscribers' layers when due.
    /// </summary>
    public SimulcastPacket Ingest(int layer, ReadOnlySpan<byte> rtp, TimeSpan now)
    {
        if ((uint)layer >= (uint)_layers.Length)
        {
            return new SimulcastPacket(SimulcastIngestStatus.UnknownLayer, layer, 0, 0, false, now);
        }

        if (!RtpPacket.TryParse(rtp, out RtpPacket packet) || !TryFindKeyFrameStart(packet.Payload, out bool keyFrameStart))
        {
            return new SimulcastPacket(SimulcastIngestStatus.Malformed, layer, 0, 0, false, now);
        }

        Layer l = _layers[layer];
        l.FirstAt ??= now;
        l.LastAt = now;
        long bucket = now.Ticks / _bucketTicks;
        int slot = (int)(bucket % Buckets);
        if (l.BucketStamp[slot] != bucket)
        {
            l.BucketStamp[slot] = bucket;
            l.BucketBytes[slot] = 0;
        }

        l.BucketBytes[slot] += rtp.Length;
        if (_nextReview is not TimeSpan due || now >= due)
        {
            _nextReview = now + _options.ReviewInterval;
            foreach (Subscriber? s in _subscribers)
            {
                if (s is not null)
                {
                    Review(s, now);
                }
            }
        }

        return new SimulcastPacket(SimulcastIngestStatus.Accepted, layer, packet.SequenceNumber, packet.Timestamp, keyFrameStart, now);
    }

    /// <summary>
    /// Rewrites an ingested packet for one subscriber into <paramref name="destination"/> (at most the packet's length
    /// plus one byte: a 7-bit VP8 or VP9 picture ID is written in 15 bits). <paramref name="rtp"/> is the same packet given to
    /// <see cref="Ingest"/>.
    /// </summary>
    public SimulcastForwardStatus Forward(int subscriber, in SimulcastPacket packet, ReadOnlySpan<byte> rtp, Span<byte> destination, out int written)
    {
        written = 0;
        if (packet.Status != SimulcastIngestStatus.Accepted || (uint)subscriber >= (uint)_subscribers.Count || _subscribers[subscriber] is not Subscriber s
            || !RtpPacket.TryParse(rtp, out RtpPacket p))
        {
            return SimulcastForwardStatus.Refused;
        }

        int layer = packet.Layer;
        if (layer != s.Current)
        {
            if (layer != s.Target)
            {
                return SimulcastForwardStatus.NotSelected;
            }

            if (!packet.KeyFrameStart)
            {
                return SimulcastForwardStatus.WaitingForKeyframe;
            }

            if (destination.Length < rtp.Length + 1)
            {
                return SimulcastForwardStatus.DestinationTooSmall;
            }

            Switch(s, layer, p, packet.At);
        }
        else if (s.GuardSwitch && (ushort)(p.SequenceNumber - s.SwitchSequence) >= 0x8000)
        {
            return SimulcastForwardStatus.Stale;
        }

        if (destination.Length < rtp.Length + 1)
        {
            return SimulcastForwardStatus.DestinationTooSmall;
        }

        ReadOnlySpan<byte> payload = p.Payload;
        int length = HeaderLength;
        if (_options.Codec == SimulcastCodec.Vp8 && !payload.IsEmpty)
        {
            if (!Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d, out int descriptorLength))
            {
                return SimulcastForwardStatus.Refused;
            }

            if (d.PictureId >= 0)
            {
                d = d with { PictureId = s.PictureIds.Map(d.PictureId, d.LongPictureId ? 0x8000 : 0x80), LongPictureId = true };
            }

            if (d.Tl0PicIndex >= 0)
            {
                d = d with { Tl0PicIndex = s.Tl0PicIndexes.Map(d.Tl0PicIndex, 0x100) };
            }

            length += d.Write(destination[length..]);
            payload = payload[descriptorLength..];
        }
        else if (_options.Codec == SimulcastCodec.Vp9 && !payload.IsEmpty)
        {
            if (!Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d))
            {
                return SimulcastForwardStatus.Refused;
            }

            length += RewriteVp9Descriptor(s, d, payload, destination[length..], out int consumed);
            payload = payload[consumed..];
        }

        payload.CopyTo(destination[length..]);
        length += payload.Length;
        if (p.PaddingLength > 0)
        {
            rtp[^p.PaddingLength..].CopyTo(destination[length..]);
            length += p.PaddingLength;
        }

        ushort sequence = (ushort)(p.SequenceNumber + s.SequenceOffset);
        uint timestamp = p.Timestamp + s.TimestampOffset;
        destination[0] = (byte)(0x80 | (p.PaddingLength > 0 ? 0x20 : 0));
        destination[1] = (byte)((p.Marker ? 0x80 : 0) | (s.PayloadType ?? p.PayloadType));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], s.Ssrc);
        if ((ushort)(sequence - s.LastOutSequence) is > 0 and < 0x8000)
        {
            s.LastOutSequence = sequence;
            s.LastOutTimestamp = timestamp;
            s.LastForwardAt = packet.At;
        }

        // Reordering is never thousands of packets deep: past that, no packet is from before the switch (and the guard
        // would misjudge packets once the layer's sequence numbers have moved half their range on).
        if (s.GuardSwitch && (ushort)(p.SequenceNumber - s.SwitchSequence) is >= 0x1000 and < 0x8000)
        {
            s.GuardSwitch = false;
        }

        int index = sequence & (s.NackLayers.Length - 1);
        s.NackOut[index] = sequence;
        s.NackIn[index] = p.SequenceNumber;
        s.NackLayers[index] = (sbyte)layer;
        written = length;
        return SimulcastForwardStatus.Forwarded;
    }

    /// <summary>
    /// Maps a sequence number a subscriber NACKed (RFC 4585 §6.2.1) to the layer and the publisher's sequence number of
    /// the packet it received there. False when that packet is no longer remembered or was never forwarded to it.
    /// </summary>
    public bool TryMapNack(int subscriber, ushort sequenceNumber, out int layer, out ushort originalSequenceNumber)
    {
        Subscriber s = Get(subscriber);
        int index = sequenceNumber & (s.NackLayers.Length - 1);
        layer = s.NackLayers[index];
        originalSequenceNumber = s.NackIn[index];
        if (layer < 0 || s.NackOut[index] != sequenceNumber)
        {
            layer = -1;
            originalSequenceNumber = 0;
            return false;
        }

        return true;
    }

    /// <summary>A subscriber asked for a key frame (its PLI or FIR): ask the publisher for one of the layer it receives (or switches to).</summary>
    public void RequestKeyframe(int subscriber, TimeSpan now)
    {
        Subscriber s = Get(subscriber);
        int layer = s.Target >= 0 ? s.Target : s.Current;
        if (layer >= 0)
        {
            Request(layer, now);
        }
    }

    /// <summary>Takes the next layer the publisher should send a key frame of (send a PLI for that layer's SSRC).</summary>
    public bool TryPollKeyframeRequest(out int layer)
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i].RequestPending)
            {
                _layers[i].RequestPending = false;
                layer = i;
                return true;
            }
        }

        layer = -1;
        return false;
    }

    /// <summary>
    /// Whether <paramref name="payload"/> starts a key frame: for VP8 a descriptor with S = 1 and PID 0 and a frame
    /// tag with P = 0 (RFC 7741 §4.2, RFC 6386 §9.1); for H.264 an IDR slice or SPS, alone, in a STAP-A, or at the
    /// start of an FU-A (RFC 6184 §5.6-5.8); for VP9 the first packet of a picture (B = 1) that is not inter-picture
    /// predicted (P = 0), of the base spatial layer when layer indices are present (RFC 9628 §4.2); for AV1 a packet
    /// with N = 1, the first of a coded video sequence (AV1 RTP payload format §4.4). An empty payload (padding only)
    /// is no key frame.
    /// </summary>
    private bool TryFindKeyFrameStart(ReadOnlySpan<byte> payload, out bool keyFrameStart)
    {
        keyFrameStart = false;
        if (payload.IsEmpty)
        {
            return true;
        }

        if (_options.Codec == SimulcastCodec.Vp9)
        {
            if (!Vp9PayloadDescriptor.TryParse(payload, out Vp9PayloadDescriptor d))
            {
                return false;
            }

            keyFrameStart = d.StartOfFrame && !d.InterPicturePredicted && d.SpatialId <= 0;
            return true;
        }

        if (_av1 is not null)
        {
            // The aggregation header and the OBU element structure (lengths inside the payload, W elements, OBU headers).
            if (!_av1.TryReadHeader(payload, out VideoPayloadHeader header))
            {
                return false;
            }

            keyFrameStart = header.KeyFrame;
            return true;
        }

        if (_options.Codec == SimulcastCodec.Vp8)
        {
            if (!Vp8PayloadDescriptor.TryParse(payload, out Vp8PayloadDescriptor d, out int length))
            {
                return false;
            }

            keyFrameStart = d.Start && d.PartitionIndex == 0 && payload.Length > length && (payload[length] & 0x01) == 0;
            return true;
        }

        int type = NalType(payload[0]);
        switch (type)
        {
            case 24: // STAP-A
                for (int offset = 1; offset + 2 < payload.Length;)
                {
                    int size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                    if (size == 0 || offset + 2 + size > payload.Length)
                    {
                        return false;
                    }

                    keyFrameStart |= IsH264KeyFrameType(NalType(payload[offset + 2]));
                    offset += 2 + size;
                }

                return true;
            case 28: // FU-A
                if (payload.Length < 2)
                {
                    return false;
                }

                keyFrameStart = (payload[1] & 0x80) != 0 && IsH264KeyFrameType(NalType(payload[1]));
                return true;
            default:
                keyFrameStart = IsH264KeyFrameType(type);
                return type is >= 1 and <= 23;
        }
    }

    /// <summary>
    /// Writes the VP9 payload descriptor's first octet, the picture ID (15 bits, M = 1) continued for the subscriber,
    /// the layer indices as sent and TL0PICIDX continued (RFC 9628 §4.2). Returns the bytes written; <paramref name="consumed"/>
    /// is how far the input got: the P_DIFFs, the scalability structure and the frame data follow unchanged.
    /// </summary>
    private static int RewriteVp9Descriptor(Subscriber s, in Vp9PayloadDescriptor d, ReadOnlySpan<byte> payload, Span<byte> destination, out int consumed)
    {
        destination[0] = payload[0];
        int written = 1;
        consumed = 1;
        if (d.HasPictureId)
        {
            int id = s.PictureIds.Map(d.PictureId, d.PictureIdIs15Bits ? 0x8000 : 0x80);
            destination[written++] = (byte)(0x80 | (id >> 8));
            destination[written++] = (byte)id;
            consumed += d.PictureIdIs15Bits ? 2 : 1;
        }

        if (d.HasLayerIndices)
        {
            destination[written++] = payload[consumed++];
            if (d.Tl0PicIndex >= 0)
            {
                destination[written++] = (byte)s.Tl0PicIndexes.Map(d.Tl0PicIndex, 0x100);
                consumed++;
            }
        }

        return written;
    }

    // RFC 6184 §5.3: the NAL unit type; 5 is an IDR slice, 7 a sequence parameter set (which a key frame starts with).
    private static int NalType(byte header) => header & 0x1F;

    private static bool IsH264KeyFrameType(int type) => type is 5 or 7;

    private void Switch(Subscriber s, int layer, RtpPacket p, TimeSpan at)
    {
        // The key frame's first packet follows the last one forwarded: sequence numbers and timestamps continue from there.
        s.SequenceOffset = (ushort)(s.LastOutSequence + 1 - p.SequenceNumber);
        if (s.Current < 0 && s.LastForwardAt is null)
        {
            s.TimestampOffset = s.FirstTimestamp - p.Timestamp;
        }
        else
        {
            TimeSpan elapsed = at - (s.LastForwardAt ?? at);
            long ticks = Math.Max(1, (long)(elapsed.TotalSeconds * _options.ClockRate));
            s.TimestampOffset = s.LastOutTimestamp + (uint)ticks - p.Timestamp;
        }

        s.SwitchSequence = p.SequenceNumber;
        s.GuardSwitch = true;
        s.PictureIds.Restart();
        s.Tl0PicIndexes.Restart();
        s.Current = layer;
    }

    private void Review(Subscriber s, TimeSpan now)
    {
        int best = -1, lowest = -1;
        for (int i = 0; i < _layers.Length; i++)
        {
            Layer l = _layers[i];
            if (l.LastAt is not TimeSpan last || now - last > _options.BitrateWindow)
            {
                continue;
            }

            lowest = lowest < 0 ? i : lowest;
            if (s.Estimate is not long estimate)
            {
                best = i;
                continue;
            }

            long rate = Rate(l, now);
            double need = i > s.Current ? rate * _options.UpswitchHeadroom : rate;
            if (estimate >= need)
            {
                best = i;
            }
        }

        best = best < 0 ? lowest : best;
        s.Target = best;
        if (best >= 0 && best != s.Current)
        {
            Request(best, now);
        }
    }

    private void Request(int layer, TimeSpan now)
    {
        Layer l = _layers[layer];
        if (l.LastRequestAt is not TimeSpan last || now - last >= _options.KeyframeRequestInterval)
        {
            l.LastRequestAt = now;
            l.RequestPending = true;
        }
    }

    private long Rate(Layer l, TimeSpan now)
    {
        if (l.LastAt is not TimeSpan last || l.FirstAt is not TimeSpan first || now - last > _options.BitrateWindow)
        {
            return 0;
        }

        long bucket = now.Ticks / _bucketTicks;
        long bytes = 0;
        for (int i = 0; i < Buckets; i++)
        {
            if (l.BucketStamp[i] > bucket - Buckets && l.BucketStamp[i] <= bucket)
            {
                bytes += l.BucketBytes[i];
            }
        }

        // A layer seen for less than a window is measured over the time it has been seen (at least one bucket).
        long span = Math.Min(_options.BitrateWindow.Ticks, Math.Max(_bucketTicks, (now - first).Ticks));
        return bytes * 8 * TimeSpan.TicksPerSecond / span;
    }

    private Subscriber Get(int subscriber) =>
        (uint)subscriber < (uint)_subscribers.Count && _subscribers[subscriber] is Subscriber s
            ? s
            : throw new ArgumentOutOfRangeException(nameof(subscriber), "no such subscriber");

    private sealed class Layer
    {
        public long[] BucketBytes { get; } = new long[Buckets];

        public long[] BucketStamp { get; } = CreateStamps();

        public TimeSpan? FirstAt { get; set; }

        public TimeSpan? LastAt { get; set; }

        public TimeSpan? LastRequestAt { get; set; }

        public bool RequestPending { get; set; }

        private static long[] CreateStamps()
        {
            var stamps = new long[Buckets];
            Array.Fill(stamps, long.MinValue);
            return stamps;
        }
    }

    private sealed class Subscriber(uint ssrc, byte? payloadType, int history)
    {
        public uint Ssrc { get; } = ssrc;

        public byte? PayloadType { get; } = payloadType;

        public long? Estimate { get; set; }

        public int Current { get; set; } = -1;

        public int Target { get; set; } = -1;

        public ushort SequenceOffset { get; set; }

        public uint TimestampOffset { get; set; }

        public ushort SwitchSequence { get; set; }

        public bool GuardSwitch { get; set; }

        public ushort LastOutSequence { get; set; }

        public uint LastOutTimestamp { get; set; }

        public uint FirstTimestamp { get; set; }

        public TimeSpan? LastForwardAt { get; set; }

        public ContinuousCounter PictureIds = new(0x8000);

        public ContinuousCounter Tl0PicIndexes = new(0x100);

        public ushort[] NackOut { get; } = new ushort[history];

        public ushort[] NackIn { get; } = new ushort[history];

        public sbyte[] NackLayers { get; } = CreateLayers(history);

        private static sbyte[] CreateLayers(int history)
        {
            var layers = new sbyte[history];
            Array.Fill(layers, (sbyte)-1);
            return layers;
        }
    }

    /// <summary>
    /// An output counter (PictureID, TL0PICIDX) that continues across layers: each input value moves it by its distance
    /// from the layer's last one (modulo the input's width), and a switch moves it on by one.
    /// </summary>
    private struct ContinuousCounter(int outputModulus)
    {
        private readonly int _outputModulus = outputModulus;
        private int _lastIn;
        private int _lastOut = -1;
        private bool _restart = true;

        public void Restart() => _restart = true;

        public int Map(int input, int inputModulus)
        {
            if (_restart)
            {
                _restart = false;
                _lastIn = input;
                _lastOut = (_lastOut + 1) & (_outputModulus - 1);
                return _lastOut;
            }

            int delta = (input - _lastIn) & (inputModulus - 1);
            if (delta < inputModulus / 2)
            {
                _lastIn = input;
                _lastOut = (_lastOut + delta) & (_outputModulus - 1);
                return _lastOut;
            }

            // An older picture than the last one (reordered): behind the output by as much as the input is behind.
            return (_lastOut - (inputModulus - delta)) & (_outputModulus - 1);
        }
    }
}
