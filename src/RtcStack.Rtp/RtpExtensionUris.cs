namespace RtcStack.Rtp;

/// <summary>The a=extmap URIs (RFC 8285 §5) of the header extensions this library has typed helpers for.</summary>
public static class RtpExtensionUris
{
    /// <summary>RFC 6464: client-to-mixer audio level (<see cref="AudioLevelExtension"/>).</summary>
    public const string SsrcAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>RFC 6465: mixer-to-client audio levels (<see cref="CsrcAudioLevelExtension"/>).</summary>
    public const string CsrcAudioLevel = "urn:ietf:params:rtp-hdrext:csrc-audio-level";

    /// <summary>webrtc.org absolute send time (<see cref="AbsSendTimeExtension"/>).</summary>
    public const string AbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>Transport-wide sequence number (<see cref="TransportSequenceNumberExtension"/>).</summary>
    public const string TransportWideSequenceNumber = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>RFC 9143 §15: the media identification (MID) of the stream (<see cref="SdesTextExtension"/>).</summary>
    public const string Mid = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>RFC 8852 §3.1: RtpStreamId (<see cref="SdesTextExtension"/>).</summary>
    public const string RtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

    /// <summary>RFC 8852 §3.2: RepairedRtpStreamId (<see cref="SdesTextExtension"/>).</summary>
    public const string RepairedRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
}
