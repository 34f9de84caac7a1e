namespace RtcStack.Rtp.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5 and the IANA "RTP SDES Item Types" registry).</summary>
public enum RtcpSdesItemType : byte
{
    /// <summary>End of the item list of a chunk.</summary>
    End = 0,

    /// <summary>Canonical end-point identifier (RFC 3550 §6.5.1).</summary>
    Cname = 1,

    /// <summary>User name (RFC 3550 §6.5.2).</summary>
    Name = 2,

    /// <summary>E-mail address (RFC 3550 §6.5.3).</summary>
    Email = 3,

    /// <summary>Phone number (RFC 3550 §6.5.4).</summary>
    Phone = 4,

    /// <summary>Geographic location (RFC 3550 §6.5.5).</summary>
    Location = 5,

    /// <summary>Application or tool name (RFC 3550 §6.5.6).</summary>
    Tool = 6,

    /// <summary>Notice/status (RFC 3550 §6.5.7).</summary>
    Note = 7,

    /// <summary>Private extensions (RFC 3550 §6.5.8).</summary>
    Private = 8,

    /// <summary>RtpStreamId (RFC 8852 §3.1).</summary>
    RtpStreamId = 12,

    /// <summary>RepairedRtpStreamId (RFC 8852 §3.2).</summary>
    RepairedRtpStreamId = 13,

    /// <summary>Media identification (RFC 9143 §15).</summary>
    Mid = 15,
}
