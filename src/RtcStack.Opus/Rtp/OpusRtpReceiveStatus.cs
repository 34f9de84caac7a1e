namespace RtcStack.Opus;

/// <summary>What <see cref="OpusRtpDepacketizer"/> made of one received payload.</summary>
public enum OpusRtpReceiveStatus
{
    /// <summary>A new payload holding one valid Opus packet: give it to the decoder.</summary>
    Accepted = 0,

    /// <summary>The payload is not a valid Opus packet (RFC 6716 §3.4); drop it (RFC 7587 §4.2 requires exactly one Opus packet).</summary>
    Malformed,

    /// <summary>A sequence number already received; RFC 7587 §4.1: the receiver MUST discard duplicates.</summary>
    Duplicate,

    /// <summary>Older than the newest payload (reordered); valid, but its time has already been concealed by a decoder that does not wait.</summary>
    Late,
}
