using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>A SACK chunk (RFC 9260 §3.3.4): cumulative TSN ack, a_rwnd, gap ack blocks and duplicate TSNs.</summary>
public readonly ref struct SackChunk
{
    /// <summary>Length of the fixed part, chunk header included.</summary>
    public const int FixedLength = 16;

    private readonly ReadOnlySpan<byte> _value;

    private SackChunk(ReadOnlySpan<byte> value)
    {
        _value = value;
        CumulativeTsnAck = BinaryPrimitives.ReadUInt32BigEndian(value);
        ReceiverWindow = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
        GapBlockCount = BinaryPrimitives.ReadUInt16BigEndian(value[8..]);
        DuplicateCount = BinaryPrimitives.ReadUInt16BigEndian(value[10..]);
    }

    /// <summary>Gets the cumulative TSN ack.</summary>
    public uint CumulativeTsnAck { get; }

    /// <summary>Gets the advertised receiver window credit.</summary>
    public uint ReceiverWindow { get; }

    /// <summary>Gets the number of gap ack blocks.</summary>
    public int GapBlockCount { get; }

    /// <summary>Gets the number of duplicate TSNs.</summary>
    public int DuplicateCount { get; }

    /// <summary>Gets gap ack block <paramref name="index"/>: offsets from the cumulative TSN ack (RFC 9260 §3.3.4).</summary>
    /// <param name="index">0 to <see cref="GapBlockCount"/> - 1.</param>
    /// <returns>Start and end offsets.</returns>
    public (ushort Start, ushort End) GetGapBlock(int index)
    {
        ReadOnlySpan<byte> b = _value[(12 + (4 * index))..];
        return (BinaryPrimitives.ReadUInt16BigEndian(b), BinaryPrimitives.ReadUInt16BigEndian(b[2..]));
    }

    /// <summary>Gets duplicate TSN <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="DuplicateCount"/> - 1.</param>
    /// <returns>The TSN.</returns>
    public uint GetDuplicate(int index) => BinaryPrimitives.ReadUInt32BigEndian(_value[(12 + (4 * GapBlockCount) + (4 * index))..]);

    /// <summary>Reads a SACK; false when not a SACK or when the counts run past the chunk.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="sack">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpChunk chunk, out SackChunk sack)
    {
        sack = default;
        if (chunk.Type != SctpChunkType.Sack || chunk.Raw.Length < FixedLength)
        {
            return false;
        }

        var s = new SackChunk(chunk.Value);
        if (12 + (4 * (s.GapBlockCount + s.DuplicateCount)) > chunk.Value.Length)
        {
            return false;
        }

        sack = s;
        return true;
    }
}
