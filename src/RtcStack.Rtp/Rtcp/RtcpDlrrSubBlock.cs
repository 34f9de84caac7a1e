namespace RtcStack.Rtp.Rtcp;

/// <summary>
/// One DLRR sub-block (RFC 3611 §4.5): for receiver <paramref name="Ssrc"/>, the compact NTP time
/// of its last RRTR (<paramref name="LastReceiverReport"/>) and the delay since, in 1/65536 s.
/// </summary>
/// <param name="Ssrc">SSRC of the receiver whose RRTR is answered.</param>
/// <param name="LastReceiverReport">LRR: middle 32 bits of that RRTR's NTP timestamp.</param>
/// <param name="DelaySinceLastReceiverReport">DLRR: delay since receiving it, 1/65536 s units.</param>
public readonly record struct RtcpDlrrSubBlock(uint Ssrc, uint LastReceiverReport, uint DelaySinceLastReceiverReport)
{
    /// <summary>Size of one sub-block on the wire.</summary>
    public const int Length = 12;
}
