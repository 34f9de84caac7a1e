using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>Application-defined packet, APP (RFC 3550 §6.7): subtype, SSRC, 4-character name, data.</summary>
public readonly ref struct RtcpApplicationDefined
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpApplicationDefined(ReadOnlySpan<byte> body, int subtype)
    {
        _body = body;
        Subtype = subtype;
    }

    /// <summary>Gets the 5-bit subtype.</summary>
    public int Subtype { get; }

    /// <summary>Gets the SSRC/CSRC of the sender.</summary>
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>Gets the 4 ASCII characters naming the application.</summary>
    public ReadOnlySpan<byte> Name => _body.Slice(4, 4);

    /// <summary>Gets the application-dependent data (a multiple of 4 bytes unless the packet was padded).</summary>
    public ReadOnlySpan<byte> ApplicationData => _body[8..];

    /// <summary>Reads an APP packet; fails when the type is not 204 or the body is shorter than 8 bytes.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpApplicationDefined app)
    {
        app = default;
        if (packet.PacketType != RtcpPacketType.ApplicationDefined || packet.Body.Length < 8)
        {
            return false;
        }

        app = new RtcpApplicationDefined(packet.Body, packet.Count);
        return true;
    }

    /// <summary>Writes an APP packet. The name must be 4 bytes and the data a multiple of 4 bytes.</summary>
    public static bool TryWrite(Span<byte> destination, int subtype, uint ssrc, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subtype);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subtype, 31);
        if (name.Length != 4)
        {
            throw new ArgumentException("The APP name is exactly 4 bytes.", nameof(name));
        }

        if ((data.Length & 3) != 0)
        {
            throw new ArgumentException("APP data is a multiple of 32 bits (RFC 3550 §6.7).", nameof(data));
        }

        bytesWritten = 0;
        int length = 12 + data.Length;
        if (destination.Length < length || length > RtcpPacket.MaxLength)
        {
            return false;
        }

        RtcpPacket.WriteHeader(destination, subtype, RtcpPacketType.ApplicationDefined, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        name.CopyTo(destination[8..]);
        data.CopyTo(destination[12..]);
        bytesWritten = length;
        return true;
    }
}
