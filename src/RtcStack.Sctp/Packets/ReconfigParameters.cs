using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>Result codes of a Re-configuration Response (RFC 6525 §4.4).</summary>
public enum ReconfigResult : uint
{
    /// <summary>Success - Nothing to do.</summary>
    SuccessNothingToDo = 0,

    /// <summary>Success - Performed.</summary>
    SuccessPerformed = 1,

    /// <summary>Denied.</summary>
    Denied = 2,

    /// <summary>Error - Wrong SSN.</summary>
    ErrorWrongSsn = 3,

    /// <summary>Error - Request already in progress.</summary>
    ErrorRequestAlreadyInProgress = 4,

    /// <summary>Error - Bad Sequence Number.</summary>
    ErrorBadSequenceNumber = 5,

    /// <summary>In progress.</summary>
    InProgress = 6,
}

/// <summary>An Outgoing SSN Reset Request parameter (RFC 6525 §4.1).</summary>
public readonly ref struct OutgoingResetRequest
{
    /// <summary>Length of the fixed part, parameter header included.</summary>
    public const int FixedLength = 16;

    private readonly ReadOnlySpan<byte> _streams;

    private OutgoingResetRequest(ReadOnlySpan<byte> value)
    {
        RequestSequence = BinaryPrimitives.ReadUInt32BigEndian(value);
        ResponseSequence = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
        SendersLastTsn = BinaryPrimitives.ReadUInt32BigEndian(value[8..]);
        _streams = value[12..];
    }

    /// <summary>Gets the re-configuration request sequence number.</summary>
    public uint RequestSequence { get; }

    /// <summary>Gets the re-configuration response sequence number.</summary>
    public uint ResponseSequence { get; }

    /// <summary>Gets the sender's last assigned TSN.</summary>
    public uint SendersLastTsn { get; }

    /// <summary>Gets the number of streams listed (none means all streams).</summary>
    public int StreamCount => _streams.Length / 2;

    /// <summary>Gets stream <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="StreamCount"/> - 1.</param>
    /// <returns>The stream identifier.</returns>
    public ushort GetStream(int index) => BinaryPrimitives.ReadUInt16BigEndian(_streams[(2 * index)..]);

    /// <summary>Reads the parameter; false for another type or a value shorter than 12 bytes.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="request">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpParameter parameter, out OutgoingResetRequest request)
    {
        request = default;
        if (parameter.Type != (ushort)SctpParameterType.OutgoingSsnResetRequest || parameter.Value.Length < 12)
        {
            return false;
        }

        request = new OutgoingResetRequest(parameter.Value);
        return true;
    }

    /// <summary>Writes the parameter; returns its padded length.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="requestSequence">Request sequence number.</param>
    /// <param name="responseSequence">Response sequence number.</param>
    /// <param name="sendersLastTsn">Sender's last assigned TSN.</param>
    /// <param name="streams">Streams to reset.</param>
    /// <returns>Bytes written.</returns>
    public static int Write(Span<byte> destination, uint requestSequence, uint responseSequence, uint sendersLastTsn, ReadOnlySpan<ushort> streams)
    {
        int length = FixedLength + (2 * streams.Length);
        int padded = (length + 3) & ~3;
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)SctpParameterType.OutgoingSsnResetRequest);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], requestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], responseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], sendersLastTsn);
        for (int i = 0; i < streams.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(16 + (2 * i))..], streams[i]);
        }

        destination[length..padded].Clear();
        return padded;
    }
}

/// <summary>A Re-configuration Response parameter (RFC 6525 §4.4).</summary>
public readonly ref struct ReconfigResponse
{
    private ReconfigResponse(ReadOnlySpan<byte> value)
    {
        ResponseSequence = BinaryPrimitives.ReadUInt32BigEndian(value);
        Result = (ReconfigResult)BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
        HasTsns = value.Length >= 16;
        SendersNextTsn = HasTsns ? BinaryPrimitives.ReadUInt32BigEndian(value[8..]) : 0;
        ReceiversNextTsn = HasTsns ? BinaryPrimitives.ReadUInt32BigEndian(value[12..]) : 0;
    }

    /// <summary>Gets the sequence number of the request answered.</summary>
    public uint ResponseSequence { get; }

    /// <summary>Gets the result.</summary>
    public ReconfigResult Result { get; }

    /// <summary>Gets whether the optional TSN fields are present (answers to SSN/TSN reset).</summary>
    public bool HasTsns { get; }

    /// <summary>Gets the sender's next TSN (optional).</summary>
    public uint SendersNextTsn { get; }

    /// <summary>Gets the receiver's next TSN (optional).</summary>
    public uint ReceiversNextTsn { get; }

    /// <summary>Reads the parameter; false for another type or a value shorter than 8 bytes.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="response">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpParameter parameter, out ReconfigResponse response)
    {
        response = default;
        if (parameter.Type != (ushort)SctpParameterType.ReconfigurationResponse || parameter.Value.Length < 8)
        {
            return false;
        }

        response = new ReconfigResponse(parameter.Value);
        return true;
    }

    /// <summary>Writes a response without the optional TSNs; returns 12.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="responseSequence">The request sequence number answered.</param>
    /// <param name="result">The result.</param>
    /// <returns>Bytes written.</returns>
    public static int Write(Span<byte> destination, uint responseSequence, ReconfigResult result)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)SctpParameterType.ReconfigurationResponse);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 12);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], responseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)result);
        return 12;
    }
}
