namespace RtcStack.Rtp.Capture;

/// <summary>What a UDP payload carries, by the first-byte demultiplexing rules of RFC 7983 §7.</summary>
public enum DatagramKind
{
    /// <summary>None of the protocols below, or an RTP-range first byte whose header does not hold together.</summary>
    Other,

    /// <summary>First byte 0-3: STUN (RFC 8489).</summary>
    Stun,

    /// <summary>First byte 16-19: ZRTP (RFC 6189).</summary>
    Zrtp,

    /// <summary>First byte 20-63: DTLS (RFC 9147).</summary>
    Dtls,

    /// <summary>First byte 64-79: TURN ChannelData (RFC 8656 §12).</summary>
    TurnChannel,

    /// <summary>First byte 128-191 and a valid RTP header whose second byte is outside 192-223 (RFC 5761 §4).</summary>
    Rtp,

    /// <summary>First byte 128-191, second byte (packet type) 192-223 (RFC 5761 §4) and a length field that fits.</summary>
    Rtcp,
}
