namespace RtcStack.Congestion;

/// <summary>
/// A packet handed to the network, as the congestion controller needs to know it (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §1: the sender keeps send time and size per transport-wide sequence number so feedback can be matched to it).
/// </summary>
/// <param name="TransportSequenceNumber">Unwrapped (64-bit) transport-wide sequence number.</param>
/// <param name="Size">Bytes on the wire that count against the path (RTP header + payload + padding).</param>
/// <param name="SendTime">Sender clock when the packet left the pacer.</param>
/// <param name="ProbeClusterId">Probe cluster the packet belongs to, or <see cref="NotAProbe"/>.</param>
/// <param name="IsPadding">True for padding-only packets (generated for probes).</param>
public readonly record struct SentPacket(long TransportSequenceNumber, int Size, TimeSpan SendTime, int ProbeClusterId = SentPacket.NotAProbe, bool IsPadding = false)
{
    /// <summary>Value of <see cref="ProbeClusterId"/> for packets that are not part of a probe.</summary>
    public const int NotAProbe = -1;
}
