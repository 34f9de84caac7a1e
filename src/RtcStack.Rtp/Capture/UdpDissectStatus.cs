namespace RtcStack.Rtp.Capture;

/// <summary>The outcome of <see cref="UdpDatagram.TryDissect"/>.</summary>
public enum UdpDissectStatus
{
    /// <summary>A UDP datagram was found; <see cref="UdpDatagram.IsPayloadTruncated"/> tells whether the snap length cut its payload.</summary>
    Ok,

    /// <summary>The link type is not one this dissector knows.</summary>
    UnsupportedLinkType,

    /// <summary>The frame carries something other than IPv4 or IPv6 (ARP, LLC, ...).</summary>
    NotIp,

    /// <summary>An IP packet carrying something other than UDP (TCP, ICMP, ESP, ...).</summary>
    NotUdp,

    /// <summary>An IPv4 or IPv6 fragment: reassembly is not done, so the datagram is reported and skipped.</summary>
    Fragment,

    /// <summary>The captured bytes end before the link, IP or UDP header does.</summary>
    Truncated,

    /// <summary>A header field is impossible (wrong IP version, header length below minimum, UDP length below 8 or past the IP payload).</summary>
    Malformed,
}
