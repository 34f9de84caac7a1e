namespace RtcStack.Rtp.Capture;

/// <summary>pcapng block type codes (draft-ietf-opsawg-pcapng §10.1) that the reader interprets.</summary>
internal static class PcapNgBlockType
{
    /// <summary>§4.1 Section Header Block; the value reads the same in both byte orders.</summary>
    public const uint SectionHeader = 0x0A0D0D0A;

    /// <summary>§4.2 Interface Description Block.</summary>
    public const uint InterfaceDescription = 0x00000001;

    /// <summary>Appendix A obsolete Packet Block.</summary>
    public const uint ObsoletePacket = 0x00000002;

    /// <summary>§4.4 Simple Packet Block.</summary>
    public const uint SimplePacket = 0x00000003;

    /// <summary>§4.3 Enhanced Packet Block.</summary>
    public const uint EnhancedPacket = 0x00000006;

    /// <summary>§4.1 byte-order magic.</summary>
    public const uint ByteOrderMagic = 0x1A2B3C4D;
}
