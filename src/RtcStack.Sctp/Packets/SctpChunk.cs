using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>One chunk of a packet (RFC 9260 §3.2): type, flags and the value after the 4-byte header.</summary>
public readonly ref struct SctpChunk
{
    /// <summary>Length of the chunk header (type, flags, length).</summary>
    public const int HeaderLength = 4;

    internal SctpChunk(ReadOnlySpan<byte> raw)
    {
        Raw = raw;
    }

    /// <summary>Gets the chunk as it appears on the wire, header included, padding excluded.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>Gets the chunk type (RFC 9260 §3.2).</summary>
    public SctpChunkType Type => (SctpChunkType)Raw[0];

    /// <summary>Gets the chunk flags (RFC 9260 §3.2).</summary>
    public byte Flags => Raw[1];

    /// <summary>Gets the chunk value (everything after the header, up to the chunk length).</summary>
    public ReadOnlySpan<byte> Value => Raw[HeaderLength..];

    /// <summary>
    /// Gets what RFC 9260 §3.2 says to do with an unrecognised chunk of this type: the two highest bits
    /// of the type: 00 stop, 01 stop and report, 10 skip, 11 skip and report.
    /// </summary>
    public int UnrecognizedAction => Raw[0] >> 6;
}

/// <summary>Enumerates the chunks of a packet that <see cref="SctpPacket.TryParse"/> validated.</summary>
public ref struct SctpChunkEnumerator
{
    private ReadOnlySpan<byte> _rest;
    private SctpChunk _current;

    internal SctpChunkEnumerator(ReadOnlySpan<byte> chunks)
    {
        _rest = chunks;
        _current = default;
    }

    /// <summary>Gets the current chunk.</summary>
    public readonly SctpChunk Current => _current;

    /// <summary>Returns this enumerator (for foreach).</summary>
    public readonly SctpChunkEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next chunk; false at the end or at a malformed chunk.</summary>
    public bool MoveNext()
    {
        if (_rest.Length < SctpChunk.HeaderLength)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
        if (length < SctpChunk.HeaderLength || length > _rest.Length)
        {
            _rest = default;
            return false;
        }

        _current = new SctpChunk(_rest[..length]);
        int padded = (length + 3) & ~3;
        _rest = padded >= _rest.Length ? default : _rest[padded..];
        return true;
    }
}
