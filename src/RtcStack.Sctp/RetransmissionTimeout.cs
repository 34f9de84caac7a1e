namespace RtcStack.Sctp;

/// <summary>
/// The RTO calculator of RFC 9260 §6.3.1 (the RFC 6298 algorithm): SRTT and RTTVAR with
/// RTO.Alpha = 1/8 and RTO.Beta = 1/4, RTO = SRTT + max(G, 4 RTTVAR) clamped to [RTO.Min, RTO.Max],
/// doubled on each expiry (§6.3.3 E2) up to RTO.Max.
/// </summary>
public sealed class RetransmissionTimeout
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly TimeSpan _granularity;

    /// <summary>Creates a calculator.</summary>
    /// <param name="initial">RTO.Initial.</param>
    /// <param name="min">RTO.Min.</param>
    /// <param name="max">RTO.Max.</param>
    /// <param name="granularity">Clock granularity G (1 ms by default).</param>
    public RetransmissionTimeout(TimeSpan initial, TimeSpan min, TimeSpan max, TimeSpan? granularity = null)
    {
        if (min <= TimeSpan.Zero || max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(min), "need 0 < RTO.Min <= RTO.Max");
        }

        _min = min;
        _max = max;
        _granularity = granularity ?? TimeSpan.FromMilliseconds(1);
        Rto = Clamp(initial);
    }

    /// <summary>Gets the current retransmission timeout.</summary>
    public TimeSpan Rto { get; private set; }

    /// <summary>Gets the smoothed round-trip time, or null before the first measurement.</summary>
    public TimeSpan? SmoothedRtt { get; private set; }

    /// <summary>Gets the round-trip time variation.</summary>
    public TimeSpan RttVariation { get; private set; }

    /// <summary>Adds a round-trip measurement (RFC 9260 §6.3.1 C2, C3); only for chunks sent once (Karn, C5).</summary>
    /// <param name="rtt">The measured round-trip time.</param>
    public void AddMeasurement(TimeSpan rtt)
    {
        if (rtt < TimeSpan.Zero)
        {
            return;
        }

        if (SmoothedRtt is not TimeSpan srtt)
        {
            SmoothedRtt = rtt;
            RttVariation = rtt / 2;
        }
        else
        {
            TimeSpan delta = srtt - rtt;
            if (delta < TimeSpan.Zero)
            {
                delta = -delta;
            }

            // RTTVAR first, with the old SRTT (RFC 9260 §6.3.1 C3).
            RttVariation = TimeSpan.FromTicks((RttVariation.Ticks * 3 / 4) + (delta.Ticks / 4));
            SmoothedRtt = TimeSpan.FromTicks((srtt.Ticks * 7 / 8) + (rtt.Ticks / 8));
        }

        TimeSpan k = RttVariation * 4;
        Rto = Clamp(SmoothedRtt.Value + (k > _granularity ? k : _granularity));
    }

    /// <summary>Doubles the RTO on a timer expiry (RFC 9260 §6.3.3 E2), no further than RTO.Max.</summary>
    public void Backoff() => Rto = Clamp(Rto * 2);

    private TimeSpan Clamp(TimeSpan rto) => rto < _min ? _min : rto > _max ? _max : rto;
}
