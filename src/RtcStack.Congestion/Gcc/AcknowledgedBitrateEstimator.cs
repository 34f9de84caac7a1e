namespace RtcStack.Congestion.Gcc;

/// <summary>
/// The acknowledged bitrate (libwebrtc acknowledged_bitrate_estimator.cc): feeds the size of every packet reported
/// received, at its arrival time, into a <see cref="BitrateEstimator"/>; when ALR ends, the next packet sent after the
/// end widens the estimator's variance so it follows the rate increase quickly.
/// </summary>
public sealed class AcknowledgedBitrateEstimator
{
    private readonly BitrateEstimator _estimator = new();
    private TimeSpan? _alrEndedTime;

    /// <summary>Acknowledged rate in bps, NaN when unknown.</summary>
    public double BitrateBps => _estimator.BitrateBps;

    /// <summary>Records when ALR ended.</summary>
    public void SetAlrEnded(TimeSpan at) => _alrEndedTime = at;

    /// <summary>Adds one received packet (call in arrival order).</summary>
    public void OnPacket(in PacketResult packet, bool inAlr)
    {
        if (_alrEndedTime is { } ended && packet.Sent.SendTime > ended)
        {
            _estimator.ExpectFastRateChange();
            _alrEndedTime = null;
        }
        _estimator.Update(packet.ArrivalTime.TotalMilliseconds, packet.Sent.Size, inAlr);
    }
}
