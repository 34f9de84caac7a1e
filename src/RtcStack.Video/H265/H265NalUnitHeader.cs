namespace RtcStack.Video;

/// <summary>
/// The two-byte H.265 NAL unit header (RFC 7798 §1.1.4, H.265 §7.3.1.2):
/// <c>|F|   Type    |  LayerId  | TID |</c>, also the payload header of every RTP payload (RFC 7798 §4.4).
/// </summary>
public readonly struct H265NalUnitHeader
{
    /// <summary>Aggregation packet (RFC 7798 §4.4.2).</summary>
    public const int AggregationPacketType = 48;

    /// <summary>Fragmentation unit (RFC 7798 §4.4.3).</summary>
    public const int FragmentationUnitType = 49;

    /// <summary>PACI packet (RFC 7798 §4.4.4), not supported here.</summary>
    public const int PaciType = 50;

    /// <summary>Video parameter set.</summary>
    public const int VpsType = 32;

    /// <summary>Sequence parameter set.</summary>
    public const int SpsType = 33;

    /// <summary>Picture parameter set.</summary>
    public const int PpsType = 34;

    /// <summary>Access unit delimiter.</summary>
    public const int AudType = 35;

    /// <summary>Prefix SEI.</summary>
    public const int PrefixSeiType = 39;

    /// <summary>Initializes a header from its two bytes.</summary>
    public H265NalUnitHeader(byte first, byte second)
    {
        Value = (ushort)((first << 8) | second);
    }

    /// <summary>Initializes a header from its fields.</summary>
    public H265NalUnitHeader(bool forbidden, int type, int layerId, int temporalIdPlusOne)
    {
        Value = (ushort)((forbidden ? 0x8000 : 0) | ((type & 0x3F) << 9) | ((layerId & 0x3F) << 3) | (temporalIdPlusOne & 0x07));
    }

    /// <summary>Gets the header as a 16-bit big-endian value.</summary>
    public ushort Value { get; }

    /// <summary>Gets F, forbidden_zero_bit.</summary>
    public bool Forbidden => (Value & 0x8000) != 0;

    /// <summary>Gets nal_unit_type (6 bits).</summary>
    public int Type => (Value >> 9) & 0x3F;

    /// <summary>Gets nuh_layer_id (6 bits).</summary>
    public int LayerId => (Value >> 3) & 0x3F;

    /// <summary>Gets nuh_temporal_id_plus1 (3 bits; 0 is not allowed).</summary>
    public int TemporalIdPlusOne => Value & 0x07;

    /// <summary>Gets whether this is a VCL NAL unit (types 0-31).</summary>
    public bool IsVcl => Type < 32;

    /// <summary>Gets whether this is an IRAP picture's NAL unit (types 16-23, H.265 §7.4.2.2; 22-23 are reserved IRAP types).</summary>
    public bool IsIrap => Type is >= 16 and <= 23;

    /// <summary>Gets whether a receiver can start decoding here: an IRAP slice (BLA, IDR, CRA: types 16-21) or a VPS, SPS or PPS.</summary>
    public bool StartsKeyFrame => Type is (>= 16 and <= 21) or VpsType or SpsType or PpsType;

    /// <summary>Reads the header at the start of <paramref name="source"/>: false if shorter than 2 bytes, F=1 or TID=0 (H.265 §7.4.2.2).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out H265NalUnitHeader header)
    {
        header = default;
        if (source.Length < 2)
        {
            return false;
        }

        header = new H265NalUnitHeader(source[0], source[1]);
        return !header.Forbidden && header.TemporalIdPlusOne != 0;
    }

    /// <summary>Writes the two header bytes.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(Value >> 8);
        destination[1] = (byte)Value;
    }
}
