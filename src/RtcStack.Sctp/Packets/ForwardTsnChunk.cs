using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>A FORWARD TSN chunk (RFC 3758 §3.2): the new cumulative TSN and the skipped (stream, SSN) pairs.</summary>
public readonly ref struct ForwardTsnChunk
{
    private readonly ReadOnlySpan<byte> _value;

    private ForwardTsnChunk(ReadOnlySpan<byte> value)
    {
        _value = value;
        NewCumulativeTsn = BinaryPrimitives.ReadUInt32BigEndian(value);
        StreamCount = (value.Length - 4) / 4;
    }

    /// <summary>Gets the new cumulative TSN.</summary>
    public uint NewCumulativeTsn { get; }

    /// <summary>Gets the number of (stream, SSN) entries.</summary>
    public int StreamCount { get; }

    /// <summary>Gets entry <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="StreamCount"/> - 1.</param>
    /// <returns>The stream and the largest skipped SSN on it.</returns>
    public (ushort StreamId, ushort StreamSequence) GetStream(int index)
    {
        ReadOnlySpan<byte> b = _value[(4 + (4 * index))..];
        return (BinaryPrimitives.ReadUInt16BigEndian(b), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
    }

    /// <summary>Reads a FORWARD TSN chunk; false when not one, too short, or when the entries are not whole.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="forward">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpChunk chunk, out ForwardTsnChunk forward)
    {
        forward = default;
        if (chunk.Type != SctpChunkType.ForwardTsn || chunk.Value.Length < 4 || chunk.Value.Length % 4 != 0)
        {
            return false;
        }

        forward = new ForwardTsnChunk(chunk.Value);
        return true;
    }
}
