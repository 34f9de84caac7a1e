using System.Buffers.Binary;
using System.Text;

namespace RtcStack.Sctp.DataChannels;

/// <summary>Channel types of DATA_CHANNEL_OPEN (RFC 8832 §5.1).</summary>
public enum DataChannelType : byte
{
    /// <summary>DATA_CHANNEL_RELIABLE.</summary>
    Reliable = 0x00,

    /// <summary>DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT.</summary>
    PartialReliableRetransmit = 0x01,

    /// <summary>DATA_CHANNEL_PARTIAL_RELIABLE_TIMED.</summary>
    PartialReliableTimed = 0x02,

    /// <summary>DATA_CHANNEL_RELIABLE_UNORDERED.</summary>
    ReliableUnordered = 0x80,

    /// <summary>DATA_CHANNEL_PARTIAL_RELIABLE_REXMIT_UNORDERED.</summary>
    PartialReliableRetransmitUnordered = 0x81,

    /// <summary>DATA_CHANNEL_PARTIAL_RELIABLE_TIMED_UNORDERED.</summary>
    PartialReliableTimedUnordered = 0x82,
}

/// <summary>
/// The Data Channel Establishment Protocol messages (RFC 8832 §5): DATA_CHANNEL_OPEN (type 0x03) and
/// DATA_CHANNEL_ACK (type 0x02), carried with PPID 50.
/// </summary>
public readonly ref struct DcepMessage
{
    /// <summary>Message type of DATA_CHANNEL_ACK (RFC 8832 §8.2.1).</summary>
    public const byte AckType = 0x02;

    /// <summary>Message type of DATA_CHANNEL_OPEN (RFC 8832 §8.2.1).</summary>
    public const byte OpenType = 0x03;

    /// <summary>Length of DATA_CHANNEL_OPEN before label and protocol.</summary>
    public const int OpenFixedLength = 12;

    private DcepMessage(byte type, DataChannelType channelType, ushort priority, uint reliability, ReadOnlySpan<byte> label, ReadOnlySpan<byte> protocol)
    {
        Type = type;
        ChannelType = channelType;
        Priority = priority;
        ReliabilityParameter = reliability;
        Label = label;
        Protocol = protocol;
    }

    /// <summary>Gets the message type (<see cref="OpenType"/> or <see cref="AckType"/>).</summary>
    public byte Type { get; }

    /// <summary>Gets the channel type (OPEN only).</summary>
    public DataChannelType ChannelType { get; }

    /// <summary>Gets the priority (OPEN only).</summary>
    public ushort Priority { get; }

    /// <summary>Gets the reliability parameter: retransmissions or lifetime in ms (OPEN only; RFC 8832 §5.1).</summary>
    public uint ReliabilityParameter { get; }

    /// <summary>Gets the label bytes (UTF-8).</summary>
    public ReadOnlySpan<byte> Label { get; }

    /// <summary>Gets the protocol bytes (UTF-8).</summary>
    public ReadOnlySpan<byte> Protocol { get; }

    /// <summary>Parses a DCEP message; false for an unknown type, a short message or lengths past its end.</summary>
    /// <param name="data">The user message carried with PPID 50.</param>
    /// <param name="message">The view.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> data, out DcepMessage message)
    {
        message = default;
        if (data.IsEmpty)
        {
            return false;
        }

        if (data[0] == AckType)
        {
            message = new DcepMessage(AckType, default, 0, 0, default, default);
            return true;
        }

        if (data[0] != OpenType || data.Length < OpenFixedLength)
        {
            return false;
        }

        var type = (DataChannelType)data[1];
        if (type is not (DataChannelType.Reliable or DataChannelType.PartialReliableRetransmit or DataChannelType.PartialReliableTimed
            or DataChannelType.ReliableUnordered or DataChannelType.PartialReliableRetransmitUnordered or DataChannelType.PartialReliableTimedUnordered))
        {
            return false;
        }

        int labelLength = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        int protocolLength = BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        if (OpenFixedLength + labelLength + protocolLength > data.Length)
        {
            return false;
        }

        message = new DcepMessage(
            OpenType,
            type,
            BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            data.Slice(OpenFixedLength, labelLength),
            data.Slice(OpenFixedLength + labelLength, protocolLength));
        return true;
    }

    /// <summary>Encodes DATA_CHANNEL_OPEN (RFC 8832 §5.1).</summary>
    /// <param name="type">Channel type.</param>
    /// <param name="priority">Priority.</param>
    /// <param name="reliability">Reliability parameter.</param>
    /// <param name="label">Label.</param>
    /// <param name="protocol">Protocol.</param>
    /// <returns>The message.</returns>
    public static byte[] EncodeOpen(DataChannelType type, ushort priority, uint reliability, string label, string protocol)
    {
        int l = Encoding.UTF8.GetByteCount(label);
        int p = Encoding.UTF8.GetByteCount(protocol);
        if (l > ushort.MaxValue || p > ushort.MaxValue)
        {
            throw new ArgumentException("label and protocol are at most 65,535 bytes each");
        }

        byte[] m = new byte[OpenFixedLength + l + p];
        m[0] = OpenType;
        m[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), priority);
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), reliability);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(8), (ushort)l);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(10), (ushort)p);
        Encoding.UTF8.GetBytes(label, m.AsSpan(OpenFixedLength));
        Encoding.UTF8.GetBytes(protocol, m.AsSpan(OpenFixedLength + l));
        return m;
    }
}
