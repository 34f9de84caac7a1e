using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.10 RTCRemoteInboundRtpStreamStats: what the peer's report blocks say about our stream (RFC 3550 §6.4).</summary>
public sealed record RtcRemoteInboundRtpStreamStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "remote-inbound-rtp";

    /// <summary>Gets ssrc: our SSRC.</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets kind: "audio".</summary>
    public required string Kind { get; init; }

    /// <summary>Gets transportId: the transport entry.</summary>
    public required string TransportId { get; init; }

    /// <summary>Gets codecId: the codec entry.</summary>
    public string? CodecId { get; init; }

    /// <summary>Gets localId: the outbound-rtp entry.</summary>
    public required string LocalId { get; init; }

    /// <summary>Gets packetsLost: cumulative number of packets lost.</summary>
    public required long PacketsLost { get; init; }

    /// <summary>Gets fractionLost: fraction lost in the last interval.</summary>
    public required double FractionLost { get; init; }

    /// <summary>Gets jitter: interarrival jitter, seconds.</summary>
    public required double Jitter { get; init; }

    /// <summary>Gets roundTripTime: RFC 3550 §6.4.1 A − LSR − DLSR, seconds.</summary>
    public double? RoundTripTime { get; init; }

    /// <summary>Gets totalRoundTripTime: sum of RTT measurements, seconds.</summary>
    public required double TotalRoundTripTime { get; init; }

    /// <summary>Gets roundTripTimeMeasurements: number of RTT measurements.</summary>
    public required long RoundTripTimeMeasurements { get; init; }

    /// <summary>Gets reportsReceived: report blocks about our stream received (RtcStack extra).</summary>
    public required long ReportsReceived { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("ssrc", Ssrc);
        writer.WriteString("kind", Kind);
        writer.WriteString("transportId", TransportId);
        WriteOptional(writer, "codecId", CodecId);
        writer.WriteString("localId", LocalId);
        writer.WriteNumber("packetsLost", PacketsLost);
        writer.WriteNumber("fractionLost", FractionLost);
        writer.WriteNumber("jitter", Jitter);
        WriteOptional(writer, "roundTripTime", RoundTripTime);
        writer.WriteNumber("totalRoundTripTime", TotalRoundTripTime);
        writer.WriteNumber("roundTripTimeMeasurements", RoundTripTimeMeasurements);
        writer.WriteNumber("reportsReceived", ReportsReceived);
    }
}
