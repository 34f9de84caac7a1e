using System.Text.Json;

namespace RtcStack.WebRtc;

/// <summary>webrtc-stats §8.17 RTCTransportStats: the ICE + DTLS transport, plus RtcStack's RTCP and SRTP counters.</summary>
public sealed record RtcTransportStats : RtcStats
{
    /// <inheritdoc/>
    public override string Type => "transport";

    /// <summary>Gets packetsSent: datagrams sent (DTLS, SRTP, SRTCP).</summary>
    public required long PacketsSent { get; init; }

    /// <summary>Gets packetsReceived: datagrams received (DTLS, SRTP, SRTCP).</summary>
    public required long PacketsReceived { get; init; }

    /// <summary>Gets bytesSent: bytes sent.</summary>
    public required long BytesSent { get; init; }

    /// <summary>Gets bytesReceived: bytes received.</summary>
    public required long BytesReceived { get; init; }

    /// <summary>Gets iceRole: controlling or controlled.</summary>
    public required string IceRole { get; init; }

    /// <summary>Gets iceLocalUsernameFragment: our current ufrag.</summary>
    public required string IceLocalUsernameFragment { get; init; }

    /// <summary>Gets iceState: RTCIceTransportState.</summary>
    public required string IceState { get; init; }

    /// <summary>Gets dtlsState: RTCDtlsTransportState.</summary>
    public required string DtlsState { get; init; }

    /// <summary>Gets dtlsRole: client or server.</summary>
    public string? DtlsRole { get; init; }

    /// <summary>Gets selectedCandidatePairId: the candidate-pair entry.</summary>
    public string? SelectedCandidatePairId { get; init; }

    /// <summary>Gets tlsVersion: "FEFC" for DTLS 1.3, "FEFD" for DTLS 1.2, as browsers write it.</summary>
    public string? TlsVersion { get; init; }

    /// <summary>Gets tlsGroup: the IANA TLS Supported Groups name of the key exchange group (e.g. "X25519MLKEM768").</summary>
    public string? TlsGroup { get; init; }

    /// <summary>Gets dtlsCipher: IANA name of the DTLS cipher suite.</summary>
    public string? DtlsCipher { get; init; }

    /// <summary>Gets srtpCipher: RFC 5764 / RFC 7714 name of the SRTP profile.</summary>
    public string? SrtpCipher { get; init; }

    /// <summary>Gets srtpAuthenticationFailures: SRTP packets that failed authentication (RtcStack extra).</summary>
    public required long SrtpAuthenticationFailures { get; init; }

    /// <summary>Gets srtpReplays: SRTP packets dropped as replayed or too old (RtcStack extra).</summary>
    public required long SrtpReplays { get; init; }

    /// <summary>Gets how many remote candidates the ICE agent holds (signalled and peer-reflexive; RtcStack extra).</summary>
    public long IceRemoteCandidates { get; init; }

    /// <summary>Gets how many candidate pairs the ICE agent's check list holds (RtcStack extra).</summary>
    public long IceCandidatePairs { get; init; }

    /// <summary>Gets srtcpFailures: SRTCP packets that failed to unprotect (RtcStack extra).</summary>
    public required long SrtcpFailures { get; init; }

    /// <summary>Gets how many SRTCP packets were dropped as replays or too old for the replay window (RFC 3711 §3.4, §3.3.2).</summary>
    public long SrtcpReplays { get; init; }

    /// <summary>Gets rtcpPacketsSent: compound or reduced-size RTCP packets sent (RtcStack extra).</summary>
    public required long RtcpPacketsSent { get; init; }

    /// <summary>Gets rtcpPacketsReceived: RTCP packets received (RtcStack extra).</summary>
    public required long RtcpPacketsReceived { get; init; }

    /// <summary>Gets senderReportsSent: SRs sent (RtcStack extra).</summary>
    public required long SenderReportsSent { get; init; }

    /// <summary>Gets receiverReportsSent: RRs sent (RtcStack extra).</summary>
    public required long ReceiverReportsSent { get; init; }

    /// <summary>Gets senderReportsReceived: SRs received (RtcStack extra).</summary>
    public required long SenderReportsReceived { get; init; }

    /// <summary>Gets receiverReportsReceived: RRs received (RtcStack extra).</summary>
    public required long ReceiverReportsReceived { get; init; }

    /// <summary>Gets transportFeedbackSent: TWCC feedback packets sent (RtcStack extra).</summary>
    public required long TransportFeedbackSent { get; init; }

    /// <summary>Gets transportFeedbackReceived: TWCC feedback packets received (RtcStack extra).</summary>
    public required long TransportFeedbackReceived { get; init; }

    /// <summary>Gets nacksSent: generic NACK packets sent (RtcStack extra).</summary>
    public required long NacksSent { get; init; }

    /// <summary>Gets xrReceived: XR packets received (RtcStack extra).</summary>
    public required long XrReceived { get; init; }

    /// <summary>Gets goodbyesReceived: BYE packets received (RtcStack extra).</summary>
    public required long GoodbyesReceived { get; init; }

    /// <summary>Gets mediaQueueOverflows: received frames dropped because nobody polled them (RtcStack extra).</summary>
    public required long MediaQueueOverflows { get; init; }

    /// <inheritdoc/>
    protected override void WriteMembers(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("packetsSent", PacketsSent);
        writer.WriteNumber("packetsReceived", PacketsReceived);
        writer.WriteNumber("bytesSent", BytesSent);
        writer.WriteNumber("bytesReceived", BytesReceived);
        writer.WriteString("iceRole", IceRole);
        writer.WriteString("iceLocalUsernameFragment", IceLocalUsernameFragment);
        writer.WriteString("iceState", IceState);
        writer.WriteString("dtlsState", DtlsState);
        WriteOptional(writer, "dtlsRole", DtlsRole);
        WriteOptional(writer, "selectedCandidatePairId", SelectedCandidatePairId);
        WriteOptional(writer, "tlsVersion", TlsVersion);
        WriteOptional(writer, "tlsGroup", TlsGroup);
        WriteOptional(writer, "dtlsCipher", DtlsCipher);
        WriteOptional(writer, "srtpCipher", SrtpCipher);
        writer.WriteNumber("srtpAuthenticationFailures", SrtpAuthenticationFailures);
        writer.WriteNumber("srtpReplays", SrtpReplays);
        writer.WriteNumber("srtcpFailures", SrtcpFailures);
        writer.WriteNumber("srtcpReplays", SrtcpReplays);
        writer.WriteNumber("iceRemoteCandidates", IceRemoteCandidates);
        writer.WriteNumber("iceCandidatePairs", IceCandidatePairs);
        writer.WriteNumber("rtcpPacketsSent", RtcpPacketsSent);
        writer.WriteNumber("rtcpPacketsReceived", RtcpPacketsReceived);
        writer.WriteNumber("senderReportsSent", SenderReportsSent);
        writer.WriteNumber("receiverReportsSent", ReceiverReportsSent);
        writer.WriteNumber("senderReportsReceived", SenderReportsReceived);
        writer.WriteNumber("receiverReportsReceived", ReceiverReportsReceived);
        writer.WriteNumber("transportFeedbackSent", TransportFeedbackSent);
        writer.WriteNumber("transportFeedbackReceived", TransportFeedbackReceived);
        writer.WriteNumber("nacksSent", NacksSent);
        writer.WriteNumber("xrReceived", XrReceived);
        writer.WriteNumber("goodbyesReceived", GoodbyesReceived);
        writer.WriteNumber("mediaQueueOverflows", MediaQueueOverflows);
    }
}
