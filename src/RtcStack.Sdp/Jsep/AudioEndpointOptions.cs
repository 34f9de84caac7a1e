namespace RtcStack.Sdp.Jsep;

/// <summary>
/// What an audio-only WebRTC endpoint puts in its offers and answers (RFC 8829 §5.2.1, §5.3.1):
/// its ICE credentials and candidates, DTLS fingerprints, the Opus payload type and parameters,
/// the RTP header extensions and RTCP feedback it supports, and its send stream. Plain data: the
/// WebRTC session fills it from its ICE agent, DTLS certificate and RTP sender.
/// </summary>
public sealed record AudioEndpointOptions
{
    /// <summary>Gets the local ICE username fragment: 4-256 ice-chars (RFC 8839 §5.4).</summary>
    public required string IceUfrag { get; init; }

    /// <summary>Gets the local ICE password: 22-256 ice-chars (RFC 8839 §5.4).</summary>
    public required string IcePwd { get; init; }

    /// <summary>Gets the fingerprints of the local DTLS certificate (RFC 8122 §5; RFC 8827 requires at least one).</summary>
    public required IReadOnlyList<SdpFingerprint> Fingerprints { get; init; }

    /// <summary>Gets the SSRC of the audio stream we send (RFC 5576 §4.1).</summary>
    public required uint Ssrc { get; init; }

    /// <summary>Gets the RTCP CNAME of our stream (RFC 3550 §6.5.1, RFC 7022), written as "a=ssrc:&lt;ssrc&gt; cname:".</summary>
    public required string CName { get; init; }

    /// <summary>Gets the MediaStream id for "a=msid" (RFC 8830 §2), or null to write no msid.</summary>
    public string? StreamId { get; init; }

    /// <summary>Gets the track id for "a=msid" (RFC 8830 §2), or null.</summary>
    public string? TrackId { get; init; }

    /// <summary>Gets the o= session id; JSEP keeps it below 2^63 (RFC 8829 §5.2.1).</summary>
    public ulong SessionId { get; init; } = 1;

    /// <summary>Gets the o= session version (RFC 8829 §5.2.1: increment for each new description).</summary>
    public ulong SessionVersion { get; init; } = 2;

    /// <summary>Gets the mid of the audio section in an offer ("0" like browsers). An answer mirrors the offer's mid.</summary>
    public string Mid { get; init; } = "0";

    /// <summary>Gets the direction we want; an answer limits it to what the offer allows (RFC 3264 §6.1).</summary>
    public MediaDirection Direction { get; init; } = MediaDirection.SendRecv;

    /// <summary>Gets the Opus payload type we offer (browsers: Chromium 111, Firefox 109). An answer uses the offer's.</summary>
    public int OpusPayloadType { get; init; } = 111;

    /// <summary>Gets our Opus fmtp parameters (RFC 7587 §7), written as "a=fmtp:&lt;pt&gt; minptime=10;useinbandfec=1".</summary>
    public IReadOnlyList<FormatParameter> OpusParameters { get; init; } =
        [new FormatParameter("minptime", "10"), new FormatParameter("useinbandfec", "1")];

    /// <summary>
    /// Gets the RTP header extension URIs we support, in order. An offer numbers them 1, 2, ...; an answer keeps
    /// the offered ids of those it shares with the offer (RFC 8285 §6).
    /// </summary>
    public IReadOnlyList<string> HeaderExtensions { get; init; } =
        [ExtMap.AudioLevelUri, ExtMap.AbsSendTimeUri, ExtMap.TransportWideCcUri, ExtMap.MidUri];

    /// <summary>Gets the RTCP feedback we support for Opus, as "type" or "type parameter" (RFC 4585 §4.2), e.g. "transport-cc", "nack".</summary>
    public IReadOnlyList<string> RtcpFeedback { get; init; } = ["transport-cc"];

    /// <summary>Gets a value indicating whether we offer and accept reduced-size RTCP (RFC 5506).</summary>
    public bool RtcpReducedSize { get; init; } = true;

    /// <summary>Gets a value indicating whether our offer says "a=rtcp-mux-only" (RFC 8858 §4.1; like rtcpMuxPolicy "require").</summary>
    public bool RtcpMuxOnly { get; init; }

    /// <summary>Gets a value indicating whether we write and accept "a=extmap-allow-mixed" (RFC 8285 §6).</summary>
    public bool ExtMapAllowMixed { get; init; } = true;

    /// <summary>Gets a value indicating whether we are an ICE lite agent ("a=ice-lite", RFC 8839 §5.3).</summary>
    public bool IceLite { get; init; }

    /// <summary>Gets the ICE options tags ("a=ice-options", RFC 8839 §5.6); browsers write "trickle".</summary>
    public IReadOnlyList<string> IceOptions { get; init; } = ["trickle"];

    /// <summary>Gets the local candidates, each the value of an "a=candidate" line as the ICE library formats it (RFC 8839 §5.1).</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>Gets a value indicating whether gathering is complete ("a=end-of-candidates", RFC 8840 §8.2).</summary>
    public bool EndOfCandidates { get; init; }

    /// <summary>Gets the address for the m= section's c= line: the default candidate's, or null for "IN IP4 0.0.0.0" (RFC 8829 §5.2.1).</summary>
    public string? DefaultAddress { get; init; }

    /// <summary>Gets the m= port: the default candidate's, or 9 (the discard port JSEP uses before gathering, RFC 8829 §5.2.1).</summary>
    public int DefaultPort { get; init; } = 9;

    /// <summary>Gets the role we take when an offer says actpass: RFC 8829 §5.3.1 says the answerer SHOULD use "active" (DTLS client).</summary>
    public SetupRole AnswerSetup { get; init; } = SetupRole.Active;
}
