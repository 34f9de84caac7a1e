namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Delay-based bandwidth estimation (draft-ietf-rmcat-gcc-02 §5, as libwebrtc delay_based_bwe.cc runs it):
/// feedback sorted by arrival goes through <see cref="InterArrivalDelta"/> and <see cref="TrendlineEstimator"/>; the
/// detector state drives <see cref="AimdRateControl"/>. While over-using, decreases are rate-limited to once per RTT;
/// a valid probe result overrides the estimate when not over-using.
/// </summary>
public sealed class DelayBasedBwe
{
    /// <summary>No feedback for this long resets the inter-arrival and trendline state (kStreamTimeOut).</summary>
    public static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(2);

    private readonly InterArrivalDelta _interArrival = new();
    private TrendlineEstimator _trendline = new();
    private TimeSpan? _lastSeenPacket;
    private BandwidthUsage _previousState = BandwidthUsage.Normal;

    /// <summary>Creates the estimator.</summary>
    public DelayBasedBwe(double minBps, double maxBps, double startBps)
    {
        RateControl = new AimdRateControl(minBps, maxBps, startBps);
    }

    /// <summary>The AIMD controller.</summary>
    public AimdRateControl RateControl { get; }

    /// <summary>The trendline detector currently in use.</summary>
    public TrendlineEstimator Detector => _trendline;

    /// <summary>Latest estimate, bps.</summary>
    public double LastEstimateBps => RateControl.LatestEstimateBps;

    /// <summary>Feeds one packet (in arrival order) to the detector.</summary>
    public void OnPacket(in PacketResult packet, TimeSpan now)
    {
        if (_lastSeenPacket is { } last && now - last > StreamTimeout)
        {
            _interArrival.Reset();
            _trendline = new TrendlineEstimator();
        }
        _lastSeenPacket = now;
        if (_interArrival.ComputeDeltas(packet.Sent.SendTime, packet.ArrivalTime, now, packet.Sent.Size,
            out TimeSpan sendDelta, out TimeSpan arrivalDelta, out _))
        {
            _trendline.Update(arrivalDelta.TotalMilliseconds, sendDelta.TotalMilliseconds, packet.ArrivalTime.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Updates the estimate after a feedback report. Returns the result; <paramref name="ackedBps"/> and
    /// <paramref name="probeBps"/> are NaN when unknown.
    /// </summary>
    public DelayBasedResult Update(double ackedBps, double probeBps, bool inAlr, TimeSpan now)
    {
        RateControl.InAlr = inAlr;
        var result = new DelayBasedResult();
        BandwidthUsage state = _trendline.State;
        bool recoveredFromOveruse = false;
        if (state == BandwidthUsage.Overusing)
        {
            if (!double.IsNaN(ackedBps) && RateControl.TimeToReduceFurther(now, ackedBps))
            {
                RateControl.Update(state, ackedBps, now);
                result.Updated = true;
            }
            else if (double.IsNaN(ackedBps) && RateControl.ValidEstimate && RateControl.InitialTimeToReduceFurther(now))
            {
                RateControl.SetEstimate(RateControl.LatestEstimateBps / 2, now);
                result.Updated = true;
            }
        }
        else
        {
            if (!double.IsNaN(probeBps))
            {
                result.Probe = true;
                result.Updated = true;
                RateControl.SetEstimate(probeBps, now);
            }
            else
            {
                RateControl.Update(state, ackedBps, now);
                result.Updated = RateControl.ValidEstimate;
                recoveredFromOveruse = _previousState == BandwidthUsage.Underusing && state == BandwidthUsage.Normal;
            }
        }
        _previousState = state;
        result.TargetBps = RateControl.LatestEstimateBps;
        result.RecoveredFromOveruse = recoveredFromOveruse;
        result.State = state;
        return result;
    }
}

/// <summary>Outcome of one <see cref="DelayBasedBwe.Update"/>.</summary>
public struct DelayBasedResult
{
    /// <summary>True when the estimate changed or was confirmed.</summary>
    public bool Updated;

    /// <summary>True when the estimate was set from a probe result.</summary>
    public bool Probe;

    /// <summary>The estimate, bps.</summary>
    public double TargetBps;

    /// <summary>True when the detector moved from under-use back to normal (queues drained).</summary>
    public bool RecoveredFromOveruse;

    /// <summary>Detector state used.</summary>
    public BandwidthUsage State;
}
