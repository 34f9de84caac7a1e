namespace RtcStack.NetSim.Tcp;

/// <summary>Model TCP segment or ACK (carried as <see cref="SimPacket.Tag"/>).</summary>
/// <param name="Sequence">Segment number (data) or next expected segment (ACK).</param>
/// <param name="IsAck">True for ACKs.</param>
public sealed record TcpSegment(long Sequence, bool IsAck);
