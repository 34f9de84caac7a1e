namespace RtcStack.Opus;

/// <summary>A received Opus RTP payload, checked and annotated by <see cref="OpusRtpDepacketizer"/>.</summary>
/// <param name="Status">Whether to decode it.</param>
/// <param name="Timestamp">The RTP timestamp (48 kHz, RFC 7587 §4.1).</param>
/// <param name="ExtendedSequenceNumber">The sequence number unwrapped to 64 bits.</param>
/// <param name="Info">The packet summary (duration, DTX, LBRR); default unless the payload is a valid packet.</param>
/// <param name="LostPackets">Sequence numbers skipped since the previous newest payload (lost or still in flight).</param>
/// <param name="MissingSamples">48 kHz samples between the end of the previous newest payload and this one: to be concealed or recovered.</param>
/// <param name="IsDtxGap">The timestamps jump but no sequence number is missing: the sender stopped during silence (DTX), not loss (RFC 7587 §3.1.3).</param>
public readonly record struct OpusRtpReceivedPacket(
    OpusRtpReceiveStatus Status,
    uint Timestamp,
    long ExtendedSequenceNumber,
    OpusPacketInfo Info,
    long LostPackets,
    long MissingSamples,
    bool IsDtxGap)
{
    /// <summary>
    /// Gets a value indicating whether the decoder should recover the gap just before this packet from
    /// this packet's in-band FEC (one packet lost, and this packet carries LBRR data, RFC 7587 §3.3),
    /// calling <see cref="OpusDecoder.DecodeFec(ReadOnlySpan{byte}, Span{short})"/> for the missing
    /// time before decoding this packet.
    /// </summary>
    public bool CanRecoverWithFec => Status == OpusRtpReceiveStatus.Accepted && LostPackets == 1 && !IsDtxGap && MissingSamples > 0 && Info.FirstFrame.HasLbrr;
}
