namespace RtcStack.Opus.Jitter;

/// <summary>
/// Counters of an <see cref="AdaptiveJitterBuffer"/>, named and defined as the W3C webrtc-stats
/// <c>RTCInboundRtpStreamStats</c> audio members (§ inbound-rtp) where one exists. Samples are counted per channel.
/// </summary>
public readonly record struct JitterBufferStatistics
{
    /// <summary>Gets jitterBufferDelay: the sum, in seconds, over every emitted sample of the time from its packet's arrival to the playout of the packet's first sample (per packet, as libwebrtc counts it).</summary>
    public double JitterBufferDelay { get; init; }

    /// <summary>Gets jitterBufferTargetDelay: the sum, in seconds, over every emitted sample of the target delay at the time it was emitted.</summary>
    public double JitterBufferTargetDelay { get; init; }

    /// <summary>Gets jitterBufferMinimumDelay: like the target sum, but of the delay the network alone asks for (before the configured minimum).</summary>
    public double JitterBufferMinimumDelay { get; init; }

    /// <summary>Gets jitterBufferEmittedCount: the number of samples, decoded from packets, that came out of the buffer.</summary>
    public long JitterBufferEmittedCount { get; init; }

    /// <summary>Gets totalSamplesReceived: every sample played out since the first packet, concealed ones included.</summary>
    public long TotalSamplesReceived { get; init; }

    /// <summary>Gets concealedSamples: samples synthesised in place of lost or late packets (and comfort noise).</summary>
    public long ConcealedSamples { get; init; }

    /// <summary>Gets silentConcealedSamples: the part of <see cref="ConcealedSamples"/> that is comfort noise in DTX gaps.</summary>
    public long SilentConcealedSamples { get; init; }

    /// <summary>Gets concealmentEvents: runs of concealed samples that follow a non-concealed one.</summary>
    public long ConcealmentEvents { get; init; }

    /// <summary>Gets insertedSamplesForDeceleration: samples added by time-stretching to slow playout down.</summary>
    public long InsertedSamplesForDeceleration { get; init; }

    /// <summary>Gets removedSamplesForAcceleration: samples removed by time-stretching to speed playout up.</summary>
    public long RemovedSamplesForAcceleration { get; init; }

    /// <summary>Gets the samples rebuilt from in-band FEC (not counted as concealed: they come from the sender's redundancy).</summary>
    public long FecSamples { get; init; }

    /// <summary>Gets every packet handed to <see cref="AdaptiveJitterBuffer.Insert"/>.</summary>
    public long PacketsReceived { get; init; }

    /// <summary>Gets the packets decoded (or whose decode failed and was concealed, see <see cref="DecodeErrors"/>).</summary>
    public long PacketsDecoded { get; init; }

    /// <summary>Gets the packets that arrived after their timestamp was played or concealed (webrtc-stats packetsDiscarded).</summary>
    public long PacketsDiscardedLate { get; init; }

    /// <summary>Gets the packets that repeated a stored timestamp.</summary>
    public long PacketsDuplicate { get; init; }

    /// <summary>Gets the packets refused as empty, oversized or of unknown duration.</summary>
    public long PacketsInvalid { get; init; }

    /// <summary>Gets the stored packets dropped because the buffer was full.</summary>
    public long PacketsDroppedOverflow { get; init; }

    /// <summary>Gets the stored packets dropped by a reset (SSRC change or timestamp jump).</summary>
    public long PacketsFlushed { get; init; }

    /// <summary>Gets the packets stored now.</summary>
    public int PacketsBuffered { get; init; }

    /// <summary>Gets the packets the decoder refused (their time was concealed).</summary>
    public long DecodeErrors { get; init; }

    /// <summary>Gets the number of resets.</summary>
    public long Resets { get; init; }

    /// <summary>Gets the current target delay.</summary>
    public TimeSpan TargetDelay { get; init; }

    /// <summary>Gets the current estimate of the playout delay above the fastest recent packet.</summary>
    public TimeSpan CurrentDelay { get; init; }
}
