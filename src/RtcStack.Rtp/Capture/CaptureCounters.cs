namespace RtcStack.Rtp.Capture;

/// <summary>What <see cref="RtpStreamAnalyzer"/> made of every record it was given.</summary>
public sealed class CaptureCounters
{
    /// <summary>Gets the number of records seen.</summary>
    public long Records { get; internal set; }

    /// <summary>Gets the number of UDP datagrams found.</summary>
    public long Udp { get; internal set; }

    /// <summary>Gets the number of RTP packets.</summary>
    public long Rtp { get; internal set; }

    /// <summary>Gets the number of RTCP datagrams.</summary>
    public long Rtcp { get; internal set; }

    /// <summary>Gets the number of STUN/TURN-channel datagrams.</summary>
    public long Stun { get; internal set; }

    /// <summary>Gets the number of DTLS datagrams.</summary>
    public long Dtls { get; internal set; }

    /// <summary>Gets the number of UDP datagrams that are none of the above.</summary>
    public long OtherUdp { get; internal set; }

    /// <summary>Gets the number of IP fragments skipped (not reassembled).</summary>
    public long Fragments { get; internal set; }

    /// <summary>Gets the number of frames that are not UDP over IP (ARP, TCP, ICMP, ...).</summary>
    public long NotUdp { get; internal set; }

    /// <summary>Gets the number of frames with a truncated or malformed header.</summary>
    public long Undecodable { get; internal set; }

    /// <summary>Gets the number of frames of a link type the dissector does not know.</summary>
    public long UnsupportedLinkType { get; internal set; }
}
