namespace RtcStack.Rtp.Capture;

/// <summary>
/// One capture interface: the single implicit interface of a classic pcap file, or one pcapng
/// Interface Description Block (draft-ietf-opsawg-pcapng §4.2).
/// </summary>
/// <param name="Id">The interface id records refer to (0-based, per pcapng section).</param>
/// <param name="LinkType">The link-layer header type of its packets.</param>
/// <param name="SnapLength">The maximum number of bytes captured per packet (0 = no limit).</param>
/// <param name="TimestampResolution">
/// The pcapng <c>if_tsresol</c> byte: high bit clear means units of 10^-n seconds, set means 2^-n
/// seconds, n in the low 7 bits. 6 (microseconds) when absent; 9 for nanosecond classic pcap.
/// </param>
/// <param name="TimestampOffsetSeconds">The pcapng <c>if_tsoffset</c> option: seconds added to every timestamp.</param>
/// <param name="Name">The pcapng <c>if_name</c> option, if present.</param>
public sealed record CaptureInterface(
    int Id,
    LinkType LinkType,
    int SnapLength,
    byte TimestampResolution,
    long TimestampOffsetSeconds,
    string? Name);
