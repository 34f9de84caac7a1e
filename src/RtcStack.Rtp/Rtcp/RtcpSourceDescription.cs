using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Source description, SDES (RFC 3550 §6.5): SC chunks, each an SSRC followed by items
/// (type, length, text) ended by a null octet and padded with null octets to a 32-bit boundary.
/// </summary>
public readonly ref struct RtcpSourceDescription
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpSourceDescription(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        ChunkCount = chunkCount;
    }

    /// <summary>Gets the number of chunks (SC).</summary>
    public int ChunkCount { get; }

    /// <summary>Reads an SDES packet; fails when the type is not 202 or any chunk is malformed or missing.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpSourceDescription sdes)
    {
        sdes = default;
        if (packet.PacketType != RtcpPacketType.SourceDescription)
        {
            return false;
        }

        ReadOnlySpan<byte> body = packet.Body;
        int offset = 0;
        for (int i = 0; i < packet.Count; i++)
        {
            if (!TryMeasureChunk(body[offset..], out int chunkLength))
            {
                return false;
            }

            offset += chunkLength;
        }

        sdes = new RtcpSourceDescription(body[..offset], packet.Count);
        return true;
    }

    /// <summary>Returns an enumerator over the chunks.</summary>
    public ChunkEnumerator GetEnumerator() => new(_body);

    /// <summary>Returns the text of the first CNAME item of the chunk for <paramref name="ssrc"/>.</summary>
    public bool TryGetCname(uint ssrc, out ReadOnlySpan<byte> cname)
    {
        foreach (RtcpSdesChunk chunk in this)
        {
            if (chunk.Ssrc == ssrc && chunk.TryGetItem(RtcpSdesItemType.Cname, out cname))
            {
                return true;
            }
        }

        cname = default;
        return false;
    }

    // A chunk: 4-byte SSRC, items, a null octet, then null octets to the next 32-bit boundary
    // counted from the start of the chunk (chunks start on 32-bit boundaries).
    internal static bool TryMeasureChunk(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.Length < 8)
        {
            return false;
        }

        int offset = 4;
        while (true)
        {
            if (offset >= data.Length)
            {
                return false;
            }

            if (data[offset] == 0)
            {
                offset++;
                break;
            }

            if (offset + 2 > data.Length || offset + 2 + data[offset + 1] > data.Length)
            {
                return false;
            }

            offset += 2 + data[offset + 1];
        }

        int padded = (offset + 3) & ~3;
        if (padded > data.Length)
        {
            return false;
        }

        for (int i = offset; i < padded; i++)
        {
            if (data[i] != 0)
            {
                return false;
            }
        }

        length = padded;
        return true;
    }

    /// <summary>Walks the chunks of a validated SDES packet.</summary>
    public ref struct ChunkEnumerator
    {
        private readonly ReadOnlySpan<byte> _body;
        private int _offset;
        private RtcpSdesChunk _current;

        internal ChunkEnumerator(ReadOnlySpan<byte> body)
        {
            _body = body;
        }

        /// <summary>Gets the current chunk.</summary>
        public readonly RtcpSdesChunk Current => _current;

        /// <summary>Advances to the next chunk.</summary>
        public bool MoveNext()
        {
            if (_offset >= _body.Length || !TryMeasureChunk(_body[_offset..], out int length))
            {
                return false;
            }

            _current = new RtcpSdesChunk(_body.Slice(_offset, length));
            _offset += length;
            return true;
        }
    }
}
