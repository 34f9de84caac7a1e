using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Pcap;

/// <summary>What <see cref="CaptureGenerator"/> writes. Every default gives the capture <c>rtcstack pcap generate</c> makes.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Gets the seed of every random choice; the same options give byte-identical files.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gets the length of the call in seconds.</summary>
    public double DurationSeconds { get; init; } = 10;

    /// <summary>Gets the number of RTP streams (alternating direction between the two hosts).</summary>
    public int Streams { get; init; } = 2;

    /// <summary>Gets the packet interval in milliseconds (20 ms Opus frames).</summary>
    public int PacketIntervalMs { get; init; } = 20;

    /// <summary>Gets the RTP payload type (111, the dynamic type browsers use for Opus).</summary>
    public byte PayloadType { get; init; } = 111;

    /// <summary>Gets the RTP clock rate in Hz (48000 for Opus, RFC 7587 §4.1).</summary>
    public int ClockRate { get; init; } = 48_000;

    /// <summary>Gets the payload size in bytes (a TOC byte plus filler; 80 bytes is 32 kbit/s at 20 ms).</summary>
    public int PayloadBytes { get; init; } = 80;

    /// <summary>Gets the percentage of packets the network drops.</summary>
    public double LossPercent { get; init; } = 2;

    /// <summary>Gets the percentage of packets delayed past their successor.</summary>
    public double ReorderPercent { get; init; } = 1;

    /// <summary>Gets the percentage of packets delivered twice.</summary>
    public double DuplicatePercent { get; init; } = 0.5;

    /// <summary>Gets the one-way delay before jitter, in milliseconds.</summary>
    public double BaseDelayMs { get; init; } = 30;

    /// <summary>Gets the spread of the random extra delay (uniform 0..this), in milliseconds.</summary>
    public double JitterMs { get; init; } = 4;

    /// <summary>Gets whether each side sends RTCP (sender report with a reception report, SDES CNAME) about once a second and a BYE at the end.</summary>
    public bool Rtcp { get; init; } = true;

    /// <summary>Gets whether the hosts use IPv6 documentation addresses (2001:db8::/32) instead of IPv4 ones.</summary>
    public bool IPv6 { get; init; }

    /// <summary>Gets the link type of the records.</summary>
    public LinkType LinkType { get; init; } = LinkType.Ethernet;

    /// <summary>Gets whether timestamps are stored with nanosecond resolution.</summary>
    public bool NanosecondTimestamps { get; init; }

    /// <summary>Gets the send time of the first packet, in nanoseconds since the Unix epoch (default 2025-01-01T00:00:00Z).</summary>
    public long StartNanoseconds { get; init; } = 1_735_689_600L * 1_000_000_000L;
}
