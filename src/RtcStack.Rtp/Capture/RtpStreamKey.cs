namespace RtcStack.Rtp.Capture;

/// <summary>Identifies one RTP stream in a capture: the UDP 5-tuple plus the SSRC (RFC 3550 §8).</summary>
/// <param name="Flow">The UDP 5-tuple.</param>
/// <param name="Ssrc">The synchronization source.</param>
public readonly record struct RtpStreamKey(UdpFlow Flow, uint Ssrc)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Flow} SSRC 0x{Ssrc:X8}";
}
