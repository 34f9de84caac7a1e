using RtcStack.Opus;

namespace RtcStack.WebRtc;

/// <summary>
/// One received RTP payload after SRTP, RTP parsing and the RFC 7587 checks (<see cref="OpusRtpDepacketizer"/>),
/// with its timing and what was lost before it. The payload bytes are copied into the caller's buffer by
/// <see cref="PeerSession.TryPollMedia"/>.
/// </summary>
/// <param name="Ssrc">The RTP source.</param>
/// <param name="PayloadType">The RTP payload type.</param>
/// <param name="ExtendedSequenceNumber">The sequence number unwrapped to 64 bits (RFC 3550 A.1).</param>
/// <param name="RtpTimestamp">The RTP timestamp (48 kHz for Opus, RFC 7587 §4.1).</param>
/// <param name="Marker">The RTP marker bit (start of a talkspurt for audio, RFC 3551 §4.1).</param>
/// <param name="ArrivalTime">The session time the datagram arrived.</param>
/// <param name="PayloadLength">The number of payload bytes copied to the caller's buffer.</param>
/// <param name="Status">Accepted (decode it), Late (reordered or retransmitted), Duplicate or Malformed (RFC 7587 §4.1-4.2).</param>
/// <param name="LostPackets">Sequence numbers skipped since the previous newest packet (lost or still in flight).</param>
/// <param name="MissingSamples">48 kHz samples between the end of the previous packet and this one: to conceal or recover with FEC.</param>
/// <param name="IsDtxGap">The timestamps jump without missing sequence numbers: the sender paused (DTX, RFC 7587 §3.1.3).</param>
/// <param name="CanRecoverWithFec">One packet was lost and this one carries in-band FEC for it (RFC 7587 §3.3).</param>
/// <param name="SampleCount">48 kHz samples in this packet.</param>
/// <param name="AudioLevel">The RFC 6464 audio level (0 to 127, -dBov), or -1 when the packet carried none.</param>
/// <param name="VoiceActivity">The RFC 6464 voice-activity flag.</param>
/// <param name="IsRetransmission">The packet arrived after a NACK we sent for it (RFC 4585 §6.2.1).</param>
public readonly record struct ReceivedMediaFrame(
    uint Ssrc,
    int PayloadType,
    long ExtendedSequenceNumber,
    uint RtpTimestamp,
    bool Marker,
    TimeSpan ArrivalTime,
    int PayloadLength,
    OpusRtpReceiveStatus Status,
    long LostPackets,
    long MissingSamples,
    bool IsDtxGap,
    bool CanRecoverWithFec,
    int SampleCount,
    int AudioLevel,
    bool VoiceActivity,
    bool IsRetransmission);
