namespace RtcStack.Sdp.Jsep;

/// <summary>
/// The outcome of an audio offer/answer exchange: what the RTP, SRTP, DTLS and ICE layers need to
/// start. Produced both when we answer an offer and when we apply an answer to our offer.
/// </summary>
public sealed record NegotiatedAudio
{
    /// <summary>Gets the index of the audio m= section in the descriptions.</summary>
    public required int MediaIndex { get; init; }

    /// <summary>Gets the section's mid (RFC 5888 §4), or null when the offer had none.</summary>
    public required string? Mid { get; init; }

    /// <summary>Gets the negotiated Opus payload type (the offerer's number, RFC 3264 §6.1).</summary>
    public required int PayloadType { get; init; }

    /// <summary>Gets the RTP clock rate, always 48000 for Opus (RFC 7587 §4.1).</summary>
    public int ClockRate { get; init; } = 48000;

    /// <summary>Gets the channel count in the rtpmap, always 2 for Opus (RFC 7587 §7).</summary>
    public int Channels { get; init; } = 2;

    /// <summary>Gets the peer's Opus fmtp parameters (RFC 7587 §7), or an empty list.</summary>
    public required IReadOnlyList<FormatParameter> RemoteOpusParameters { get; init; }

    /// <summary>Gets the negotiated header extensions with the ids both sides use (RFC 8285 §6).</summary>
    public required IReadOnlyList<ExtMap> HeaderExtensions { get; init; }

    /// <summary>Gets the negotiated RTCP feedback for the Opus payload type (RFC 4585 §4.2).</summary>
    public required IReadOnlyList<RtcpFeedback> RtcpFeedback { get; init; }

    /// <summary>Gets a value indicating whether RTP and RTCP share the transport; always true, it is required (RFC 5761, RFC 8858).</summary>
    public bool RtcpMux { get; init; } = true;

    /// <summary>Gets a value indicating whether reduced-size RTCP was negotiated (RFC 5506 §5).</summary>
    public required bool RtcpReducedSize { get; init; }

    /// <summary>Gets a value indicating whether one- and two-byte header extensions may be mixed (RFC 8285 §6).</summary>
    public required bool ExtMapAllowMixed { get; init; }

    /// <summary>Gets our media direction after negotiation (RFC 3264 §6.1).</summary>
    public required MediaDirection LocalDirection { get; init; }

    /// <summary>
    /// Gets our DTLS role as a setup value: <see cref="SetupRole.Active"/> means we are the DTLS client,
    /// <see cref="SetupRole.Passive"/> the server (RFC 8842 §5, RFC 5763 §5).
    /// </summary>
    public required SetupRole LocalSetup { get; init; }

    /// <summary>Gets the peer's ICE and DTLS parameters.</summary>
    public required RemoteTransport Remote { get; init; }

    /// <summary>Gets the peer's "a=msid" for this section (RFC 8830 §2), or null.</summary>
    public required Msid? RemoteMsid { get; init; }

    /// <summary>Gets the RTP sources the peer announced (RFC 5576), in order.</summary>
    public required IReadOnlyList<RemoteSource> RemoteSources { get; init; }

    /// <summary>Gets the mids of the answer's BUNDLE group containing the audio section, or an empty list (RFC 8843).</summary>
    public required IReadOnlyList<string> BundleMids { get; init; }
}
