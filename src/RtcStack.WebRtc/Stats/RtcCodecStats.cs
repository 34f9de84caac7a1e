using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.3 RTCCodecStats: the negotiated Opus codec.</summary>
public sealed record RtcCodecStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "codec";

    /// <summary>Gets payloadType: the RTP payload type.</summary>
    public required int PayloadType { get; init; }

    /// <summary>Gets transportId: the transport entry.</summary>
    public required string TransportId { get; init; }

    /// <summary>Gets mimeType: "audio/opus".</summary>
    public required string MimeType { get; init; }

    /// <summary>Gets clockRate: 48000 (RFC 7587 §4.1).</summary>
    public required int ClockRate { get; init; }

    /// <summary>Gets channels: audio only (2 for Opus, RFC 7587 §7); null for video, which browsers leave out.</summary>
    public int? Channels { get; init; }

    /// <summary>Gets sdpFmtpLine: the peer's a=fmtp parameters.</summary>
    public string? SdpFmtpLine { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("payloadType", PayloadType);
        writer.WriteString("transportId", TransportId);
        writer.WriteString("mimeType", MimeType);
        writer.WriteNumber("clockRate", ClockRate);
        WriteOptional(writer, "channels", Channels);
        WriteOptional(writer, "sdpFmtpLine", SdpFmtpLine);
    }
}
