using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>A DATA chunk (RFC 9260 §3.3.1), with the I bit of RFC 7053.</summary>
public readonly ref struct DataChunk
{
    /// <summary>Length of the DATA chunk header, chunk header included.</summary>
    public const int HeaderLength = 16;

    /// <summary>E bit: last fragment of a user message.</summary>
    public const byte EndingFlag = 0x01;

    /// <summary>B bit: first fragment of a user message.</summary>
    public const byte BeginningFlag = 0x02;

    /// <summary>U bit: unordered.</summary>
    public const byte UnorderedFlag = 0x04;

    /// <summary>I bit: the receiver should SACK at once (RFC 7053 §3).</summary>
    public const byte ImmediateFlag = 0x08;

    private DataChunk(byte flags, ReadOnlySpan<byte> value)
    {
        Flags = flags;
        Tsn = BinaryPrimitives.ReadUInt32BigEndian(value);
        StreamId = BinaryPrimitives.ReadUInt16BigEndian(value[4..]);
        StreamSequence = BinaryPrimitives.ReadUInt16BigEndian(value[6..]);
        PayloadProtocol = BinaryPrimitives.ReadUInt32BigEndian(value[8..]);
        UserData = value[12..];
    }

    /// <summary>Gets the chunk flags.</summary>
    public byte Flags { get; }

    /// <summary>Gets the transmission sequence number.</summary>
    public uint Tsn { get; }

    /// <summary>Gets the stream identifier.</summary>
    public ushort StreamId { get; }

    /// <summary>Gets the stream sequence number.</summary>
    public ushort StreamSequence { get; }

    /// <summary>Gets the payload protocol identifier.</summary>
    public uint PayloadProtocol { get; }

    /// <summary>Gets the user data (may be empty on the wire; RFC 9260 §6.2 then requires an ABORT).</summary>
    public ReadOnlySpan<byte> UserData { get; }

    /// <summary>Gets whether the U bit is set.</summary>
    public bool Unordered => (Flags & UnorderedFlag) != 0;

    /// <summary>Gets whether the B bit is set.</summary>
    public bool Beginning => (Flags & BeginningFlag) != 0;

    /// <summary>Gets whether the E bit is set.</summary>
    public bool Ending => (Flags & EndingFlag) != 0;

    /// <summary>Gets whether the I bit is set.</summary>
    public bool Immediate => (Flags & ImmediateFlag) != 0;

    /// <summary>Reads a DATA chunk; false when the chunk is not DATA or shorter than its header.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="data">The DATA view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpChunk chunk, out DataChunk data)
    {
        data = default;
        if (chunk.Type != SctpChunkType.Data || chunk.Raw.Length < HeaderLength)
        {
            return false;
        }

        data = new DataChunk(chunk.Flags, chunk.Value);
        return true;
    }
}
