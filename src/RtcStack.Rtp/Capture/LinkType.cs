namespace RtcStack.Rtp.Capture;

/// <summary>
/// Link-layer header types of capture files (the LINKTYPE_* registry of
/// draft-ietf-opsawg-pcaplinktype). The numeric value is what pcap and pcapng store.
/// </summary>
public enum LinkType : ushort
{
    /// <summary>LINKTYPE_NULL (0): BSD loopback, a 4-byte address family in the capturing host's byte order.</summary>
    Null = 0,

    /// <summary>LINKTYPE_ETHERNET (1): IEEE 802.3 Ethernet, with optional 802.1Q/802.1ad VLAN tags.</summary>
    Ethernet = 1,

    /// <summary>LINKTYPE_RAW (101): raw IPv4 or IPv6, the version nibble tells which.</summary>
    Raw = 101,

    /// <summary>LINKTYPE_LOOP (108): OpenBSD loopback, a 4-byte address family in network byte order.</summary>
    Loop = 108,

    /// <summary>LINKTYPE_LINUX_SLL (113): Linux "cooked" capture, 16-byte header.</summary>
    LinuxSll = 113,

    /// <summary>LINKTYPE_IPV4 (228): raw IPv4.</summary>
    IPv4 = 228,

    /// <summary>LINKTYPE_IPV6 (229): raw IPv6.</summary>
    IPv6 = 229,

    /// <summary>LINKTYPE_LINUX_SLL2 (276): Linux "cooked" capture v2, 20-byte header.</summary>
    LinuxSll2 = 276,
}
