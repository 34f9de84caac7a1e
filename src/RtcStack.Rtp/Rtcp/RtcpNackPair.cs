namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// One generic NACK FCI entry (RFC 4585 §6.2.1): a lost packet ID (PID) and a bitmask of the
/// following 16 packets also lost (BLP; bit i set means PID + i + 1 is lost).
/// </summary>
/// <param name="PacketId">PID: sequence number of a lost packet.</param>
/// <param name="LostBitmask">BLP: bitmask of following lost packets.</param>
public readonly record struct RtcpNackPair(ushort PacketId, ushort LostBitmask);
