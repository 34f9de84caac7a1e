using RtcStack.Sdp;

namespace RtcStack.WebRtc.Jsep;

/// <summary>
/// What a <see cref="JsepSession"/> offers and accepts: codecs and header extensions per media kind, the transport's
/// ICE credentials and certificate fingerprints, the DTLS role it prefers when answering, CNAME, the BUNDLE policy
/// and the random source for SSRCs, session id and track ids.
/// </summary>
public sealed class JsepOptions
{
    private static readonly string[] s_videoFeedback = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"];

    /// <summary>Gets the ICE username fragment of the transport (RFC 8839 §5.4: 4-256 ice-chars).</summary>
    public required string IceUfrag { get; init; }

    /// <summary>Gets the ICE password of the transport (RFC 8839 §5.4: 22-256 ice-chars).</summary>
    public required string IcePwd { get; init; }

    /// <summary>Gets the fingerprints of the transport's DTLS certificate (RFC 8122 §5; at least one, RFC 8827 §6.5).</summary>
    public required IReadOnlyList<SdpFingerprint> Fingerprints { get; init; }

    /// <summary>Gets the role written in answers to an "actpass" offer: active (the default, RFC 8842 §5.3 "SHOULD") or passive.</summary>
    public SetupRole AnswerSetup { get; init; } = SetupRole.Active;

    /// <summary>
    /// Gets the "a=setup" value written in our offers: actpass (the default, RFC 8842 §5.2), or active or passive when
    /// the offerer insists on being the DTLS client or server (RFC 8842 §5.2 allows it; browsers answer the opposite).
    /// </summary>
    public SetupRole OfferSetup { get; init; } = SetupRole.ActPass;

    /// <summary>Gets the "a=ice-options" values written (RFC 8839 §5.6).</summary>
    public IReadOnlyList<string> IceOptions { get; init; } = ["trickle"];

    /// <summary>Gets a value indicating whether we are an ICE lite endpoint ("a=ice-lite", RFC 8839 §5.3).</summary>
    public bool IceLite { get; init; }

    /// <summary>Gets the RTCP CNAME written in "a=ssrc" lines (RFC 7022); null draws one from the random source.</summary>
    public string? CName { get; init; }

    /// <summary>Gets the media stream id written in "a=msid" (RFC 8830 §2); null draws one from the random source.</summary>
    public string? StreamId { get; init; }

    /// <summary>
    /// Gets a value indicating whether the BUNDLE policy is max-bundle (RFC 8829 §4.1.1): in an initial offer every
    /// section after the first is "a=bundle-only" with port 0 (RFC 8843 §7.2). When false every section of an initial
    /// offer carries its own transport attributes (the "balanced" shape), still in one BUNDLE group.
    /// </summary>
    public bool MaxBundle { get; init; } = true;

    /// <summary>Gets a value indicating whether offers carry "a=rtcp-mux-only" (RFC 8858 §4: rtcpMuxPolicy "require").</summary>
    public bool RtcpMuxOnly { get; init; } = true;

    /// <summary>Gets a value indicating whether reduced-size RTCP is offered and accepted ("a=rtcp-rsize", RFC 5506 §5).</summary>
    public bool RtcpReducedSize { get; init; } = true;

    /// <summary>Gets a value indicating whether "a=extmap-allow-mixed" (RFC 8285 §6) is offered and accepted.</summary>
    public bool ExtMapAllowMixed { get; init; } = true;

    /// <summary>Gets the audio codecs, in preference order.</summary>
    public IReadOnlyList<CodecCapability> AudioCodecs { get; init; } = DefaultAudioCodecs;

    /// <summary>Gets the video codecs, in preference order.</summary>
    public IReadOnlyList<CodecCapability> VideoCodecs { get; init; } = DefaultVideoCodecs;

    /// <summary>Gets the header extensions offered and accepted.</summary>
    public IReadOnlyList<HeaderExtensionCapability> HeaderExtensions { get; init; } = DefaultHeaderExtensions;

    /// <summary>Gets the SCTP port of the data channel section ("a=sctp-port", RFC 8841 §5).</summary>
    public int SctpPort { get; init; } = 5000;

    /// <summary>Gets the largest message the data channel section accepts ("a=max-message-size", RFC 8841 §6).</summary>
    public long MaxMessageSize { get; init; } = 262144;

    /// <summary>Gets the random source for SSRCs, the session id, CNAME and track ids; null uses a cryptographic one.</summary>
    public Random? Random { get; init; }

    /// <summary>Gets the default audio codecs: Opus/48000/2 with minptime=10;useinbandfec=1 and transport-cc (RFC 7587 §7).</summary>
    public static IReadOnlyList<CodecCapability> DefaultAudioCodecs { get; } =
    [
        new("opus", 48000, 2)
        {
            Parameters = [new FormatParameter("minptime", "10"), new FormatParameter("useinbandfec", "1")],
            Feedback = ["transport-cc"],
            PreferredPayloadType = 111,
        },
    ];

    /// <summary>
    /// Gets RFC 2198 redundancy for Opus as Chromium offers it: <c>a=rtpmap:63 red/48000/2</c>. Its fmtp names the
    /// primary's payload type twice (<c>111/111</c>); the offer writes the number Opus has in the section, so the
    /// capability carries no parameters. Add it after Opus to <see cref="AudioCodecs"/> (it is not in the defaults):
    /// when both sides list it the session's audio senders wrap Opus in RED and its receivers recover lost primaries.
    /// </summary>
    public static CodecCapability OpusRed { get; } = new("red", 48000, 2) { PreferredPayloadType = 63 };

    /// <summary>Gets RFC 4733 telephone events at Opus's clock rate (<c>a=rtpmap:110 telephone-event/48000</c>, as Chromium offers it).</summary>
    public static CodecCapability TelephoneEvent48000 { get; } = new("telephone-event", 48000) { PreferredPayloadType = 110 };

    /// <summary>Gets RFC 4733 telephone events at 8 kHz (<c>a=rtpmap:126 telephone-event/8000</c>, as Chromium offers it).</summary>
    public static CodecCapability TelephoneEvent8000 { get; } = new("telephone-event", 8000) { PreferredPayloadType = 126 };

    /// <summary>
    /// Gets the default audio codecs followed by <see cref="OpusRed"/>, <see cref="TelephoneEvent48000"/> and
    /// <see cref="TelephoneEvent8000"/>: Chromium's audio section without G.722, G.711 and CN.
    /// </summary>
    public static IReadOnlyList<CodecCapability> AudioCodecsWithRedAndTelephoneEvents { get; } =
    [
        DefaultAudioCodecs[0],
        OpusRed,
        TelephoneEvent48000,
        TelephoneEvent8000,
    ];

    /// <summary>
    /// Gets the default video codecs: VP8 (RFC 7741), VP9 profile 0 (RFC 9628), H.264 constrained baseline and baseline
    /// at level 3.1 with packetization modes 1 and 0 and level-asymmetry-allowed=1 (RFC 6184 §8.1), and AV1 — each with
    /// nack, nack pli, ccm fir, goog-remb, transport-cc and RTX (RFC 4588).
    /// </summary>
    public static IReadOnlyList<CodecCapability> DefaultVideoCodecs { get; } =
    [
        Video("VP8", 96, 97, []),
        Video("VP9", 98, 99, [new FormatParameter("profile-id", "0")]),
        Video("H264", 102, 103, H264("42e01f", "1")),
        Video("H264", 104, 105, H264("42e01f", "0")),
        Video("H264", 106, 107, H264("42001f", "1")),
        Video("H264", 108, 109, H264("42001f", "0")),
        Video("AV1", 45, 46, []),
    ];

    /// <summary>
    /// Gets the default header extensions: audio level (RFC 6464), mid (RFC 8843 §15.1), abs-send-time, transport-wide
    /// cc; for video also rtp-stream-id and repaired-rtp-stream-id (RFC 8852 §4).
    /// </summary>
    public static IReadOnlyList<HeaderExtensionCapability> DefaultHeaderExtensions { get; } =
    [
        new(ExtMap.AudioLevelUri, MediaKind.Audio, 1),
        new(ExtMap.AbsSendTimeUri, MediaKind.Audio, 2),
        new(ExtMap.TransportWideCcUri, MediaKind.Audio, 3),
        new(ExtMap.MidUri, MediaKind.Audio, 4),
        new(ExtMap.AbsSendTimeUri, MediaKind.Video, 2),
        new(ExtMap.TransportWideCcUri, MediaKind.Video, 3),
        new(ExtMap.MidUri, MediaKind.Video, 4),
        new(RidUri, MediaKind.Video, 10),
        new(RepairedRidUri, MediaKind.Video, 11),
    ];

    /// <summary>The RtpStreamId extension URI (RFC 8852 §4.1).</summary>
    public const string RidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

    /// <summary>The RepairedRtpStreamId extension URI (RFC 8852 §4.2).</summary>
    public const string RepairedRidUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

    private static CodecCapability Video(string name, int pt, int rtxPt, IReadOnlyList<FormatParameter> parameters) =>
        new(name, 90000)
        {
            Parameters = parameters,
            Feedback = s_videoFeedback,
            Rtx = true,
            PreferredPayloadType = pt,
            PreferredRtxPayloadType = rtxPt,
        };

    private static FormatParameter[] H264(string profileLevelId, string packetizationMode) =>
    [
        new FormatParameter("level-asymmetry-allowed", "1"),
        new FormatParameter("packetization-mode", packetizationMode),
        new FormatParameter("profile-level-id", profileLevelId),
    ];
}
