namespace RtcStack.WebRtc.Streams;

/// <summary>What JSEP negotiated for one incoming RTP stream, and the receiver's policies (see <see cref="RtpReceiveStream"/>).</summary>
public sealed class RtpReceiveStreamOptions
{
    /// <summary>Gets the remote stream's SSRC.</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets the RTP clock rate (jitter is in its units, RFC 3550 A.8).</summary>
    public required int ClockRate { get; init; }

    /// <summary>Gets our SSRC, the packet sender of the feedback this stream writes (RFC 4585 §6.1).</summary>
    public uint LocalSsrc { get; init; }

    /// <summary>Gets the remote RTX SSRC (RFC 4588 §4, SSRC-multiplexing), or null without RTX.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>Gets each RTX payload type's associated payload type (<c>apt</c>, RFC 4588 §8).</summary>
    public IReadOnlyDictionary<byte, byte>? RtxAssociatedPayloadTypes { get; init; }

    /// <summary>Gets whether generic NACK was negotiated (<c>a=rtcp-fb:* nack</c>, RFC 4585 §4.2).</summary>
    public bool Nack { get; init; }

    /// <summary>Gets how many missing sequence numbers are tracked at once (default 256).</summary>
    public int NackCapacity { get; init; } = 256;

    /// <summary>Gets how many times one sequence number is asked for before it is given up (default 10).</summary>
    public int NackMaxTries { get; init; } = 10;

    /// <summary>Gets how far behind the highest sequence number a packet is still asked for (default 450, libwebrtc's NACK age).</summary>
    public int NackMaxAge { get; init; } = 450;

    /// <summary>Gets how key frames are asked for: PLI (RFC 4585 §6.3.1), FIR (RFC 5104 §4.3.1), or null for never.</summary>
    public KeyframeRequestKind? KeyframeRequests { get; init; }

    /// <summary>Gets the least time between two key frame requests; the RTT when it is longer (default 300 ms).</summary>
    public TimeSpan KeyframeRequestMinInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Gets the RTT assumed until <see cref="RtpReceiveStream.RoundTripTime"/> is set (default 100 ms).</summary>
    public TimeSpan DefaultRoundTripTime { get; init; } = TimeSpan.FromMilliseconds(100);
}
