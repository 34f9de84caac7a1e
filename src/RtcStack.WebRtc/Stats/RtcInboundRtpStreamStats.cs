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
    }
}
