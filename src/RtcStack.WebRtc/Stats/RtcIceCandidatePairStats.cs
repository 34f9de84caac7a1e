using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.18 RTCIceCandidatePairStats: the selected ICE pair.</summary>
public sealed record RtcIceCandidatePairStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "candidate-pair";

    /// <summary>Gets transportId: the transport entry.</summary>
    public required string TransportId { get; init; }

    /// <summary>Gets localCandidateId: the local candidate, as its candidate: text.</summary>
    public required string LocalCandidateId { get; init; }

    /// <summary>Gets remoteCandidateId: the remote candidate, as its candidate: text.</summary>
    public required string RemoteCandidateId { get; init; }

    /// <summary>Gets state: RFC 8445 pair state.</summary>
    public required string State { get; init; }

    /// <summary>Gets nominated: nominated (RFC 8445 §8.1.1).</summary>
    public required bool Nominated { get; init; }

    /// <summary>Gets packetsSent: datagrams sent on the transport.</summary>
    public required long PacketsSent { get; init; }

    /// <summary>Gets packetsReceived: datagrams received on the transport.</summary>
    public required long PacketsReceived { get; init; }

    /// <summary>Gets bytesSent: bytes sent.</summary>
    public required long BytesSent { get; init; }

    /// <summary>Gets bytesReceived: bytes received.</summary>
    public required long BytesReceived { get; init; }

    /// <summary>Gets currentRoundTripTime: RTT of the last STUN check, seconds.</summary>
    public double? CurrentRoundTripTime { get; init; }

    /// <summary>Gets availableOutgoingBitrate: the congestion controller's estimate, bit/s.</summary>
    public double? AvailableOutgoingBitrate { get; init; }

    /// <summary>Gets requestsSent: STUN checks sent.</summary>
    public required long RequestsSent { get; init; }

    /// <summary>Gets responsesReceived: STUN responses received.</summary>
    public required long ResponsesReceived { get; init; }

    /// <summary>Gets requestsReceived: STUN checks received.</summary>
    public required long RequestsReceived { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("transportId", TransportId);
        writer.WriteString("localCandidateId", LocalCandidateId);
        writer.WriteString("remoteCandidateId", RemoteCandidateId);
        writer.WriteString("state", State);
        writer.WriteBoolean("nominated", Nominated);
        writer.WriteNumber("packetsSent", PacketsSent);
        writer.WriteNumber("packetsReceived", PacketsReceived);
        writer.WriteNumber("bytesSent", BytesSent);
        writer.WriteNumber("bytesReceived", BytesReceived);
        WriteOptional(writer, "currentRoundTripTime", CurrentRoundTripTime);
        WriteOptional(writer, "availableOutgoingBitrate", AvailableOutgoingBitrate);
        writer.WriteNumber("requestsSent", RequestsSent);
        writer.WriteNumber("responsesReceived", ResponsesReceived);
        writer.WriteNumber("requestsReceived", RequestsReceived);
    }
}
