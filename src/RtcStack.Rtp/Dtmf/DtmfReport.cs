namespace RtcStack.Rtp.Dtmf;

/// <summary>An event as <see cref="TelephoneEventReceiver"/> reports it.</summary>
/// <param name="Kind">Started or ended.</param>
/// <param name="Event">The event code.</param>
/// <param name="Timestamp">The event's RTP timestamp (its start; the first segment's for a long event).</param>
/// <param name="Duration">The duration in timestamp units: so far for Started, total for Ended (all segments of a long event).</param>
/// <param name="Volume">The last reported volume, 0 to 63 (−dBm0).</param>
/// <param name="EndReceived">For Ended: whether a report with the E bit arrived (false when the event was ended by a newer one or by Flush).</param>
public readonly record struct DtmfReport(DtmfReportKind Kind, byte Event, uint Timestamp, long Duration, byte Volume, bool EndReceived)
{
    /// <summary>Gets the DTMF character for the event, or null for events other than 0–15.</summary>
    public char? Digit => DtmfDigits.ToDigit(Event);
}
