namespace RtcStack.Video;

/// <summary>AV1 OBU types (AV1 bitstream specification §6.2.2, obu_type) that the RTP payload format treats specially.</summary>
internal static class Av1ObuType
{
    public const int SequenceHeader = 1;
    public const int TemporalDelimiter = 2;
    public const int FrameHeader = 3;
    public const int TileGroup = 4;
    public const int Metadata = 5;
    public const int Frame = 6;
    public const int RedundantFrameHeader = 7;
    public const int TileList = 8;
    public const int Padding = 15;
}

/// <summary>
/// One OBU header (AV1 bitstream specification §5.3.2-§5.3.3): obu_forbidden_bit, obu_type, obu_extension_flag,
/// obu_has_size_field, and when extended, temporal_id and spatial_id.
/// </summary>
internal readonly struct Av1ObuHeader
{
    private Av1ObuHeader(byte first, byte extension)
    {
        First = first;
        Extension = extension;
    }

    /// <summary>Gets the first header byte as received.</summary>
    public byte First { get; }

    /// <summary>Gets the extension byte (0 when there is none).</summary>
    public byte Extension { get; }

    public int Type => (First >> 3) & 0x0F;

    public bool HasExtension => (First & 0x04) != 0;

    public bool HasSizeField => (First & 0x02) != 0;

    /// <summary>Gets the header length: 1, or 2 with the extension.</summary>
    public int Length => HasExtension ? 2 : 1;

    public int TemporalId => Extension >> 5;

    public int SpatialId => (Extension >> 3) & 0x03;

    /// <summary>Reads a header; false if it is cut short or obu_forbidden_bit is set (§6.2.1: it must be 0).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out Av1ObuHeader header)
    {
        header = default;
        if (source.IsEmpty || (source[0] & 0x80) != 0)
        {
            return false;
        }

        byte extension = 0;
        if ((source[0] & 0x04) != 0)
        {
            if (source.Length < 2)
            {
                return false;
            }

            extension = source[1];
        }

        header = new Av1ObuHeader(source[0], extension);
        return true;
    }

    /// <summary>Whether the AV1 RTP specification (§5) has senders drop and receivers ignore this OBU type.</summary>
    public bool IsDroppedOverRtp => Type is Av1ObuType.TemporalDelimiter or Av1ObuType.TileList;
}
