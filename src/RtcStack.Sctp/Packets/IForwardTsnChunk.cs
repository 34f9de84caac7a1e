using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>An I-FORWARD-TSN chunk (RFC 8260 §2.3): the new cumulative TSN and (stream, U, MID) entries.</summary>
public readonly ref struct IForwardTsnChunk
{
    private readonly ReadOnlySpan<byte> _value;

    private IForwardTsnChunk(ReadOnlySpan<byte> value)
    {
        _value = value;
        NewCumulativeTsn = BinaryPrimitives.ReadUInt32BigEndian(value);
        EntryCount = (value.Length - 4) / 8;
    }

    /// <summary>Gets the new cumulative TSN.</summary>
    public uint NewCumulativeTsn { get; }

    /// <summary>Gets the number of entries.</summary>
    public int EntryCount { get; }

    /// <summary>Gets entry <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="EntryCount"/> - 1.</param>
    /// <returns>The stream, whether the entry is for unordered messages, and the largest skipped MID.</returns>
    public (ushort StreamId, bool Unordered, uint MessageId) GetEntry(int index)
    {
        ReadOnlySpan<byte> b = _value[(4 + (8 * index))..];
        return (BinaryPrimitives.ReadUInt16BigEndian(b), (b[3] & 0x01) != 0, BinaryPrimitives.ReadUInt32BigEndian(b[4..]));
    }

    /// <summary>Reads an I-FORWARD-TSN chunk; false when not one or when the entries are not whole.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="forward">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpChunk chunk, out IForwardTsnChunk forward)
    {
        forward = default;
        if (chunk.Type != SctpChunkType.IForwardTsn || chunk.Value.Length < 4 || (chunk.Value.Length - 4) % 8 != 0)
        {
            return false;
        }

        forward = new IForwardTsnChunk(chunk.Value);
        return true;
    }
}
