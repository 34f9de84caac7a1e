namespace RtcStack.Video;

/// <summary>
/// H.264 NAL unit header facts the payload format needs (RFC 6184 §1.3, §5.3; ITU-T H.264 §7.3.1, §7.4.1.2.3):
/// the one-byte header <c>|F|NRI|Type|</c> and which NAL unit types RFC 6184 gives to its own packet types.
/// </summary>
internal static class H264NalUnit
{
    /// <summary>Coded slice of a non-IDR picture.</summary>
    public const int NonIdrSlice = 1;

    /// <summary>Coded slice data partition A (carries the slice header).</summary>
    public const int PartitionA = 2;

    /// <summary>Coded slice of an IDR picture.</summary>
    public const int IdrSlice = 5;

    /// <summary>Supplemental enhancement information.</summary>
    public const int Sei = 6;

    /// <summary>Sequence parameter set.</summary>
    public const int Sps = 7;

    /// <summary>Picture parameter set.</summary>
    public const int Pps = 8;

    /// <summary>Access unit delimiter.</summary>
    public const int AccessUnitDelimiter = 9;

    /// <summary>RFC 6184 §5.7.1: single-time aggregation packet A.</summary>
    public const int StapA = 24;

    /// <summary>RFC 6184 §5.7.1: single-time aggregation packet B (interleaved mode only).</summary>
    public const int StapB = 25;

    /// <summary>RFC 6184 §5.7.2: multi-time aggregation packet, 16-bit offsets (interleaved mode only).</summary>
    public const int Mtap16 = 26;

    /// <summary>RFC 6184 §5.7.2: multi-time aggregation packet, 24-bit offsets (interleaved mode only).</summary>
    public const int Mtap24 = 27;

    /// <summary>RFC 6184 §5.8: fragmentation unit A.</summary>
    public const int FuA = 28;

    /// <summary>RFC 6184 §5.8: fragmentation unit B (interleaved mode only).</summary>
    public const int FuB = 29;

    /// <summary>Gets the type from a NAL unit header byte.</summary>
    public static int Type(byte header) => header & 0x1F;

    /// <summary>Whether a NAL unit of this type may be carried on its own or aggregated (RFC 6184 §5.6: types 1-23).</summary>
    public static bool IsH264Type(int type) => type is >= 1 and <= 23;

    /// <summary>Whether the NAL unit makes its access unit decodable without earlier ones: an IDR slice or an SPS.</summary>
    public static bool IsKeyFrameType(int type) => type is IdrSlice or Sps;

    /// <summary>
    /// Whether a NAL unit of type <paramref name="type"/> whose first byte after the header is
    /// <paramref name="firstPayloadByte"/> can be the first NAL unit of an access unit (ITU-T H.264 §7.4.1.2.3: an
    /// access unit delimiter, SPS, PPS, SEI or types 14-18 before the first VCL NAL unit, or the first slice of the
    /// primary coded picture). A slice is taken to be first when first_mb_in_slice is 0, i.e. its ue(v) code is the
    /// single bit 1 (H.264 §7.3.3, §9.1); arbitrary slice order can make a later slice look first, and that is accepted.
    /// </summary>
    public static bool CanStartAccessUnit(int type, int firstPayloadByte) => type switch
    {
        NonIdrSlice or PartitionA or IdrSlice => firstPayloadByte >= 0 && (firstPayloadByte & 0x80) != 0,
        Sei or Sps or Pps or AccessUnitDelimiter => true,
        >= 14 and <= 18 => true,
        _ => false,
    };
}
