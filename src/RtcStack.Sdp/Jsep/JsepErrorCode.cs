namespace RtcStack.Sdp.Jsep;

/// <summary>
/// Why an offer cannot be answered, or an answer cannot be applied, by the JSEP session of RtcStack.WebRtc
/// (RtcStack.WebRtc.Jsep.JsepSession).
/// </summary>
public enum JsepErrorCode
{
    /// <summary>A media section uses a transport other than DTLS-SRTP (for example RTP/AVP); RFC 8827 §6.5 requires DTLS-SRTP.</summary>
    UnsupportedProtocol,

    /// <summary>None of the offered (or answered) payload types of a section is a codec we have (RFC 3264 §6.1).</summary>
    NoCommonCodec,

    /// <summary>No "a=fingerprint" at media or session level (RFC 8122 §5; RFC 8827 §6.5).</summary>
    NoFingerprint,

    /// <summary>No "a=ice-ufrag"/"a=ice-pwd" at media or session level (RFC 8839 §5.4).</summary>
    NoIceCredentials,

    /// <summary>ICE credentials shorter than RFC 8839 §5.4 allows (ufrag 4, password 22 characters).</summary>
    InvalidIceCredentials,

    /// <summary>The description lacks "a=rtcp-mux"; this endpoint only multiplexes RTP and RTCP (RFC 8829 rtcpMuxPolicy "require", RFC 5761).</summary>
    RtcpMuxRequired,

    /// <summary>"a=setup" has a value the other side may not use here (holdconn, or actpass in an answer; RFC 8842 §5).</summary>
    InvalidSetup,

    /// <summary>The answer does not have one m= section per offered m= section, in order (RFC 3264 §6).</summary>
    MediaCountMismatch,

    /// <summary>An answer's m= section has another media type or mid than the offered section at its index (RFC 3264 §6, RFC 5888 §9.1).</summary>
    MidMismatch,

    /// <summary>The call is not allowed in the current signaling state (RFC 8829 §3.2, W3C WebRTC §4.3.1: e.g. an answer in "stable").</summary>
    InvalidState,

    /// <summary>A rollback with no pending offer of that side to roll back (RFC 8829 §4.1.10.2).</summary>
    InvalidRollback,

    /// <summary>A subsequent description has fewer m= sections than the current one; m= sections are never removed (RFC 3264 §8, RFC 8829 §5.7).</summary>
    MediaSectionRemoved,

    /// <summary>An m= section changed media type while it kept its mid, or without having been rejected first (RFC 8829 §5.10: only a recycled m= section may change).</summary>
    KindMismatch,

    /// <summary>A mid is missing, appears twice, or a recycled m= section reuses a mid already used in the session (RFC 5888 §4, RFC 8829 §5.2.2).</summary>
    InvalidMid,

    /// <summary>The BUNDLE groups are inconsistent: the answer's group names a mid the offer did not bundle, a bundled section is rejected, or the tagged section carries no transport (RFC 8843 §7.3, §7.3.3).</summary>
    BundleMismatch,

    /// <summary>SetLocalDescription was given a description whose m= sections are not those of the last offer or answer created (RFC 8829 §5.4).</summary>
    DescriptionMismatch,

    /// <summary>The m= section's media type is one this endpoint does not handle (RFC 3264 §6: rejected with port 0).</summary>
    UnsupportedMedia,

    /// <summary>The m= section belongs to a transceiver that was stopped (RFC 8829 §4.2.8, §5.3.1: answered with port 0).</summary>
    TransceiverStopped,

    /// <summary>The description is not SDP the parser accepts (RFC 8866 §5; the message names the line).</summary>
    InvalidSdp,

    /// <summary>
    /// An "a=fingerprint" of a hash function DTLS knows has the wrong length, or none of them uses a hash function DTLS
    /// can check the certificate with (RFC 8122 §5; RFC 8827 §6.5).
    /// </summary>
    InvalidFingerprint,
}
