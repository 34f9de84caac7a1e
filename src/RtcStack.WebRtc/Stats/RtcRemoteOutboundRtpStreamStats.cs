using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.11 RTCRemoteOutboundRtpStreamStats: what a remote source's sender reports say.</summary>
public sealed record RtcRemoteOutboundRtpStreamStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "remote-outbound-rtp";

    /// <summary>Gets ssrc: the remote SSRC.</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets kind: "audio".</summary>
    public required string Kind { get; init; }

    /// <summary>Gets transportId: the transport entry.</summary>
    public required string TransportId { get; init; }

    /// <summary>Gets localId: the inbound-rtp entry.</summary>
    public required string LocalId { get; init; }

    /// <summary>Gets packetsSent: the SR's sender packet count.</summary>
    public required long PacketsSent { get; init; }

    /// <summary>Gets bytesSent: the SR's sender octet count.</summary>
    public required long BytesSent { get; init; }

    /// <summary>Gets remoteTimestamp: the SR's NTP time, ms since 1970.</summary>
    public required double RemoteTimestamp { get; init; }

    /// <summary>Gets reportsSent: SRs received from the source.</summary>
    public required long ReportsSent { get; init; }

    /// <summary>Gets roundTripTime: RTT from XR DLRR (RFC 3611 §4.5), seconds.</summary>
    public double? RoundTripTime { get; init; }

    /// <summary>Gets totalRoundTripTime: sum of XR RTT measurements, seconds.</summary>
    public required double TotalRoundTripTime { get; init; }

    /// <summary>Gets roundTripTimeMeasurements: number of XR RTT measurements.</summary>
    public required long RoundTripTimeMeasurements { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("ssrc", Ssrc);
        writer.WriteString("kind", Kind);
        writer.WriteString("transportId", TransportId);
        writer.WriteString("localId", LocalId);
        writer.WriteNumber("packetsSent", PacketsSent);
        writer.WriteNumber("bytesSent", BytesSent);
        writer.WriteNumber("remoteTimestamp", RemoteTimestamp);
        writer.WriteNumber("reportsSent", ReportsSent);
        WriteOptional(writer, "roundTripTime", RoundTripTime);
        writer.WriteNumber("totalRoundTripTime", TotalRoundTripTime);
        writer.WriteNumber("roundTripTimeMeasurements", RoundTripTimeMeasurements);
    }
}
