namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// What transport-wide feedback says about one packet: whether it arrived and, if so, when.
/// Produced one at a time by <see cref="TransportWideFeedback.GetEnumerator"/> without allocating.
/// </summary>
/// <param name="SequenceNumber">Transport-wide sequence number of the packet.</param>
/// <param name="Status">The status symbol.</param>
/// <param name="Delta">Receive delta from the previous received packet (or the reference time) in 250 µs units; 0 when not received.</param>
/// <param name="ArrivalTime">
/// Arrival time in the feedback sender's clock: reference time × 64 ms plus the deltas so far.
/// Only meaningful when <see cref="Received"/>; for a lost packet it repeats the previous arrival.
/// </param>
public readonly record struct TransportWidePacketReport(ushort SequenceNumber, TransportWidePacketStatus Status, int Delta, TimeSpan ArrivalTime)
{
    /// <summary>Gets a value indicating whether the packet arrived.</summary>
    public bool Received => Status != TransportWidePacketStatus.NotReceived;
}
