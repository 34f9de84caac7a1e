namespace RtcStack.Rtp.Red;

/// <summary>
/// One block of an RFC 2198 payload: a redundant encoding (with its timestamp offset and length
/// from its 4-byte header) or the primary (final 1-byte header, offset 0, the rest of the payload).
/// </summary>
public readonly ref struct RedBlock
{
    internal RedBlock(byte payloadType, int timestampOffset, bool isPrimary, ReadOnlySpan<byte> data)
    {
        PayloadType = payloadType;
        TimestampOffset = timestampOffset;
        IsPrimary = isPrimary;
        Data = data;
    }

    /// <summary>Gets the block's RTP payload type (7 bits, RFC 2198 §3 "block PT").</summary>
    public byte PayloadType { get; }

    /// <summary>Gets the unsigned 14-bit offset to subtract from the RTP header's timestamp (0 for the primary).</summary>
    public int TimestampOffset { get; }

    /// <summary>Gets a value indicating whether this is the primary encoding (the last block).</summary>
    public bool IsPrimary { get; }

    /// <summary>Gets the block's data.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Gets the block's RTP timestamp: the header's timestamp less <see cref="TimestampOffset"/>, modulo 2^32.</summary>
    public uint GetTimestamp(uint headerTimestamp) => unchecked(headerTimestamp - (uint)TimestampOffset);
}
