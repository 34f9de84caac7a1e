namespace RtcStack.NetSim.Tcp;

/// <summary>Model TCP segment or ACK (carried as <see cref="SimPacket.Tag"/>).</summary>
/// <param name="Sequence">Segment number (data) or next expected segment (ACK, cumulative).</param>
/// <param name="IsAck">True for ACKs.</param>
public sealed record TcpSegment(long Sequence, bool IsAck)
{
    /// <summary>Number of SACK blocks (RFC 2018 §3: at most 3 alongside timestamps).</summary>
    public int SackCount { get; init; }

    /// <summary>First SACK block [start, end) in segments: the block holding the segment that triggered the ACK.</summary>
    public (long Start, long End) Sack0 { get; init; }

    /// <summary>Second SACK block.</summary>
    public (long Start, long End) Sack1 { get; init; }

    /// <summary>Third SACK block.</summary>
    public (long Start, long End) Sack2 { get; init; }

    /// <summary>SACK block <paramref name="i"/> (0–2).</summary>
    public (long Start, long End) Sack(int i) => i switch { 0 => Sack0, 1 => Sack1, _ => Sack2 };
}
