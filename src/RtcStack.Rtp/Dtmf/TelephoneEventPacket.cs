namespace RtcStack.Rtp.Dtmf;

/// <summary>
/// One packet <see cref="TelephoneEventSender"/> wants sent: RTP header values (the sequence number
/// is the caller's, one per packet, retransmissions included, RFC 4733 §2.5.1.2) and the report.
/// </summary>
/// <param name="Timestamp">The RTP timestamp: the start of the event (or of this segment of a long one), the same in every packet for it (§2.5.1.2).</param>
/// <param name="Marker">The marker bit: set on the first packet of an event only (§2.5.1.2).</param>
/// <param name="Event">The report to put in the payload.</param>
/// <param name="SendAt">When to send it, in timestamp units after the event began (updates every interval; retransmissions of the final report one interval apart).</param>
public readonly record struct TelephoneEventPacket(uint Timestamp, bool Marker, TelephoneEvent Event, long SendAt);
