namespace RtcStack.Stun;

/// <summary>
/// RFC 7983 §7 (updating RFC 5764 §5.1.2): tells STUN, ZRTP, DTLS, TURN ChannelData and RTP/RTCP
/// apart by the first byte of a datagram, and RTP from RTCP by the second (RFC 5761 §4).
/// </summary>
public static class PacketDemultiplexer
{
    /// <summary>Classifies one datagram. Never throws; an empty datagram is <see cref="PacketKind.Unknown"/>.</summary>
    public static PacketKind Classify(ReadOnlySpan<byte> datagram) => Rfc7983.Classify(datagram) switch
    {
        Rfc7983.Kind.Stun => PacketKind.Stun,
        Rfc7983.Kind.Zrtp => PacketKind.Zrtp,
        Rfc7983.Kind.Dtls => PacketKind.Dtls,
        Rfc7983.Kind.TurnChannelData => PacketKind.TurnChannelData,
        Rfc7983.Kind.Rtp => PacketKind.Rtp,
        Rfc7983.Kind.Rtcp => PacketKind.Rtcp,
        _ => PacketKind.Unknown,
    };
}
