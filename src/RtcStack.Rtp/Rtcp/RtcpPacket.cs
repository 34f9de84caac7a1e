using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// One RTCP packet inside a compound packet: a zero-copy view of the common header
/// (RFC 3550 §6.4.1: V, P, count/FMT, PT, length) and its body. The typed readers
/// (<see cref="RtcpSenderReport"/>, <see cref="TransportWideFeedback"/>, ...) take one of these.
/// </summary>
public readonly ref struct RtcpPacket
{
    /// <summary>Length of the common header.</summary>
    public const int HeaderLength = 4;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _paddingLength;

    private RtcpPacket(ReadOnlySpan<byte> data, int paddingLength)
    {
        _data = data;
        _paddingLength = paddingLength;
    }

    /// <summary>Gets the whole packet: header, body and padding, exactly (length + 1) × 4 bytes.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Gets a value indicating whether the P bit is set.</summary>
    public bool HasPadding => (_data[0] & 0x20) != 0;

    /// <summary>Gets the 5-bit count field: RC for SR/RR, SC for SDES/BYE, FMT for feedback, subtype for APP.</summary>
    public int Count => _data[0] & 0x1F;

    /// <summary>Gets the packet type.</summary>
    public RtcpPacketType PacketType => (RtcpPacketType)_data[1];

    /// <summary>Gets the length field: the packet length in 32-bit words minus one.</summary>
    public int LengthField => BinaryPrimitives.ReadUInt16BigEndian(_data[2..]);

    /// <summary>Gets the number of padding bytes at the end (0 when P is clear).</summary>
    public int PaddingLength => _paddingLength;

    /// <summary>Gets the body: the bytes after the 4-byte header, without padding.</summary>
    public ReadOnlySpan<byte> Body => _data[HeaderLength..(_data.Length - _paddingLength)];

    /// <summary>
    /// Parses the first RTCP packet in <paramref name="data"/> (RFC 3550 §6.4.1). Fails when the
    /// version is not 2, the length field runs past the buffer, or the padding count is 0 or larger
    /// than the body. <paramref name="packetLength"/> receives (length + 1) × 4.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtcpPacket packet, out int packetLength)
    {
        packet = default;
        packetLength = 0;
        if (data.Length < HeaderLength || (data[0] >> 6) != 2)
        {
            return false;
        }

        int length = (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 1) * 4;
        if (length > data.Length)
        {
            return false;
        }

        int padding = 0;
        if ((data[0] & 0x20) != 0)
        {
            padding = data[length - 1];
            if (padding == 0 || padding > length - HeaderLength)
            {
                return false;
            }
        }

        packet = new RtcpPacket(data[..length], padding);
        packetLength = length;
        return true;
    }

    /// <summary>Parses <paramref name="data"/> as exactly one RTCP packet (its length must match).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RtcpPacket packet)
    {
        return TryParse(data, out packet, out int length) && length == data.Length;
    }

    /// <summary>Writes a common header. <paramref name="packetLength"/> must be a multiple of 4 and at least 4.</summary>
    internal static void WriteHeader(Span<byte> destination, int count, RtcpPacketType type, int packetLength, bool padding = false)
    {
        destination[0] = (byte)(0x80 | (padding ? 0x20 : 0) | count);
        destination[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((packetLength / 4) - 1));
    }

    /// <summary>Largest packet the 16-bit length field can describe.</summary>
    internal const int MaxLength = 65536 * 4;
}
