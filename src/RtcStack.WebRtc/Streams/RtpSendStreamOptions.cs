namespace RtcStack.WebRtc.Streams;

/// <summary>What JSEP negotiated for one outgoing RTP stream, and the sender's policies (see <see cref="RtpSendStream"/>).</summary>
public sealed class RtpSendStreamOptions
{
    /// <summary>Gets the stream's SSRC (RFC 3550 §8).</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets the RTP clock rate of the stream's payload formats (90000 for video, 48000 for Opus).</summary>
    public required int ClockRate { get; init; }

    /// <summary>Gets the RTX SSRC (RFC 4588 §4, SSRC-multiplexing), or null when RTX was not negotiated: retransmissions are then the original packets.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>
    /// Gets the RTX payload type for each original payload type: the inverse of each RTX format's <c>apt</c>
    /// (RFC 4588 §8). A media payload type without an entry is retransmitted as it is, even when RTX is on.
    /// </summary>
    public IReadOnlyDictionary<byte, byte>? RtxPayloadTypes { get; init; }

    /// <summary>Gets the number of packets kept for retransmission, a power of two (default 512).</summary>
    public int HistorySize { get; init; } = 512;

    /// <summary>Gets the bytes of packet kept for retransmission, 0 for <see cref="HistorySize"/> × 1200.</summary>
    public int HistoryBytes { get; init; }

    /// <summary>
    /// Gets a value indicating whether sent packets are kept for retransmission (default true). A session passes false
    /// when neither NACK (RFC 4585 §4.2, <c>a=rtcp-fb:PT nack</c>) nor RTX (RFC 4588) was negotiated, so no peer can ask
    /// for a packet again (browsers negotiate neither for Opus): the history (about 190 bytes per slot of
    /// <see cref="HistorySize"/> at first) is then not allocated until <see cref="RtpSendStream.EnableHistory"/>.
    /// </summary>
    public bool KeepHistory { get; init; } = true;

    /// <summary>Gets how long after it was sent a packet may still be retransmitted (RFC 4588 §8: rtx-time; default 3 s).</summary>
    public TimeSpan MaxRetransmitAge { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Gets the first sequence number, or null for a random one (RFC 3550 §5.1).</summary>
    public ushort? InitialSequenceNumber { get; init; }

    /// <summary>Gets the first RTX sequence number, or null for a random one.</summary>
    public ushort? InitialRtxSequenceNumber { get; init; }

    /// <summary>Gets the source of randomness for initial sequence numbers; null for a cryptographic one.</summary>
    public Random? Random { get; init; }

    /// <summary>Gets the share of the media rate this stream's retransmissions may use over a sliding second (default 1).</summary>
    public double RetransmissionFraction { get; init; } = 1.0;

    /// <summary>Gets a budget shared with other streams or sessions, checked after the stream's own, or null.</summary>
    public RetransmissionBudget? SharedRetransmissionBudget { get; init; }

    /// <summary>
    /// Gets the wall clock (UTC) at the monotonic instant zero: it maps <c>now</c> to NTP time for SRs and RTT (RFC 3550
    /// §6.4.1: the NTP timestamp is wall-clock time). Null (the default): the stream reads <see cref="WallClock"/> once,
    /// the first time it needs NTP time, and pairs it with that <c>now</c>. No default is the Unix epoch (it used to be,
    /// so a stream without this option sent SRs dated 1970).
    /// </summary>
    public DateTimeOffset? WallClockAtZero { get; init; }

    /// <summary>Gets the wall clock read once when <see cref="WallClockAtZero"/> is null (the system clock by default).</summary>
    public TimeProvider WallClock { get; init; } = TimeProvider.System;

    /// <summary>Gets the most retransmission requests queued at once; older ones are dropped when it is full (default 256).</summary>
    public int MaxPendingRetransmissions { get; init; } = 256;
}
