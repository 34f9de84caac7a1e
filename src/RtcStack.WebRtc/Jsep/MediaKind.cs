namespace RtcStack.WebRtc.Jsep;

/// <summary>The media type of an m= section (RFC 8866 §5.14) that a <see cref="JsepSession"/> handles.</summary>
public enum MediaKind
{
    /// <summary>"m=audio": RTP audio.</summary>
    Audio,

    /// <summary>"m=video": RTP video.</summary>
    Video,

    /// <summary>"m=application" with "UDP/DTLS/SCTP webrtc-datachannel" (RFC 8841): the data channel section.</summary>
    Application,
}
