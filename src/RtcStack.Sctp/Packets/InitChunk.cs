using System.Buffers.Binary;

namespace RtcStack.Sctp.Packets;

/// <summary>An INIT (RFC 9260 §3.3.2) or INIT ACK (§3.3.3) chunk: the fixed fields and the parameters.</summary>
public readonly ref struct InitChunk
{
    /// <summary>Length of the fixed part, chunk header included.</summary>
    public const int FixedLength = 20;

    private InitChunk(SctpChunkType type, ReadOnlySpan<byte> value)
    {
        Type = type;
        InitiateTag = BinaryPrimitives.ReadUInt32BigEndian(value);
        ReceiverWindow = BinaryPrimitives.ReadUInt32BigEndian(value[4..]);
        OutboundStreams = BinaryPrimitives.ReadUInt16BigEndian(value[8..]);
        InboundStreams = BinaryPrimitives.ReadUInt16BigEndian(value[10..]);
        InitialTsn = BinaryPrimitives.ReadUInt32BigEndian(value[12..]);
        Parameters = value[16..];
    }

    /// <summary>Gets INIT or INIT ACK.</summary>
    public SctpChunkType Type { get; }

    /// <summary>Gets the initiate tag (the verification tag the sender expects).</summary>
    public uint InitiateTag { get; }

    /// <summary>Gets the advertised receiver window credit (a_rwnd).</summary>
    public uint ReceiverWindow { get; }

    /// <summary>Gets the number of outbound streams.</summary>
    public ushort OutboundStreams { get; }

    /// <summary>Gets the number of inbound streams.</summary>
    public ushort InboundStreams { get; }

    /// <summary>Gets the initial TSN.</summary>
    public uint InitialTsn { get; }

    /// <summary>Gets the optional/variable-length parameters.</summary>
    public ReadOnlySpan<byte> Parameters { get; }

    /// <summary>Gets whether the parameters announce Forward-TSN support (RFC 3758 §3.1).</summary>
    public bool SupportsForwardTsn
    {
        get
        {
            if (SctpParameterEnumerator.TryFind(Parameters, (ushort)SctpParameterType.ForwardTsnSupported, out _))
            {
                return true;
            }

            return SupportsChunk(SctpChunkType.ForwardTsn);
        }
    }

    /// <summary>Gets whether the Supported Extensions parameter (RFC 5061 §4.2.7) lists <paramref name="type"/>.</summary>
    /// <param name="type">The chunk type.</param>
    /// <returns>Whether it is listed.</returns>
    public bool SupportsChunk(SctpChunkType type)
    {
        if (SctpParameterEnumerator.TryFind(Parameters, (ushort)SctpParameterType.SupportedExtensions, out ReadOnlySpan<byte> list))
        {
            return list.Contains((byte)type);
        }

        return false;
    }

    /// <summary>
    /// Gets the Error Detection Method Identifier of the Zero Checksum Acceptable parameter (RFC 9653 §4): the method
    /// under which the sender accepts packets with a zero checksum, or <see cref="SctpErrorDetectionMethod.Reserved"/> (0)
    /// when the parameter is absent or malformed (its length MUST be 8). The first such parameter counts.
    /// </summary>
    public uint ZeroChecksumMethod =>
        SctpParameterEnumerator.TryFind(Parameters, (ushort)SctpParameterType.ZeroChecksumAcceptable, out ReadOnlySpan<byte> value)
            && value.Length == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(value)
            : SctpErrorDetectionMethod.Reserved;

    /// <summary>Gets the State Cookie parameter's value (INIT ACK, RFC 9260 §3.3.3.1).</summary>
    /// <param name="cookie">The cookie bytes.</param>
    /// <returns>Whether the parameter is present.</returns>
    public bool TryGetStateCookie(out ReadOnlySpan<byte> cookie) =>
        SctpParameterEnumerator.TryFind(Parameters, (ushort)SctpParameterType.StateCookie, out cookie);

    /// <summary>Reads an INIT or INIT ACK chunk; false for other types or a value shorter than the fixed part.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="init">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(SctpChunk chunk, out InitChunk init)
    {
        init = default;
        if (chunk.Type is not (SctpChunkType.Init or SctpChunkType.InitAck) || chunk.Raw.Length < FixedLength)
        {
            return false;
        }

        init = new InitChunk(chunk.Type, chunk.Value);
        return true;
    }
}
