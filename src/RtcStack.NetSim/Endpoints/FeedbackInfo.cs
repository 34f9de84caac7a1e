using RtcStack.Congestion;

namespace RtcStack.NetSim.Endpoints;

/// <summary>A model feedback report (carried as <see cref="SimPacket.Tag"/>).</summary>
/// <param name="Entries">Per-packet results.</param>
public sealed record FeedbackInfo(PacketFeedback[] Entries);
