namespace RtcStack.Rtp.Capture;

/// <summary>The container format of a capture file.</summary>
public enum CaptureFormat
{
    /// <summary>Not known yet (nothing read) or not a capture file.</summary>
    Unknown = 0,

    /// <summary>Classic libpcap format (draft-ietf-opsawg-pcap), microsecond or nanosecond timestamps.</summary>
    Pcap,

    /// <summary>pcapng (draft-ietf-opsawg-pcapng): sections, interfaces and typed blocks.</summary>
    PcapNg,
}
