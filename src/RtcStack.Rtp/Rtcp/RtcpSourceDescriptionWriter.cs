using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// Writes an SDES packet (RFC 3550 §6.5) chunk by chunk: <see cref="TryBeginChunk"/>, then
/// <see cref="TryAddItem"/> for each item, then <see cref="TryFinish"/>.
/// </summary>
public ref struct RtcpSourceDescriptionWriter
{
    private readonly Span<byte> _destination;
    private int _length;
    private int _chunks;
    private bool _inChunk;

    /// <summary>Initializes a writer over <paramref name="destination"/>.</summary>
    public RtcpSourceDescriptionWriter(Span<byte> destination)
    {
        _destination = destination;
        _length = RtcpPacket.HeaderLength;
    }

    /// <summary>Starts a chunk for <paramref name="ssrc"/> (at most 31 chunks).</summary>
    public bool TryBeginChunk(uint ssrc)
    {
        if (_chunks == 31 || !TryEndChunk() || _length + 8 > _destination.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(_destination[_length..], ssrc);
        _length += 4;
        _chunks++;
        _inChunk = true;
        return true;
    }

    /// <summary>Adds an item (1-255 bytes of text) to the current chunk.</summary>
    /// <exception cref="InvalidOperationException">No chunk was started.</exception>
    public bool TryAddItem(RtcpSdesItemType type, scoped ReadOnlySpan<byte> text)
    {
        if (!_inChunk)
        {
            throw new InvalidOperationException("Start a chunk first.");
        }

        if (type == RtcpSdesItemType.End || text.Length > 255 || _length + 2 + text.Length + 1 > _destination.Length)
        {
            return false;
        }

        _destination[_length] = (byte)type;
        _destination[_length + 1] = (byte)text.Length;
        text.CopyTo(_destination[(_length + 2)..]);
        _length += 2 + text.Length;
        return true;
    }

    /// <summary>Ends the last chunk and writes the header; returns the packet length.</summary>
    public bool TryFinish(out int bytesWritten)
    {
        bytesWritten = 0;
        if (!TryEndChunk() || _length > RtcpPacket.MaxLength)
        {
            return false;
        }

        RtcpPacket.WriteHeader(_destination, _chunks, RtcpPacketType.SourceDescription, _length);
        bytesWritten = _length;
        return true;
    }

    /// <summary>Writes an SDES packet with one chunk holding one CNAME item, the form every RTCP compound needs (RFC 3550 §6.1).</summary>
    public static bool TryWriteCname(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cname, out int bytesWritten)
    {
        var writer = new RtcpSourceDescriptionWriter(destination);
        bytesWritten = 0;
        return writer.TryBeginChunk(ssrc) && writer.TryAddItem(RtcpSdesItemType.Cname, cname) && writer.TryFinish(out bytesWritten);
    }

    private bool TryEndChunk()
    {
        if (!_inChunk)
        {
            return true;
        }

        // One null octet ends the list, more pad to the next 32-bit boundary.
        int end = (_length + 1 + 3) & ~3;
        if (end > _destination.Length)
        {
            return false;
        }

        _destination[_length..end].Clear();
        _length = end;
        _inChunk = false;
        return true;
    }
}
