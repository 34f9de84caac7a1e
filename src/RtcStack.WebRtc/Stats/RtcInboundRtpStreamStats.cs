using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.6 RTCInboundRtpStreamStats: what we receive from one remote source.</summary>
public sealed record RtcInboundRtpStreamStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "inbound-rtp";

    /// <summary>Gets ssrc: RTCRtpStreamStats.ssrc.</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets kind: "audio" or "video".</summary>
    public required string Kind { get; init; }

    /// <summary>Gets transportId: the transport entry.</summary>
    public required string TransportId { get; init; }

    /// <summary>Gets codecId: the codec entry.</summary>
    public required string CodecId { get; init; }

    /// <summary>Gets mid: the m= section's mid.</summary>
    public string? Mid { get; init; }

    /// <summary>Gets packetsReceived: RFC 3550 A.3 received.</summary>
    public required long PacketsReceived { get; init; }

    /// <summary>Gets packetsLost: RFC 3550 A.3 expected − received.</summary>
    public required long PacketsLost { get; init; }

    /// <summary>Gets jitter: RFC 3550 A.8 interarrival jitter, seconds.</summary>
    public required double Jitter { get; init; }

    /// <summary>Gets bytesReceived: payload bytes.</summary>
    public required long BytesReceived { get; init; }

    /// <summary>Gets headerBytesReceived: RTP header bytes.</summary>
    public required long HeaderBytesReceived { get; init; }

    /// <summary>Gets packetsDiscarded: duplicates and malformed payloads dropped.</summary>
    public required long PacketsDiscarded { get; init; }

    /// <summary>Gets packetsDuplicated: duplicates (RtcStack extra).</summary>
    public required long PacketsDuplicated { get; init; }

    /// <summary>Gets nackCount: NACK packets we sent for this source.</summary>
    public required long NackCount { get; init; }

    /// <summary>Gets retransmittedPacketsReceived: packets that arrived after we asked for them.</summary>
    public required long RetransmittedPacketsReceived { get; init; }

    /// <summary>Gets lastPacketReceivedTimestamp: session time of the last packet, ms.</summary>
    public double? LastPacketReceivedTimestamp { get; init; }

    /// <summary>Gets audioLevel: last RFC 6464 level as a linear amplitude 0..1.</summary>
    public double? AudioLevel { get; init; }

    /// <summary>Gets totalAudioEnergy: Σ amplitude² × duration from RFC 6464 levels; null where not measured (video).</summary>
    public double? TotalAudioEnergy { get; init; }

    /// <summary>Gets totalSamplesDuration: seconds of audio with a level; null where not measured (video).</summary>
    public double? TotalSamplesDuration { get; init; }

    /// <summary>Gets retransmittedBytesReceived: payload bytes of retransmissions (RTX); null where not counted.</summary>
    public long? RetransmittedBytesReceived { get; init; }

    /// <summary>Gets pliCount: PLIs we sent for this source (video).</summary>
    public long? PliCount { get; init; }

    /// <summary>Gets firCount: FIRs we sent for this source (video).</summary>
    public long? FirCount { get; init; }

    /// <summary>Gets framesReceived: complete frames out of the frame buffer (video).</summary>
    public long? FramesReceived { get; init; }

    /// <summary>Gets framesDropped: frames given up before they were complete (video).</summary>
    public long? FramesDropped { get; init; }

    /// <summary>Gets keyFramesReceived: key frames among the frames received (RtcStack extra; browsers count keyFramesDecoded).</summary>
    public long? KeyFramesReceived { get; init; }

    /// <summary>Gets remoteId: the remote-outbound-rtp entry, when the source sent an SR.</summary>
    public string? RemoteId { get; init; }

    /// <summary>Gets jitterBufferDelay: Σ over emitted samples of their time in the jitter buffer, seconds (audio playout only).</summary>
    public double? JitterBufferDelay { get; init; }

    /// <summary>Gets jitterBufferTargetDelay: Σ over emitted samples of the target delay when emitted, seconds (audio playout only).</summary>
    public double? JitterBufferTargetDelay { get; init; }

    /// <summary>Gets jitterBufferMinimumDelay: like jitterBufferTargetDelay, of the delay the network alone asks for (audio playout only).</summary>
    public double? JitterBufferMinimumDelay { get; init; }

    /// <summary>Gets jitterBufferEmittedCount: samples decoded from packets that left the jitter buffer (audio playout only).</summary>
    public long? JitterBufferEmittedCount { get; init; }

    /// <summary>Gets totalSamplesReceived: samples played out, concealed ones included (audio playout only).</summary>
    public long? TotalSamplesReceived { get; init; }

    /// <summary>Gets concealedSamples: samples synthesised for lost or late packets (audio playout only).</summary>
    public long? ConcealedSamples { get; init; }

    /// <summary>Gets silentConcealedSamples: the comfort noise part of concealedSamples (audio playout only).</summary>
    public long? SilentConcealedSamples { get; init; }

    /// <summary>Gets concealmentEvents: runs of concealed samples (audio playout only).</summary>
    public long? ConcealmentEvents { get; init; }

    /// <summary>Gets insertedSamplesForDeceleration: samples added by time-stretching (audio playout only).</summary>
    public long? InsertedSamplesForDeceleration { get; init; }

    /// <summary>Gets removedSamplesForAcceleration: samples removed by time-stretching (audio playout only).</summary>
    public long? RemovedSamplesForAcceleration { get; init; }

    /// <summary>Gets decoderImplementation: "libopus" or "Concentus" (audio playout only).</summary>
    public string? DecoderImplementation { get; init; }

    /// <summary>Gets redRecoveredPackets: lost packets recovered from RFC 2198 redundancy (RtcStack extra; audio with RED only).</summary>
    public long? RedRecoveredPackets { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("ssrc", Ssrc);
        writer.WriteString("kind", Kind);
        writer.WriteString("transportId", TransportId);
        writer.WriteString("codecId", CodecId);
        WriteOptional(writer, "mid", Mid);
        writer.WriteNumber("packetsReceived", PacketsReceived);
        writer.WriteNumber("packetsLost", PacketsLost);
        writer.WriteNumber("jitter", Jitter);
        writer.WriteNumber("bytesReceived", BytesReceived);
        writer.WriteNumber("headerBytesReceived", HeaderBytesReceived);
        writer.WriteNumber("packetsDiscarded", PacketsDiscarded);
        writer.WriteNumber("packetsDuplicated", PacketsDuplicated);
        writer.WriteNumber("nackCount", NackCount);
        writer.WriteNumber("retransmittedPacketsReceived", RetransmittedPacketsReceived);
        WriteOptional(writer, "lastPacketReceivedTimestamp", LastPacketReceivedTimestamp);
        WriteOptional(writer, "audioLevel", AudioLevel);
        WriteOptional(writer, "totalAudioEnergy", TotalAudioEnergy);
        WriteOptional(writer, "totalSamplesDuration", TotalSamplesDuration);
        WriteOptional(writer, "retransmittedBytesReceived", RetransmittedBytesReceived);
        WriteOptional(writer, "pliCount", PliCount);
        WriteOptional(writer, "firCount", FirCount);
        WriteOptional(writer, "framesReceived", FramesReceived);
        WriteOptional(writer, "framesDropped", FramesDropped);
        WriteOptional(writer, "keyFramesReceived", KeyFramesReceived);
        WriteOptional(writer, "remoteId", RemoteId);
        WriteOptional(writer, "jitterBufferDelay", JitterBufferDelay);
        WriteOptional(writer, "jitterBufferTargetDelay", JitterBufferTargetDelay);
        WriteOptional(writer, "jitterBufferMinimumDelay", JitterBufferMinimumDelay);
        WriteOptional(writer, "jitterBufferEmittedCount", JitterBufferEmittedCount);
        WriteOptional(writer, "totalSamplesReceived", TotalSamplesReceived);
        WriteOptional(writer, "concealedSamples", ConcealedSamples);
        WriteOptional(writer, "silentConcealedSamples", SilentConcealedSamples);
        WriteOptional(writer, "concealmentEvents", ConcealmentEvents);
        WriteOptional(writer, "insertedSamplesForDeceleration", InsertedSamplesForDeceleration);
        WriteOptional(writer, "removedSamplesForAcceleration", RemovedSamplesForAcceleration);
        WriteOptional(writer, "decoderImplementation", DecoderImplementation);
        WriteOptional(writer, "redRecoveredPackets", RedRecoveredPackets);
    }
}
