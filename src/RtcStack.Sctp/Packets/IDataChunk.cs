using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>An I-DATA chunk (RFC 8260 §2.1): message identifier and fragment sequence number instead of the SSN.</summary>
public readonly ref struct IDataChunk
{
    /// <summary>Length of the I-DATA chunk header, chunk header included.</summary>
    public const int HeaderLength = 20;

    private IDataChunk(byte flags, ReadOnlySpan<byte> value)
    {
        Flags = flags;
        Tsn = BinaryPrimitives.ReadUInt32BigEndian(value);
        StreamId = BinaryPrimitives.ReadUInt16BigEndian(value[4..]);
        MessageId = BinaryPrimitives.ReadUInt32BigEndian(value[8..]);
        PpidOrFsn = BinaryPrimitives.ReadUInt32BigEndian(value[12..]);
        UserData = value[16..];
    }

    /// <summary>Gets the chunk flags (same U, B, E, I bits as DATA).</summary>
    public byte Flags { get; }

    /// <summary>Gets the TSN.</summary>
    public uint Tsn { get; }

    /// <summary>Gets the stream identifier.</summary>
    public ushort StreamId { get; }

    /// <summary>Gets the message identifier (MID).</summary>
    public uint MessageId { get; }

    /// <summary>Gets the payload protocol identifier when B is set, the fragment sequence number (FSN) otherwise.</summary>
    public uint PpidOrFsn { get; }

    /// <summary>Gets the PPID; only meaningful for the first fragment (RFC 8260 §2.1).</summary>
    public uint PayloadProtocol => Beginning ? PpidOrFsn : 0;

    /// <summary>Gets the FSN: 0 for the first fragment (RFC 8260 §2.1).</summary>
    public uint FragmentSequence => Beginning ? 0 : PpidOrFsn;

    /// <summary>Gets the user data.</summary>
    public ReadOnlySpan<byte> UserData { get; }

    /// <summary>Gets whether the U bit is set.</summary>
    public bool Unordered => (Flags & DataChunk.UnorderedFlag) != 0;

    /// <summary>Gets whether the B bit is set.</summary>
    public bool Beginning => (Flags & DataChunk.BeginningFlag) != 0;

    /// <summary>Gets whether the E bit is set.</summary>
    public bool Ending => (Flags & DataChunk.EndingFlag) != 0;

    /// <summary>Reads an I-DATA chunk; false when not I-DATA or shorter than its header.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="data">The I-DATA view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpChunk chunk, out IDataChunk data)
    {
        data = default;
        if (chunk.Type != SctpChunkType.IData || chunk.Raw.Length < HeaderLength)
        {
            return false;
        }

        data = new IDataChunk(chunk.Flags, chunk.Value);
        return true;
    }
}
