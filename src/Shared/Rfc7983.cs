// One source for the RFC 7983 demultiplexing rule, compiled (internal) into RtcStack.Stun and RtcStack.Rtp, which
// do not reference each other: PacketDemultiplexer (sessions) and DatagramClassifier (captures) map it to their own
// public enums, so the two can no longer disagree.
namespace RtcStack;

/// <summary>RFC 7983 §7 (updating RFC 5764 §5.1.2): the first-byte ranges of a datagram on a shared port.</summary>
internal static class Rfc7983
{
    /// <summary>What the first two bytes say a datagram is.</summary>
    internal enum Kind : byte
    {
        Unknown,
        Stun,
        Zrtp,
        Dtls,
        TurnChannelData,
        Rtp,
        Rtcp,
    }

    /// <summary>
    /// Classifies by the first byte: 0-3 STUN, 16-19 ZRTP, 20-63 DTLS, 64-79 TURN ChannelData, 128-191 RTP or RTCP;
    /// then RTP from RTCP by the second byte (RFC 5761 §4): RTCP packet types 192-223 are RTCP. A second byte of
    /// 64-95 (marker clear, payload type 64-95) is RTP: RFC 5761 §4 tells senders not to use those payload types,
    /// not receivers to take them for RTCP. Never throws.
    /// </summary>
    internal static Kind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return Kind.Unknown;
        }

        return datagram[0] switch
        {
            <= 3 => Kind.Stun,
            >= 16 and <= 19 => Kind.Zrtp,
            >= 20 and <= 63 => Kind.Dtls,
            >= 64 and <= 79 => Kind.TurnChannelData,
            >= 128 and <= 191 => datagram.Length >= 2 && datagram[1] is >= 192 and <= 223 ? Kind.Rtcp : Kind.Rtp,
            _ => Kind.Unknown,
        };
    }
}
