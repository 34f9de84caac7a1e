namespace RtcStack.Congestion;

/// <summary>
/// Per-packet feedback as both TWCC (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) and RFC 8888 §3.1 carry it:
/// a transport-wide sequence number and either the arrival time on the receiver's clock or "lost".
/// </summary>
/// <param name="TransportSequenceNumber">Unwrapped (64-bit) transport-wide sequence number.</param>
/// <param name="ArrivalTime">Receiver clock at arrival; meaningless when <paramref name="Received"/> is false.</param>
/// <param name="Received">False when the report says the packet was not received.</param>
/// <param name="EcnCe">True when the packet arrived marked ECN-CE (RFC 8888 §3.1 ECN field).</param>
public readonly record struct PacketFeedback(long TransportSequenceNumber, TimeSpan ArrivalTime, bool Received, bool EcnCe = false)
{
    /// <summary>A report entry for a packet that arrived at <paramref name="arrivalTime"/>.</summary>
    public static PacketFeedback Arrived(long transportSequenceNumber, TimeSpan arrivalTime) => new(transportSequenceNumber, arrivalTime, true);

    /// <summary>A report entry for a packet the receiver reports as not received.</summary>
    public static PacketFeedback Lost(long transportSequenceNumber) => new(transportSequenceNumber, TimeSpan.Zero, false);
}
