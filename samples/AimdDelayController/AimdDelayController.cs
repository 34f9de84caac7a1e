using RtcStack.Congestion;

namespace AimdDelay;

/// <summary>
/// A deliberately simple delay-based AIMD controller, the recipe of docs/cc-research.md: per feedback report it
/// estimates queuing delay as the mean one-way delay of the report's packets minus the smallest one-way delay seen
/// so far, then cuts the rate by <c>beta</c> (at most once per <c>holdMs</c>) when that delay exceeds
/// <c>thresholdMs</c> or more than 10 % of the report's packets were lost, and otherwise adds <c>increaseBps</c> per
/// second. Parameters come from <see cref="CongestionControllerSettings.Parameters"/> (a sweep's <c>cc.NAME</c> axis).
/// </summary>
[CongestionController("aimd-delay")]
public sealed class AimdDelayController : ICongestionController
{
    private readonly SentPacketHistory _sent = new();
    private readonly CongestionControllerSettings _settings;
    private readonly double _thresholdMs, _beta, _increaseBps, _holdMs;
    private double _rate;
    private double _baseDelayMs = double.PositiveInfinity;
    private TimeSpan? _lastFeedback;
    private TimeSpan? _lastDecrease;

    public AimdDelayController(CongestionControllerSettings settings)
    {
        _settings = settings;
        _thresholdMs = settings.GetParameter("thresholdMs", 50);
        _beta = settings.GetParameter("beta", 0.85);
        _increaseBps = settings.GetParameter("increaseBps", 50_000);
        _holdMs = settings.GetParameter("holdMs", 300);
        _rate = settings.StartBitrateBps;
    }

    public string Name => "aimd-delay";

    public long TargetBitrateBps => (long)_rate;

    public long PacingRateBps => (long)(_rate * 2.5);

    public long PaddingRateBps => 0;

    public void OnPacketSent(in SentPacket packet) => _sent.Add(packet);

    public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now)
    {
        double sumDelay = 0;
        int received = 0, lost = 0;
        foreach (PacketFeedback f in feedback)
        {
            if (!_sent.TryGet(f.TransportSequenceNumber, out SentPacket p))
            {
                continue;
            }
            if (!f.Received)
            {
                lost++;
                continue;
            }
            double owd = (f.ArrivalTime - p.SendTime).TotalMilliseconds;
            _baseDelayMs = Math.Min(_baseDelayMs, owd);
            sumDelay += owd;
            received++;
        }
        if (received == 0 && lost == 0)
        {
            return;
        }
        double queueMs = received > 0 ? (sumDelay / received) - _baseDelayMs : double.PositiveInfinity;
        bool congested = queueMs > _thresholdMs || lost > 0.1 * (received + lost);
        if (congested && (_lastDecrease is not { } cut || (now - cut).TotalMilliseconds >= _holdMs))
        {
            _rate *= _beta;
            _lastDecrease = now;
        }
        else if (!congested && _lastFeedback is { } last)
        {
            _rate += _increaseBps * (now - last).TotalSeconds;
        }
        _rate = Math.Clamp(_rate, _settings.MinBitrateBps, _settings.MaxBitrateBps);
        _lastFeedback = now;
    }

    public void OnRoundTripTime(TimeSpan rtt, TimeSpan now)
    {
    }

    public void OnSendQueue(long queuedBytes, TimeSpan now)
    {
    }

    public void HandleTimeout(TimeSpan now)
    {
    }

    public TimeSpan PollTimeout() => TimeSpan.MaxValue;

    public bool TryPollProbe(out ProbeClusterConfig probe)
    {
        probe = default;
        return false;
    }
}
