namespace RtcStack.Video;

/// <summary>
/// Reads H.265 RTP payloads (RFC 7798 §4.4) into an Annex B byte stream: single NAL unit packets, aggregation
/// packets (type 48) and fragmentation units (type 49), without DONL (sprop-max-don-diff = 0). Each NAL unit is
/// written after a 4-byte start code. PACI packets (type 50) and the undefined types 51-63 are refused. Never throws
/// on bad input; allocates nothing.
/// </summary>
public sealed class H265Depacketizer : IVideoDepacketizer
{
    private static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    private bool _inFragment;
    private ushort _fragmentHeader;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.H265;

    /// <summary>
    /// Reads the payload header and the NAL unit headers it carries. FrameStart: the payload starts a NAL unit that
    /// begins an access unit (VPS, SPS, PPS, access unit delimiter, prefix SEI, or a slice with
    /// first_slice_segment_in_pic_flag = 1). KeyFrame: it starts an IRAP slice (types 16-21) or a VPS/SPS/PPS.
    /// TemporalLayer: TID - 1 of the payload header.
    /// </summary>
    public bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header)
    {
        header = default;
        if (!H265NalUnitHeader.TryRead(payload, out H265NalUnitHeader payloadHeader))
        {
            return false;
        }

        bool start;
        bool key;
        switch (payloadHeader.Type)
        {
            case H265NalUnitHeader.AggregationPacketType:
                if (!TryWalkAggregation(payload, default, out _, out start, out key))
                {
                    return false;
                }

                break;
            case H265NalUnitHeader.FragmentationUnitType:
                if (!TryReadFragment(payload, out H265NalUnitHeader nal, out bool s, out _))
                {
                    return false;
                }

                start = s && StartsAccessUnit(nal, payload[3..]);
                key = s && nal.StartsKeyFrame;
                break;
            case < H265NalUnitHeader.AggregationPacketType:
                start = StartsAccessUnit(payloadHeader, payload[2..]);
                key = payloadHeader.StartsKeyFrame;
                break;
            default:
                return false;
        }

        header = new VideoPayloadHeader(start, false, key, TemporalLayer: payloadHeader.TemporalIdPlusOne - 1);
        return true;
    }

    /// <inheritdoc/>
    public int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!H265NalUnitHeader.TryRead(payload, out H265NalUnitHeader payloadHeader))
        {
            _inFragment = false;
            return -1;
        }

        switch (payloadHeader.Type)
        {
            case H265NalUnitHeader.FragmentationUnitType:
                return WriteFragment(payload, destination);
            case H265NalUnitHeader.AggregationPacketType:
                if (_inFragment || !TryWalkAggregation(payload, default, out int size, out _, out _))
                {
                    _inFragment = false;
                    return -1;
                }

                if (size > destination.Length)
                {
                    return -2;
                }

                TryWalkAggregation(payload, destination, out size, out _, out _);
                return size;
            case < H265NalUnitHeader.AggregationPacketType:
                if (_inFragment)
                {
                    _inFragment = false;
                    return -1;
                }

                if (4 + payload.Length > destination.Length)
                {
                    return -2;
                }

                StartCode.CopyTo(destination);
                payload.CopyTo(destination[4..]);
                return 4 + payload.Length;
            default:
                _inFragment = false;
                return -1;
        }
    }

    /// <inheritdoc/>
    public void Reset() => _inFragment = false;

    private int WriteFragment(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!TryReadFragment(payload, out H265NalUnitHeader nal, out bool start, out bool end)
            || start == _inFragment
            || (!start && nal.Value != _fragmentHeader))
        {
            _inFragment = false;
            return -1;
        }

        ReadOnlySpan<byte> data = payload[3..];
        int size = data.Length + (start ? 6 : 0);
        if (size > destination.Length)
        {
            return -2;
        }

        int position = 0;
        if (start)
        {
            StartCode.CopyTo(destination);
            nal.Write(destination[4..]);
            position = 6;
        }

        data.CopyTo(destination[position..]);
        _inFragment = !end;
        _fragmentHeader = nal.Value;
        return size;
    }

    // §4.4.3: the payload header (type 49), the FU header |S|E|FuType|, at least one data byte; S and E not both set
    // (a NAL unit that fits one packet is not fragmented), FuType a NAL unit type (not 48-63).
    private static bool TryReadFragment(ReadOnlySpan<byte> payload, out H265NalUnitHeader nal, out bool start, out bool end)
    {
        nal = default;
        start = false;
        end = false;
        if (payload.Length < 4)
        {
            return false;
        }

        var payloadHeader = new H265NalUnitHeader(payload[0], payload[1]);
        byte fu = payload[2];
        start = (fu & 0x80) != 0;
        end = (fu & 0x40) != 0;
        int type = fu & 0x3F;
        nal = new H265NalUnitHeader(payloadHeader.Forbidden, type, payloadHeader.LayerId, payloadHeader.TemporalIdPlusOne);
        return !(start && end) && type < H265NalUnitHeader.AggregationPacketType;
    }

    // §4.4.2: after the payload header, aggregation units of a 16-bit NALU size and the NAL unit, at least two, each
    // NAL unit at least its 2-byte header with F=0, TID>0 and a NAL unit type. Writes them in Annex B form when
    // destination is not empty (the caller checked its length with a first call).
    private static bool TryWalkAggregation(ReadOnlySpan<byte> payload, Span<byte> destination, out int size, out bool start, out bool key)
    {
        size = 0;
        start = false;
        key = false;
        int position = 2;
        int count = 0;
        while (position < payload.Length)
        {
            if (position + 2 > payload.Length)
            {
                return false;
            }

            int length = (payload[position] << 8) | payload[position + 1];
            position += 2;
            if (length > payload.Length - position
                || !H265NalUnitHeader.TryRead(payload.Slice(position, length), out H265NalUnitHeader nal)
                || nal.Type >= H265NalUnitHeader.AggregationPacketType)
            {
                return false;
            }

            ReadOnlySpan<byte> unit = payload.Slice(position, length);
            if (count == 0)
            {
                start = StartsAccessUnit(nal, unit[2..]);
            }

            key |= nal.StartsKeyFrame;
            if (!destination.IsEmpty)
            {
                StartCode.CopyTo(destination[size..]);
                unit.CopyTo(destination[(size + 4)..]);
            }

            size += 4 + length;
            position += length;
            count++;
        }

        return count >= 2;
    }

    // H.265 §7.4.2.4.4: an access unit starts with its AUD, parameter sets or prefix SEI, or else with the first slice
    // segment of its picture (first_slice_segment_in_pic_flag, the first bit after the NAL unit header).
    private static bool StartsAccessUnit(H265NalUnitHeader nal, ReadOnlySpan<byte> afterHeader) =>
        nal.Type is H265NalUnitHeader.VpsType or H265NalUnitHeader.SpsType or H265NalUnitHeader.PpsType
            or H265NalUnitHeader.AudType or H265NalUnitHeader.PrefixSeiType
        || (nal.IsVcl && !afterHeader.IsEmpty && (afterHeader[0] & 0x80) != 0);
}
