namespace RtcStack.Video;

/// <summary>
/// Cuts H.265 access units (Annex B byte streams) into RTP payloads (RFC 7798 §4.4): a NAL unit that fits goes alone
/// (single NAL unit packet, §4.4.1) or, with the NAL units after it that also fit, into an aggregation packet (AP,
/// type 48, §4.4.2); one that does not fit is cut into fragmentation units (FU, type 49, §4.4.3). No DONL fields
/// (sprop-max-don-diff = 0, §4.4). The last payload of the access unit carries the RTP marker (§4.1).
/// </summary>
public sealed class H265Packetizer : IVideoPacketizer
{
    /// <summary>The smallest <see cref="MaxPayloadSize"/> accepted: an FU needs 3 header bytes and 1 data byte.</summary>
    public const int MinPayloadSize = 4;

    private ReadOnlyMemory<byte> _unit;
    private bool _pending;
    private int _nalStart;
    private int _nalLength;
    private int _fuSent;
    private bool _firstPacket;
    private int _frameMaxPayloadSize;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.H265;

    /// <inheritdoc/>
    public int MaxPayloadSize { get; set; } = 1200;

    /// <inheritdoc/>
    public bool HasPending => _pending;

    /// <summary>
    /// Takes one access unit in Annex B form. Refuses one without a start code or with bytes other than zeros before
    /// the first, a NAL unit shorter than its header, with F=1 or TID=0, or of a type RTP uses for its own
    /// structures (48-63) (<see cref="VideoPacketizeStatus.Malformed"/>).
    /// </summary>
    /// <param name="frame">The access unit; referenced, not copied, until its last payload is polled.</param>
    /// <param name="keyFrame">Informational; the NAL unit types say it.</param>
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

        ReadOnlySpan<byte> stream = frame.Span;
        if (!H265AnnexB.TryNext(stream, 0, out int start, out _) || stream[..(start - 3)].IndexOfAnyExcept((byte)0) >= 0)
        {
            return VideoPacketizeStatus.Malformed;
        }

        int offset = 0;
        int nalCount = 0;
        int firstStart = -1;
        int firstLength = 0;
        while (H265AnnexB.TryNext(stream, offset, out start, out int length))
        {
            offset = start + length;
            if (length == 0)
            {
                continue;
            }

            if (!H265NalUnitHeader.TryRead(stream.Slice(start, length), out H265NalUnitHeader header) || header.Type >= H265NalUnitHeader.AggregationPacketType)
            {
                return VideoPacketizeStatus.Malformed;
            }

            if (nalCount++ == 0)
            {
                firstStart = start;
                firstLength = length;
            }
        }

        if (nalCount == 0)
        {
            return VideoPacketizeStatus.Empty;
        }

        if (MaxPayloadSize < MinPayloadSize)
        {
            return VideoPacketizeStatus.TooLarge;
        }

        _unit = frame;
        _nalStart = firstStart;
        _nalLength = firstLength;
        _fuSent = 0;
        _firstPacket = true;
        _frameMaxPayloadSize = MaxPayloadSize;
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

        ReadOnlySpan<byte> stream = _unit.Span;
        int max = _frameMaxPayloadSize;
        ReadOnlySpan<byte> nal = stream.Slice(_nalStart, _nalLength);
        int length;
        bool nalDone = true;
        if (_fuSent > 0 || nal.Length > max)
        {
            // §4.4.3: payload header (type 49, F, LayerId, TID of the NAL unit), FU header |S|E|FuType|, then data.
            var header = new H265NalUnitHeader(nal[0], nal[1]);
            int sent = _fuSent == 0 ? 2 : _fuSent;
            int n = Math.Min(nal.Length - sent, max - 3);
            bool end = sent + n == nal.Length;
            new H265NalUnitHeader(header.Forbidden, H265NalUnitHeader.FragmentationUnitType, header.LayerId, header.TemporalIdPlusOne).Write(destination);
            destination[2] = (byte)((sent == 2 ? 0x80 : 0) | (end ? 0x40 : 0) | header.Type);
            nal.Slice(sent, n).CopyTo(destination[3..]);
            length = 3 + n;
            _fuSent = end ? 0 : sent + n;
            nalDone = end;
        }
        else if (CountAggregated(stream, max, out int aggregatedEnd, out int layerId, out int tid, out bool forbidden) >= 2)
        {
            // §4.4.2: payload header (type 48, lowest LayerId and TID), then 16-bit size and NAL unit per unit.
            new H265NalUnitHeader(forbidden, H265NalUnitHeader.AggregationPacketType, layerId, tid).Write(destination);
            length = 2;
            int offset = _nalStart - 3;
            while (H265AnnexB.TryNext(stream, offset, out int start, out int n) && start < aggregatedEnd)
            {
                offset = start + n;
                if (n == 0)
                {
                    continue;
                }

                destination[length] = (byte)(n >> 8);
                destination[length + 1] = (byte)n;
                stream.Slice(start, n).CopyTo(destination[(length + 2)..]);
                length += 2 + n;
                _nalStart = start;
                _nalLength = n;
            }
        }
        else
        {
            nal.CopyTo(destination);
            length = nal.Length;
        }

        bool last = false;
        if (nalDone)
        {
            last = !TryNextNal(stream, _nalStart + _nalLength, out _nalStart, out _nalLength);
        }

        payload = new VideoRtpPayload(length, last, _firstPacket);
        _firstPacket = false;
        if (last)
        {
            _pending = false;
            _unit = default;
        }

        return true;
    }

    private static bool TryNextNal(ReadOnlySpan<byte> stream, int offset, out int start, out int length)
    {
        while (H265AnnexB.TryNext(stream, offset, out start, out length))
        {
            if (length > 0)
            {
                return true;
            }

            offset = start;
        }

        return false;
    }

    // How many NAL units from the current one fit in one aggregation packet, and where the last of them ends.
    private int CountAggregated(ReadOnlySpan<byte> stream, int max, out int end, out int layerId, out int tid, out bool forbidden)
    {
        int size = 2;
        int count = 0;
        end = _nalStart;
        layerId = 63;
        tid = 7;
        forbidden = false;
        int start = _nalStart;
        int length = _nalLength;
        while (true)
        {
            if (length > ushort.MaxValue || size + 2 + length > max)
            {
                break;
            }

            var header = new H265NalUnitHeader(stream[start], stream[start + 1]);
            layerId = Math.Min(layerId, header.LayerId);
            tid = Math.Min(tid, header.TemporalIdPlusOne);
            forbidden |= header.Forbidden;
            size += 2 + length;
            count++;
            end = start + length;
            if (!TryNextNal(stream, start + length, out start, out length))
            {
                break;
            }
        }

        return count;
    }
}
