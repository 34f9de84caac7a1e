namespace RtcStack.Video;

/// <summary>Where one OBU of a low-overhead temporal unit lies (AV1 bitstream specification §5.3.1, §7.5).</summary>
internal readonly struct Av1ObuSpan
{
    public Av1ObuSpan(int start, Av1ObuHeader header, int payloadStart, int payloadLength)
    {
        Start = start;
        Header = header;
        PayloadStart = payloadStart;
        PayloadLength = payloadLength;
    }

    public int Start { get; }

    public Av1ObuHeader Header { get; }

    public int PayloadStart { get; }

    public int PayloadLength { get; }

    /// <summary>Gets the offset just past the OBU.</summary>
    public int End => PayloadStart + PayloadLength;

    /// <summary>Gets the length of the OBU as an RTP OBU element: its header and payload, without obu_size (AV1 RTP §4.5).</summary>
    public int ElementLength => Header.Length + PayloadLength;

    /// <summary>
    /// Reads the OBU at <paramref name="offset"/> of a low-overhead temporal unit: header, obu_size when present, payload.
    /// An OBU without obu_size runs to the end of <paramref name="unit"/> (§5.3.1: its size then comes from outside).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> unit, int offset, out Av1ObuSpan obu)
    {
        obu = default;
        if (!Av1ObuHeader.TryRead(unit[offset..], out Av1ObuHeader header))
        {
            return false;
        }

        int position = offset + header.Length;
        int payloadLength;
        if (header.HasSizeField)
        {
            if (!Av1Leb128.TryRead(unit[position..], out uint size, out int sizeLength) || size > (uint)(unit.Length - position - sizeLength))
            {
                return false;
            }

            position += sizeLength;
            payloadLength = (int)size;
        }
        else
        {
            payloadLength = unit.Length - position;
        }

        obu = new Av1ObuSpan(offset, header, position, payloadLength);
        return true;
    }
}
