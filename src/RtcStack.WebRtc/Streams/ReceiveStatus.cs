namespace RtcStack.WebRtc.Streams;

/// <summary>What <see cref="RtpReceiveStream"/> did with an RTP packet.</summary>
public enum ReceiveStatus
{
    /// <summary>A media packet, counted: give its payload to the depacketizer or frame buffer.</summary>
    Accepted,

    /// <summary>A packet already received (RFC 3550 A.1 duplicate): counted, its payload need not be used again.</summary>
    Duplicate,

    /// <summary>A padding-only packet (RFC 3550 §5.1; on the RTX SSRC, RFC 4588 probing): counted, no media.</summary>
    PaddingOnly,

    /// <summary>An RTX packet unwrapped into the original (RFC 4588 §4): use the repaired packet as media.</summary>
    Repaired,

    /// <summary>Not counted: RFC 3550 A.1 probation or the first packet after a very large jump.</summary>
    NotValidYet,

    /// <summary>Not a valid RTP packet, or an RTX payload too short for its OSN.</summary>
    Malformed,

    /// <summary>The packet's SSRC is not this stream's (nor its RTX SSRC).</summary>
    WrongSsrc,

    /// <summary>An RTX packet whose payload type has no negotiated <c>apt</c>.</summary>
    UnknownPayloadType,
}
