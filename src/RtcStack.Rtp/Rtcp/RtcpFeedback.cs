using System.Buffers.Binary;

namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// The common packet format of RTCP feedback messages (RFC 4585 §6.1): FMT, sender SSRC,
/// media source SSRC and the feedback control information (FCI).
/// </summary>
public readonly ref struct RtcpFeedback
{
    /// <summary>Length of the fixed part: common header plus the two SSRCs.</summary>
    public const int FixedLength = 12;

    private readonly ReadOnlySpan<byte> _body;

    private RtcpFeedback(ReadOnlySpan<byte> body, RtcpPacketType type, int format)
    {
        _body = body;
        PacketType = type;
        Format = format;
    }

    /// <summary>Gets RTPFB (205) or PSFB (206).</summary>
    public RtcpPacketType PacketType { get; }

    /// <summary>Gets the feedback message type (FMT).</summary>
    public int Format { get; }

    /// <summary>Gets the SSRC of the packet sender.</summary>
    public uint SenderSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body);

    /// <summary>Gets the SSRC of the media source the feedback is about.</summary>
    public uint MediaSsrc => BinaryPrimitives.ReadUInt32BigEndian(_body[4..]);

    /// <summary>Gets the feedback control information.</summary>
    public ReadOnlySpan<byte> Fci => _body[8..];

    /// <summary>Reads the common feedback fields of an RTPFB or PSFB packet.</summary>
    public static bool TryParse(RtcpPacket packet, out RtcpFeedback feedback)
    {
        feedback = default;
        if (packet.PacketType is not (RtcpPacketType.TransportFeedback or RtcpPacketType.PayloadFeedback) || packet.Body.Length < 8)
        {
            return false;
        }

        feedback = new RtcpFeedback(packet.Body, packet.PacketType, packet.Count);
        return true;
    }

    /// <summary>Reads a feedback packet of a given type and FMT.</summary>
    internal static bool TryParse(RtcpPacket packet, RtcpPacketType type, int format, out RtcpFeedback feedback)
    {
        return TryParse(packet, out feedback) && feedback.PacketType == type && feedback.Format == format;
    }

    /// <summary>Writes the common header and both SSRCs; <paramref name="packetLength"/> includes the FCI.</summary>
    internal static void WriteHeader(Span<byte> destination, RtcpPacketType type, int format, int packetLength, uint senderSsrc, uint mediaSsrc, bool padding = false)
    {
        RtcpPacket.WriteHeader(destination, format, type, packetLength, padding);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
    }
}
