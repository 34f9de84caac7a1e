using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.9 RTCOutboundRtpStreamStats: what we send.</summary>
public sealed record RtcOutboundRtpStreamStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "outbound-rtp";

    /// <summary>Gets ssrc: RTCRtpStreamStats.ssrc.</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets kind: "audio".</summary>
    public required string Kind { get; init; }

    /// <summary>Gets transportId: the transport entry.</summary>
    public required string TransportId { get; init; }

    /// <summary>Gets codecId: the codec entry.</summary>
    public string? CodecId { get; init; }

    /// <summary>Gets mid: the m= section's mid.</summary>
    public string? Mid { get; init; }

    /// <summary>Gets rid: the RID of the simulcast encoding this stream sends (RFC 8853), or null.</summary>
    public string? Rid { get; init; }

    /// <summary>Gets packetsSent: RTP packets sent, retransmissions excluded.</summary>
    public required long PacketsSent { get; init; }

    /// <summary>Gets bytesSent: payload bytes sent.</summary>
    public required long BytesSent { get; init; }

    /// <summary>Gets headerBytesSent: RTP header bytes sent.</summary>
    public required long HeaderBytesSent { get; init; }

    /// <summary>Gets retransmittedPacketsSent: packets resent on NACK.</summary>
    public required long RetransmittedPacketsSent { get; init; }

    /// <summary>Gets retransmittedBytesSent: bytes resent on NACK.</summary>
    public required long RetransmittedBytesSent { get; init; }

    /// <summary>Gets nackCount: NACK packets received for our stream.</summary>
    public required long NackCount { get; init; }

    /// <summary>Gets retransmissionsDropped: NACKed packets not resent because the retransmission budget was spent (RtcStack extra).</summary>
    public long RetransmissionsDropped { get; init; }

    /// <summary>Gets targetBitrate: the congestion controller's target, bit/s.</summary>
    public double? TargetBitrate { get; init; }

    /// <summary>Gets remoteId: the remote-inbound-rtp entry, once the peer reported.</summary>
    public string? RemoteId { get; init; }

    /// <summary>Gets rtxSsrc: the RTX SSRC (RFC 4588) of the stream, when negotiated.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>Gets pliCount: PLIs received for the stream.</summary>
    public long? PliCount { get; init; }

    /// <summary>Gets firCount: FIRs received for the stream.</summary>
    public long? FirCount { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("ssrc", Ssrc);
        writer.WriteString("kind", Kind);
        writer.WriteString("transportId", TransportId);
        WriteOptional(writer, "codecId", CodecId);
        WriteOptional(writer, "mid", Mid);
        WriteOptional(writer, "rid", Rid);
        writer.WriteNumber("packetsSent", PacketsSent);
        writer.WriteNumber("bytesSent", BytesSent);
        writer.WriteNumber("headerBytesSent", HeaderBytesSent);
        writer.WriteNumber("retransmittedPacketsSent", RetransmittedPacketsSent);
        writer.WriteNumber("retransmittedBytesSent", RetransmittedBytesSent);
        writer.WriteNumber("nackCount", NackCount);
        writer.WriteNumber("retransmissionsDropped", RetransmissionsDropped);
        WriteOptional(writer, "targetBitrate", TargetBitrate);
        WriteOptional(writer, "rtxSsrc", RtxSsrc);
        WriteOptional(writer, "pliCount", PliCount);
        WriteOptional(writer, "firCount", FirCount);
        WriteOptional(writer, "remoteId", RemoteId);
    }
}
