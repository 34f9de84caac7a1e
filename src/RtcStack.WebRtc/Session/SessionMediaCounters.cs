using RtcStack.Sdp;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Streams;

namespace RtcStack.WebRtc;

/// <summary>What the media path of a <see cref="WebRtcSession"/> refused or dropped, by reason (the transport counts its own drops).</summary>
public sealed class SessionMediaCounters
{
    /// <summary>Gets plaintext RTP that did not parse (RFC 3550 §5.1).</summary>
    public long MalformedRtp { get; internal set; }

    /// <summary>Gets RTP no section took: unknown MID, SSRC and payload type (RFC 8843 §9.2).</summary>
    public long UnroutedRtp { get; internal set; }

    /// <summary>Gets RTP with a payload type its section did not negotiate.</summary>
    public long UnknownPayloadType { get; internal set; }

    /// <summary>Gets plaintext RTCP that did not parse as a compound packet (RFC 3550 §6.1).</summary>
    public long MalformedRtcp { get; internal set; }

    /// <summary>Gets received frames dropped because the application did not poll them in time.</summary>
    public long MediaQueueOverflows { get; internal set; }

    /// <summary>Gets video frames the packetizer refused.</summary>
    public long VideoFramesRefused { get; internal set; }

    /// <summary>Gets packets that did not fit a datagram.</summary>
    public long SendTooLarge { get; internal set; }

    /// <summary>Gets packets the transport could not send (no pair, not connected).</summary>
    public long SendFailed { get; internal set; }

    /// <summary>Gets sections removed by a renegotiation.</summary>
    public long SectionsRemoved { get; internal set; }

    /// <summary>Gets RED payloads (RFC 2198 §3) that did not parse.</summary>
    public long MalformedRed { get; internal set; }

    /// <summary>Gets valid RED payloads received (RFC 2198), on every audio stream.</summary>
    public long RedPayloadsReceived { get; internal set; }

    /// <summary>Gets valid RED payloads received that carried no redundant block (only the primary).</summary>
    public long RedPayloadsWithoutRedundancy { get; internal set; }

    /// <summary>Gets lost audio payloads recovered from the redundant blocks of later RED packets (RFC 2198 §4).</summary>
    public long RedRecoveredFrames { get; internal set; }

    /// <summary>Gets telephone-event payloads (RFC 4733 §2.3) shorter than 4 bytes.</summary>
    public long MalformedTelephoneEvents { get; internal set; }

    /// <summary>Gets packets handed to <see cref="WebRtcSession.SendRtp"/> that it refused: not RTP, a payload type the section does not send, or the pacer full.</summary>
    public long ForwardedPacketsRefused { get; internal set; }
}

/// <summary>A negotiated media section of a <see cref="WebRtcSession"/> and its streams' statistics.</summary>
/// <param name="Mid">The mid.</param>
/// <param name="Kind">Audio or video.</param>
/// <param name="Direction">The negotiated direction from our side.</param>
/// <param name="SendCodec">The codec we send, if we send.</param>
/// <param name="Outbound">Our send stream's statistics.</param>
/// <param name="RemoteInbound">What the peer's reports say about our send stream.</param>
/// <param name="Inbound">Each remote stream's statistics.</param>
public sealed record MediaSectionInfo(
    string Mid,
    MediaKind Kind,
    MediaDirection Direction,
    NegotiatedCodec? SendCodec,
    SendStreamStats? Outbound,
    RemoteInboundStats? RemoteInbound,
    IReadOnlyList<ReceiveStreamStats> Inbound);
