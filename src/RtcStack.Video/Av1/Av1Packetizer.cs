namespace RtcStack.Video;

/// <summary>
/// Cuts AV1 temporal units (low-overhead bitstream format, AV1 bitstream specification §5.2) into RTP payloads
/// (AV1 RTP §4.4-§5): one aggregation header, then OBU elements without obu_size, aggregated while they fit and
/// fragmented across packets when they do not.
/// </summary>
/// <remarks>
/// AV1 RTP §5: temporal delimiter and tile list OBUs are removed; obu_has_size_field is cleared (§4.5, SHOULD);
/// a packet never mixes OBUs of different temporal_id/spatial_id; a sequence header starts a packet (SHOULD).
/// W is the element count when a packet holds three or fewer elements, so the last one needs no length field,
/// and 0 otherwise. N is set on the first packet of a frame pushed as a key frame (§4.4: first packet of a coded
/// video sequence). Allocates nothing: it walks the pushed unit as it polls.
/// </remarks>
public sealed class Av1Packetizer : IVideoPacketizer
{
    private ReadOnlyMemory<byte> _unit;
    private Av1ObuSpan _current;
    private bool _pending;
    private int _sentOfCurrent;
    private bool _firstPacket;
    private bool _keyFrame;
    private int _maxPayloadSize = 1200;
    private int _frameMaxPayloadSize;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.Av1;

    /// <inheritdoc/>
    public int MaxPayloadSize
    {
        get => _maxPayloadSize;
        set => _maxPayloadSize = value;
    }

    /// <inheritdoc/>
    public bool HasPending => _pending;

    /// <summary>
    /// Takes one temporal unit: OBUs each with obu_size (the last may omit it and run to the end). Refuses a unit whose
    /// OBU headers or sizes are inconsistent (<see cref="VideoPacketizeStatus.Malformed"/>), one with nothing left to
    /// send once temporal delimiters and tile lists are removed (<see cref="VideoPacketizeStatus.Empty"/>), and a
    /// <see cref="MaxPayloadSize"/> below 2 (<see cref="VideoPacketizeStatus.TooLarge"/>).
    /// </summary>
    /// <param name="frame">The temporal unit; referenced, not copied, until its last payload is polled.</param>
    /// <param name="keyFrame">Whether the unit starts a coded video sequence: sets N on its first packet (AV1 RTP §4.4).</param>
    public VideoPacketizeStatus Push(ReadOnlyMemory<byte> frame, bool keyFrame)
    {
        if (_pending)
        {
            return VideoPacketizeStatus.Busy;
        }

        if (frame.IsEmpty)
        {
            return VideoPacketizeStatus.Empty;
        }

        ReadOnlySpan<byte> unit = frame.Span;
        int offset = 0;
        int first = -1;
        while (offset < unit.Length)
        {
            if (!Av1ObuSpan.TryRead(unit, offset, out Av1ObuSpan obu))
            {
                return VideoPacketizeStatus.Malformed;
            }

            if (first < 0 && !obu.Header.IsDroppedOverRtp)
            {
                first = offset;
            }

            offset = obu.End;
        }

        if (first < 0)
        {
            return VideoPacketizeStatus.Empty;
        }

        if (_maxPayloadSize < 2)
        {
            return VideoPacketizeStatus.TooLarge;
        }

        Av1ObuSpan.TryRead(unit, first, out _current);
        _unit = frame;
        _sentOfCurrent = 0;
        _firstPacket = true;
        _keyFrame = keyFrame;
        _frameMaxPayloadSize = _maxPayloadSize;
        _pending = true;
        return VideoPacketizeStatus.Ok;
    }

    /// <inheritdoc/>
    public bool TryPoll(Span<byte> destination, out VideoRtpPayload payload)
    {
        payload = default;
        if (!_pending || destination.Length < _frameMaxPayloadSize)
        {
            return false;
        }

        ReadOnlySpan<byte> unit = _unit.Span;
        int max = _frameMaxPayloadSize;
        int position = 1;
        int count = 0;
        bool z = _sentOfCurrent > 0;
        bool y = false;
        int layer = -1;
        bool done = false;
        while (true)
        {
            Av1ObuSpan obu = _current;
            int remaining = obu.ElementLength - _sentOfCurrent;
            int room = max - position;
            int lengthField = Av1Leb128.GetLength((uint)remaining);
            bool fits = lengthField + remaining <= room;
            if (obu.Header.HasExtension)
            {
                layer = obu.Header.Extension >> 3;
            }

            bool more = TryNextKept(unit, obu.End, out Av1ObuSpan next);
            bool nextStartsPacket = more
                && (next.Header.Type == Av1ObuType.SequenceHeader
                    || (next.Header.HasExtension && layer >= 0 && (next.Header.Extension >> 3) != layer));
            if (more && !nextStartsPacket && fits && room - lengthField - remaining >= 2)
            {
                position += Av1Leb128.Write(destination[position..], (uint)remaining);
                WriteElement(unit, obu, _sentOfCurrent, remaining, destination[position..]);
                position += remaining;
                count++;
                _current = next;
                _sentOfCurrent = 0;
                continue;
            }

            // This element is the packet's last.
            int n;
            if (count < 3)
            {
                n = Math.Min(remaining, room);
            }
            else
            {
                n = fits ? remaining : room - Av1Leb128.GetLength((uint)room);
                position += Av1Leb128.Write(destination[position..], (uint)n);
            }

            WriteElement(unit, obu, _sentOfCurrent, n, destination[position..]);
            position += n;
            count++;
            if (n < remaining)
            {
                y = true;
                _sentOfCurrent += n;
            }
            else if (more)
            {
                _current = next;
                _sentOfCurrent = 0;
            }
            else
            {
                done = true;
            }

            break;
        }

        int w = count <= 3 ? count : 0;
        destination[0] = new Av1AggregationHeader(z, y, w, _keyFrame && _firstPacket).ToByte();
        payload = new VideoRtpPayload(position, done, _firstPacket);
        _firstPacket = false;
        if (done)
        {
            _pending = false;
            _unit = default;
        }

        return true;
    }

    private static bool TryNextKept(ReadOnlySpan<byte> unit, int offset, out Av1ObuSpan next)
    {
        while (offset < unit.Length)
        {
            Av1ObuSpan.TryRead(unit, offset, out next);
            if (!next.Header.IsDroppedOverRtp)
            {
                return true;
            }

            offset = next.End;
        }

        next = default;
        return false;
    }

    // Writes bytes [from, from + count) of the OBU's element form: its header with obu_has_size_field cleared, then
    // its payload (the obu_size field is left out).
    private static void WriteElement(ReadOnlySpan<byte> unit, in Av1ObuSpan obu, int from, int count, Span<byte> destination)
    {
        int k = 0;
        int headerLength = obu.Header.Length;
        while (k < count && from + k < headerLength)
        {
            byte b = unit[obu.Start + from + k];
            destination[k] = from + k == 0 ? (byte)(b & ~0x02) : b;
            k++;
        }

        if (k < count)
        {
            unit.Slice(obu.PayloadStart + from + k - headerLength, count - k).CopyTo(destination[k..]);
        }
    }
}
