namespace RtcStack.Congestion;

/// <summary>A sent packet matched with its feedback entry: what every estimator consumes.</summary>
/// <param name="Sent">The packet as it was sent.</param>
/// <param name="ArrivalTime">Receiver clock at arrival (valid only when <paramref name="Received"/>).</param>
/// <param name="Received">False when the feedback reported the packet lost.</param>
/// <param name="EcnCe">True when the packet arrived ECN-CE marked.</param>
public readonly record struct PacketResult(SentPacket Sent, TimeSpan ArrivalTime, bool Received, bool EcnCe);
