namespace RtcStack.Sdp.Jsep;

/// <summary>Why an offer cannot be answered, or an answer cannot be applied, by <see cref="AudioJsep"/>.</summary>
public enum JsepErrorCode
{
    /// <summary>The offer has no audio m= section we could use.</summary>
    NoAudioSection,

    /// <summary>The audio sections use only transports other than DTLS-SRTP (for example RTP/AVP); RFC 8827 §6.5 requires DTLS-SRTP.</summary>
    UnsupportedProtocol,

    /// <summary>No Opus at 48000/2 among the offered (or answered) payload types (RFC 7587 §7).</summary>
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

    /// <summary>We would have to reject the m= section the offer's BUNDLE group is tagged with (its first mid), which RFC 8843 §7.3.3 forbids.</summary>
    BundleTagRejected,

    /// <summary>The answer does not have one m= section per offered m= section, in order (RFC 3264 §6).</summary>
    MediaCountMismatch,

    /// <summary>The answer's m= section at our audio section's index has another media type or mid (RFC 3264 §6, RFC 5888 §9.1).</summary>
    MidMismatch,

    /// <summary>The answer rejected our audio section (port 0, RFC 3264 §6).</summary>
    AudioRejected,
}
