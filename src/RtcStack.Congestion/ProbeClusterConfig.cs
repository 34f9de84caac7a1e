namespace RtcStack.Congestion;

/// <summary>
/// A request to the pacer to send a burst at <see cref="TargetRateBps"/> (draft-ietf-rmcat-gcc-02 does not describe probing;
/// this follows libwebrtc's ProbeClusterConfig: target rate, duration and minimum probe count).
/// </summary>
/// <param name="Id">Cluster id; packets sent for it carry it in <see cref="SentPacket.ProbeClusterId"/>.</param>
/// <param name="TargetRateBps">Rate to send the cluster at.</param>
/// <param name="TargetDuration">Minimum time the cluster should span.</param>
/// <param name="TargetProbeCount">Minimum number of packets in the cluster.</param>
/// <param name="CreatedAt">When the controller asked for it.</param>
public readonly record struct ProbeClusterConfig(int Id, long TargetRateBps, TimeSpan TargetDuration, int TargetProbeCount, TimeSpan CreatedAt)
{
    /// <summary>Bytes the cluster must carry: rate × duration.</summary>
    public long MinBytes => (long)(TargetRateBps * TargetDuration.TotalSeconds / 8.0);
}
