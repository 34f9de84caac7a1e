namespace RtcStack.Congestion.Pacing;

/// <summary>What the pacer wants sent now.</summary>
/// <param name="PacketId">Caller's id of a queued media packet, or <see cref="Padding"/> for a padding packet.</param>
/// <param name="Size">Bytes (for padding: the padding packet size to generate).</param>
/// <param name="ProbeClusterId">Probe cluster the packet belongs to, or <see cref="SentPacket.NotAProbe"/>.</param>
public readonly record struct PacedSend(long PacketId, int Size, int ProbeClusterId)
{
    /// <summary><see cref="PacketId"/> of a padding packet the caller must generate.</summary>
    public const long Padding = -1;

    /// <summary>True for padding.</summary>
    public bool IsPadding => PacketId == Padding;
}
