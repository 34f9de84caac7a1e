namespace RtcStack.Video;

/// <summary>
/// Reads AV1 RTP payloads (AV1 RTP §4.4-§5) back into a low-overhead bitstream (AV1 bitstream specification §5.2):
/// every OBU with obu_has_size_field set and its obu_size, fragments joined, temporal delimiters and tile lists
/// ignored (§5: MUST be ignored by receivers). Never throws on bad input.
/// </summary>
/// <remarks>
/// <para>
/// An OBU fragmented over several packets is written when its last fragment arrives (its obu_size is known only
/// then): the earlier fragments are kept in an internal buffer that grows to the largest OBU seen (up to
/// <see cref="MaxObuSize"/>) and is reused, so the steady state allocates nothing.
/// </para>
/// <para>
/// The low-overhead format begins each temporal unit with a temporal delimiter OBU (AV1 §7.5). Senders drop it
/// (§5), and only the RTP timestamp tells where a temporal unit starts, so this depacketizer writes one
/// (<c>0x12 0x00</c>) before the first OBU written after construction or <see cref="Reset"/>: call
/// <see cref="Reset"/> before each temporal unit, as the frame assembler does.
/// </para>
/// </remarks>
public sealed class Av1Depacketizer : IVideoDepacketizer
{
    private const int HeadLength = 2 + Av1Leb128.MaxBytes;
    private byte[] _fragment = [];
    private int _fragmentLength;
    private bool _fragmentPending;
    private bool _unitStarted;

    /// <inheritdoc/>
    public VideoCodec Codec => VideoCodec.Av1;

    /// <summary>Gets or sets the largest OBU reassembled from fragments (8 MiB by default); a longer one is malformed.</summary>
    public int MaxObuSize { get; set; } = 8 << 20;

    /// <summary>Gets or sets whether a temporal delimiter OBU starts the data written after each <see cref="Reset"/> (true by default).</summary>
    public bool WriteTemporalDelimiters { get; set; } = true;

    /// <summary>
    /// Reads the aggregation header and checks the OBU element structure. KeyFrame is N (AV1 RTP §4.4). FrameStart
    /// is true when the payload starts with a whole OBU that can begin a temporal unit (not a continuation, tile
    /// group, tile list, padding or redundant frame header, and of spatial layer 0); the RTP timestamp is the
    /// authority. The layers are those of the first OBU extension header the payload shows.
    /// </summary>
    public bool TryReadHeader(ReadOnlySpan<byte> payload, out VideoPayloadHeader header)
    {
        header = default;
        if (!Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader aggregation)
            || !Av1ObuElementReader.TryCount(payload[1..], aggregation.W, out int count))
        {
            return false;
        }

        var reader = new Av1ObuElementReader(payload[1..], aggregation.W);
        bool frameStart = false;
        int temporal = -1;
        int spatial = -1;
        for (int i = 0; reader.TryNext(out ReadOnlySpan<byte> element); i++)
        {
            if (i == 0 && aggregation.Z)
            {
                continue;
            }

            if ((element[0] & 0x80) != 0)
            {
                return false;
            }

            bool lastFragment = i == count - 1 && aggregation.Y;
            if (!Av1ObuHeader.TryRead(element, out Av1ObuHeader obu))
            {
                if (lastFragment)
                {
                    break; // the extension byte is in the next packet
                }

                return false;
            }

            if (i == 0)
            {
                frameStart = obu.Type is not (Av1ObuType.TileGroup or Av1ObuType.TileList or Av1ObuType.Padding or Av1ObuType.RedundantFrameHeader)
                    && (!obu.HasExtension || obu.SpatialId == 0);
            }

            if (temporal < 0 && obu.HasExtension)
            {
                temporal = obu.TemporalId;
                spatial = obu.SpatialId;
            }
        }

        header = new VideoPayloadHeader(frameStart, false, aggregation.N, TemporalLayer: temporal, SpatialLayer: spatial);
        return true;
    }

    /// <inheritdoc/>
    public int WriteFrameData(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!Av1AggregationHeader.TryParse(payload, out Av1AggregationHeader aggregation)
            || !Av1ObuElementReader.TryCount(payload[1..], aggregation.W, out int count)
            || aggregation.Z != _fragmentPending)
        {
            DropFragment();
            return -1;
        }

        // First pass: check every element and size the output, so that a short destination changes nothing.
        int total = WritesDelimiter(aggregation) ? 2 : 0;
        var reader = new Av1ObuElementReader(payload[1..], aggregation.W);
        for (int i = 0; reader.TryNext(out ReadOnlySpan<byte> element); i++)
        {
            bool continues = i == 0 && aggregation.Z;
            bool fragment = i == count - 1 && aggregation.Y;
            ReadOnlySpan<byte> prefix = continues ? _fragment.AsSpan(0, _fragmentLength) : default;
            if (prefix.Length + element.Length > MaxObuSize)
            {
                DropFragment();
                return -1;
            }

            if (fragment)
            {
                if (!continues && (element[0] & 0x80) != 0)
                {
                    DropFragment();
                    return -1;
                }

                continue;
            }

            int size = MeasureObu(prefix, element, out _, out _, out _);
            if (size < 0)
            {
                DropFragment();
                return -1;
            }

            total += size;
        }

        if (total > destination.Length)
        {
            return -2;
        }

        // Second pass: write.
        int written = 0;
        if (WritesDelimiter(aggregation))
        {
            destination[0] = (Av1ObuType.TemporalDelimiter << 3) | 0x02;
            destination[1] = 0;
            written = 2;
        }

        reader = new Av1ObuElementReader(payload[1..], aggregation.W);
        for (int i = 0; reader.TryNext(out ReadOnlySpan<byte> element); i++)
        {
            bool continues = i == 0 && aggregation.Z;
            bool fragment = i == count - 1 && aggregation.Y;
            if (fragment)
            {
                KeepFragment(element, append: continues);
                continue;
            }

            ReadOnlySpan<byte> prefix = continues ? _fragment.AsSpan(0, _fragmentLength) : default;
            written += WriteObu(prefix, element, destination[written..]);
            if (continues)
            {
                _fragmentLength = 0;
            }
        }

        _fragmentPending = aggregation.Y;
        _unitStarted = true;
        return written;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        DropFragment();
        _unitStarted = false;
    }

    private bool WritesDelimiter(Av1AggregationHeader aggregation) => WriteTemporalDelimiters && !_unitStarted && !aggregation.Z;

    private void DropFragment()
    {
        _fragmentPending = false;
        _fragmentLength = 0;
    }

    private void KeepFragment(ReadOnlySpan<byte> element, bool append)
    {
        int start = append ? _fragmentLength : 0;
        int needed = start + element.Length;
        if (needed > _fragment.Length)
        {
            var grown = new byte[Math.Max(needed, Math.Min(Math.Max(_fragment.Length * 2, 4096), MaxObuSize))];
            _fragment.AsSpan(0, start).CopyTo(grown);
            _fragment = grown;
        }

        element.CopyTo(_fragment.AsSpan(start));
        _fragmentLength = needed;
    }

    // The OBU made of prefix + element (one OBU element, or the fragments joined): how many bytes it takes in the
    // low-overhead form (0 for an OBU receivers ignore), or -1 if its header or its own obu_size is inconsistent.
    private static int MeasureObu(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> element, out Av1ObuHeader header, out int payloadOffset, out int payloadLength)
    {
        payloadOffset = 0;
        payloadLength = 0;
        int length = prefix.Length + element.Length;
        Span<byte> head = stackalloc byte[HeadLength];
        int headLength = Math.Min(HeadLength, length);
        Join(prefix, element, 0, head[..headLength]);
        if (!Av1ObuHeader.TryRead(head[..headLength], out header))
        {
            return -1;
        }

        payloadOffset = header.Length;
        payloadLength = length - header.Length;
        if (header.HasSizeField)
        {
            // The sender kept obu_size (§4.5 says SHOULD NOT): it must describe exactly the rest of the element.
            if (!Av1Leb128.TryRead(head[header.Length..headLength], out uint size, out int sizeLength) || size != (uint)(length - header.Length - sizeLength))
            {
                return -1;
            }

            payloadOffset += sizeLength;
            payloadLength = (int)size;
        }

        if (header.IsDroppedOverRtp)
        {
            return 0;
        }

        return header.Length + Av1Leb128.GetLength((uint)payloadLength) + payloadLength;
    }

    private static int WriteObu(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> element, Span<byte> destination)
    {
        int size = MeasureObu(prefix, element, out Av1ObuHeader header, out int payloadOffset, out int payloadLength);
        if (size <= 0)
        {
            return 0;
        }

        destination[0] = (byte)(header.First | 0x02);
        int position = 1;
        if (header.HasExtension)
        {
            destination[1] = header.Extension;
            position = 2;
        }

        position += Av1Leb128.Write(destination[position..], (uint)payloadLength);
        Join(prefix, element, payloadOffset, destination.Slice(position, payloadLength));
        return position + payloadLength;
    }

    // Copies bytes [offset, offset + destination.Length) of prefix followed by element.
    private static void Join(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> element, int offset, Span<byte> destination)
    {
        int fromPrefix = 0;
        if (offset < prefix.Length)
        {
            fromPrefix = Math.Min(prefix.Length - offset, destination.Length);
            prefix.Slice(offset, fromPrefix).CopyTo(destination);
        }

        int elementOffset = Math.Max(0, offset - prefix.Length);
        element.Slice(elementOffset, destination.Length - fromPrefix).CopyTo(destination[fromPrefix..]);
    }
}
