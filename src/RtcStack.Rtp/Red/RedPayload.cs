using System.Buffers.Binary;

namespace RtcStack.Rtp.Red;

/// <summary>
/// A view over an RFC 2198 §3 redundant audio payload: zero or more 4-byte block headers
/// (F=1, block PT, 14-bit timestamp offset, 10-bit block length), one final 1-byte header (F=0,
/// block PT of the primary), then the data blocks in header order, the primary last and taking
/// the rest of the payload. Parsing never throws and never allocates.
/// </summary>
public readonly ref struct RedPayload
{
    /// <summary>The most redundant blocks accepted in one payload (RFC 2198 sets no limit; Chromium sends 1 or 2).</summary>
    public const int MaxBlocks = 32;

    /// <summary>The largest timestamp offset a header can carry (14 bits).</summary>
    public const int MaxTimestampOffset = 0x3FFF;

    /// <summary>The largest redundant block a header can describe (10 bits).</summary>
    public const int MaxBlockLength = 0x3FF;

    private readonly ReadOnlySpan<byte> _payload;

    private RedPayload(ReadOnlySpan<byte> payload, int redundantCount, int dataStart)
    {
        _payload = payload;
        RedundantBlockCount = redundantCount;
        HeaderLength = dataStart;
    }

    /// <summary>Gets the number of redundant blocks (headers with F=1).</summary>
    public int RedundantBlockCount { get; }

    /// <summary>Gets the number of blocks, primary included.</summary>
    public int BlockCount => RedundantBlockCount + 1;

    /// <summary>Gets the length of all block headers.</summary>
    public int HeaderLength { get; }

    /// <summary>Gets the primary block (the last).</summary>
    public RedBlock Primary => GetBlock(RedundantBlockCount);

    /// <summary>Parses <paramref name="payload"/> (the RTP payload after the RTP header, padding removed).</summary>
    public static RedPayloadStatus TryParse(ReadOnlySpan<byte> payload, out RedPayload red)
    {
        red = default;
        if (payload.IsEmpty)
        {
            return RedPayloadStatus.Empty;
        }

        int pos = 0;
        int count = 0;
        int dataLength = 0;
        while (true)
        {
            if (pos >= payload.Length)
            {
                return RedPayloadStatus.TruncatedHeader;
            }

            if ((payload[pos] & 0x80) == 0)
            {
                pos++;
                break;
            }

            if (pos + 4 > payload.Length)
            {
                return RedPayloadStatus.TruncatedHeader;
            }

            if (count == MaxBlocks)
            {
                return RedPayloadStatus.TooManyBlocks;
            }

            dataLength += BinaryPrimitives.ReadUInt16BigEndian(payload[(pos + 2)..]) & 0x3FF;
            count++;
            pos += 4;
        }

        if (dataLength > payload.Length - pos)
        {
            return RedPayloadStatus.BlockLengthExceedsPayload;
        }

        red = new RedPayload(payload, count, pos);
        return RedPayloadStatus.Valid;
    }

    /// <summary>Gets block <paramref name="index"/> (0 = the first, oldest-listed redundant block; <see cref="RedundantBlockCount"/> = the primary).</summary>
    public RedBlock GetBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, RedundantBlockCount);
        int dataPos = HeaderLength;
        for (int i = 0; i < index; i++)
        {
            dataPos += BinaryPrimitives.ReadUInt16BigEndian(_payload[((4 * i) + 2)..]) & 0x3FF;
        }

        if (index == RedundantBlockCount)
        {
            return new RedBlock((byte)(_payload[4 * index] & 0x7F), 0, true, _payload[dataPos..]);
        }

        int h = 4 * index;
        int offset = BinaryPrimitives.ReadUInt16BigEndian(_payload[(h + 1)..]) >> 2;
        int length = BinaryPrimitives.ReadUInt16BigEndian(_payload[(h + 2)..]) & 0x3FF;
        return new RedBlock((byte)(_payload[h] & 0x7F), offset, false, _payload.Slice(dataPos, length));
    }
}
