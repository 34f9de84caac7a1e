namespace RtcStack.WebRtc.Streams;

/// <summary>What <see cref="RtxPacket.TryWrap"/> or <see cref="RtxPacket.TryUnwrap"/> did with a packet.</summary>
public enum RtxStatus
{
    /// <summary>The packet was written.</summary>
    Ok,

    /// <summary>The input is not a valid RTP packet (RFC 3550 §5.1: version, lengths, padding count).</summary>
    Malformed,

    /// <summary>An RTX packet whose payload is one byte: too short to hold the two-byte original sequence number (RFC 4588 §4).</summary>
    TooShort,

    /// <summary>
    /// An RTX packet with an empty payload: padding sent on the RTX stream to probe bandwidth, not a retransmission
    /// (RFC 4588 §4 requires the OSN in every retransmission; senders send payload-less RTX packets with only padding).
    /// Nothing is written.
    /// </summary>
    PaddingOnly,

    /// <summary>The destination is too small for the result.</summary>
    DestinationTooSmall,

    /// <summary>A payload type outside 0-127 was given.</summary>
    InvalidPayloadType,
}
