using RtcStack.Rtp.Capture;

namespace RtcStack.Cli.Pcap;

/// <summary>The ground truth of one generated RTP stream: what was sent and what the simulated network did to it.</summary>
/// <param name="Flow">The UDP 5-tuple.</param>
/// <param name="Ssrc">The SSRC.</param>
/// <param name="PayloadType">The payload type.</param>
/// <param name="FirstSequence">The sequence number of the first packet sent.</param>
/// <param name="Sent">Packets sent.</param>
/// <param name="Dropped">Packets the network dropped.</param>
/// <param name="Duplicated">Packets delivered twice.</param>
/// <param name="Reordered">Packets delayed past their successor.</param>
public sealed record GeneratedStream(UdpFlow Flow, uint Ssrc, byte PayloadType, ushort FirstSequence, int Sent, int Dropped, int Duplicated, int Reordered);
