namespace RtcStack.Stun;

/// <summary>
/// RFC 7983 §7 (updating RFC 5764 §5.1.2): tells STUN, ZRTP, DTLS, TURN ChannelData and RTP/RTCP
/// apart by the first byte of a datagram, and RTP from RTCP by the second (RFC 5761 §4).
/// </summary>
public static class PacketDemultiplexer
{
    /// <summary>Classifies one datagram. Never throws; an empty datagram is <see cref="PacketKind.Unknown"/>.</summary>
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return PacketKind.Unknown;
        }

        byte b = datagram[0];
        return b switch
        {
            <= 3 => PacketKind.Stun,
            >= 16 and <= 19 => PacketKind.Zrtp,
            >= 20 and <= 63 => PacketKind.Dtls,
            >= 64 and <= 79 => PacketKind.TurnChannelData,
            >= 128 and <= 191 => datagram.Length >= 2 && (datagram[1] & 0x7F) is >= 64 and <= 95 ? PacketKind.Rtcp : PacketKind.Rtp,
            _ => PacketKind.Unknown,
        };
    }
}
