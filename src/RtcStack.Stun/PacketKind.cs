namespace RtcStack.Stun;

/// <summary>What one UDP datagram on a shared port is (RFC 7983 §7).</summary>
public enum PacketKind
{
    /// <summary>First byte in no known range: drop it.</summary>
    Unknown = 0,

    /// <summary>STUN, first byte 0-3.</summary>
    Stun,

    /// <summary>ZRTP, first byte 16-19.</summary>
    Zrtp,

    /// <summary>DTLS, first byte 20-63.</summary>
    Dtls,

    /// <summary>TURN ChannelData, first byte 64-79.</summary>
    TurnChannelData,

    /// <summary>RTP, first byte 128-191 and payload type outside 64-95 (RFC 5761 §4).</summary>
    Rtp,

    /// <summary>RTCP, first byte 128-191 and packet type 192-223 (RFC 5761 §4).</summary>
    Rtcp,
}
