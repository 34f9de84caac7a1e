namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Decides when to probe (libwebrtc probe_controller.cc): at start, two clusters at 3× and 6× the start rate; while
/// each result exceeds 70 % of the last probe rate, probe again at 2× the estimate; after 1 s without a result probing
/// is complete. In ALR, probe every 5 s at 2× the estimate. After a large drop (estimate below 66 % of the previous)
/// followed by recovery from over-use in ALR within 5 s, probe at 85 % of the rate before the drop.
/// draft-ietf-rmcat-gcc-02 has no probing; this is libwebrtc behaviour.
/// </summary>
public sealed class ProbeController
{
    /// <summary>First initial probe, × start rate (first_exponential_probe_scale).</summary>
    public const double FirstExponentialProbeScale = 3.0;

    /// <summary>Second initial probe, × start rate (second_exponential_probe_scale).</summary>
    public const double SecondExponentialProbeScale = 6.0;

    /// <summary>Further probes, × estimate (further_exponential_probe_scale).</summary>
    public const double FurtherExponentialProbeScale = 2.0;

    /// <summary>Probe further when the estimate exceeds this fraction of the last probe (further_probe_threshold).</summary>
    public const double FurtherProbeThreshold = 0.7;

    /// <summary>ALR probe rate, × estimate (alr_probe_scale).</summary>
    public const double AlrProbeScale = 2.0;

    /// <summary>Estimate drop that counts as large (kBitrateDropThreshold).</summary>
    public const double BitrateDropThreshold = 0.66;

    /// <summary>Fraction of the pre-drop rate probed after a drop (kProbeFractionAfterDrop).</summary>
    public const double ProbeFractionAfterDrop = 0.85;

    /// <summary>Expected probe result uncertainty (kProbeUncertainty).</summary>
    public const double ProbeUncertainty = 0.05;

    /// <summary>Minimum packets per probe cluster (min_probe_packets_sent).</summary>
    public const int MinProbePackets = 5;

    /// <summary>Minimum probe cluster duration (min_probe_duration).</summary>
    public static readonly TimeSpan MinProbeDuration = TimeSpan.FromMilliseconds(15);

    /// <summary>Time after which a probe without result ends probing (kMaxWaitingTimeForProbingResult).</summary>
    public static readonly TimeSpan MaxWaitingTimeForProbingResult = TimeSpan.FromSeconds(1);

    /// <summary>ALR probe interval (alr_probing_interval) and minimum time between drop probes.</summary>
    public static readonly TimeSpan AlrProbingInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long after a large drop a recovery probe may be sent (kBitrateDropTimeout).</summary>
    public static readonly TimeSpan BitrateDropTimeout = TimeSpan.FromSeconds(5);

    private readonly Queue<ProbeClusterConfig> _pending = new();
    private readonly Dictionary<int, ProbeClusterConfig> _sent = new();
    private readonly double _maxBps;
    private readonly bool _alrProbing;
    private State _state = State.Init;
    private int _nextId;
    private double _estimateBps;
    private double _minBitrateToProbeFurther = double.PositiveInfinity;
    private TimeSpan _timeLastProbing;
    private TimeSpan? _alrStart;
    private TimeSpan? _timeOfLastLargeDrop;
    private double _bitrateBeforeLastLargeDrop;
    private TimeSpan? _lastDropProbe;

    /// <summary>Creates the controller.</summary>
    public ProbeController(double maxBps, bool alrProbing)
    {
        _maxBps = maxBps;
        _alrProbing = alrProbing;
    }

    /// <summary>Starts initial exponential probing from <paramref name="startBps"/>.</summary>
    public void Start(double startBps, TimeSpan now)
    {
        _estimateBps = startBps;
        InitiateProbing(now, true, startBps * FirstExponentialProbeScale, startBps * SecondExponentialProbeScale);
    }

    /// <summary>Looks up a cluster by id (for the probe estimator).</summary>
    public bool TryGetCluster(int id, out ProbeClusterConfig config) => _sent.TryGetValue(id, out config);

    /// <summary>Next cluster to hand to the pacer.</summary>
    public bool TryPoll(out ProbeClusterConfig probe) => _pending.TryDequeue(out probe);

    /// <summary>Sets the ALR start time (null when not in ALR).</summary>
    public void SetAlrStart(TimeSpan? start) => _alrStart = start;

    /// <summary>Feeds a new estimate.</summary>
    public void SetEstimatedBitrate(double bps, TimeSpan now)
    {
        if (_state == State.WaitingForResult && bps > _minBitrateToProbeFurther)
        {
            InitiateProbing(now, true, FurtherExponentialProbeScale * bps);
        }
        if (bps < BitrateDropThreshold * _estimateBps)
        {
            _timeOfLastLargeDrop = now;
            _bitrateBeforeLastLargeDrop = _estimateBps;
        }
        _estimateBps = bps;
    }

    /// <summary>Called when the delay detector recovered from over-use: maybe probe back toward the pre-drop rate.</summary>
    public void RequestProbeAfterDrop(TimeSpan now)
    {
        if (_state != State.Complete || _alrStart is null || _timeOfLastLargeDrop is not { } drop)
        {
            return;
        }
        double suggested = ProbeFractionAfterDrop * _bitrateBeforeLastLargeDrop;
        double minExpected = (1 - ProbeUncertainty) * suggested;
        bool sinceProbeOk = _lastDropProbe is not { } lp || now - lp > AlrProbingInterval;
        if (minExpected > _estimateBps && now - drop < BitrateDropTimeout && sinceProbeOk)
        {
            _lastDropProbe = now;
            InitiateProbing(now, false, suggested);
        }
    }

    /// <summary>Periodic processing: probe timeouts and ALR probes.</summary>
    public void Process(TimeSpan now)
    {
        if (_state == State.WaitingForResult && now - _timeLastProbing > MaxWaitingTimeForProbingResult)
        {
            _state = State.Complete;
            _minBitrateToProbeFurther = double.PositiveInfinity;
        }
        if (_estimateBps <= 0 || _state != State.Complete)
        {
            return;
        }
        if (_alrProbing && _alrStart is { } alr)
        {
            TimeSpan next = (alr > _timeLastProbing ? alr : _timeLastProbing) + AlrProbingInterval;
            if (now >= next)
            {
                InitiateProbing(now, true, _estimateBps * AlrProbeScale);
            }
        }
    }

    private void InitiateProbing(TimeSpan now, bool probeFurther, params ReadOnlySpan<double> rates)
    {
        double last = 0;
        foreach (double r in rates)
        {
            double rate = r;
            if (rate > _maxBps)
            {
                rate = _maxBps;
                probeFurther = false;
            }
            var cfg = new ProbeClusterConfig(_nextId++, (long)rate, MinProbeDuration, MinProbePackets, now);
            _pending.Enqueue(cfg);
            _sent[cfg.Id] = cfg;
            if (_sent.Count > 64)
            {
                _sent.Remove(cfg.Id - 64);
            }
            last = rate;
        }
        _timeLastProbing = now;
        if (probeFurther)
        {
            _state = State.WaitingForResult;
            _minBitrateToProbeFurther = last * FurtherProbeThreshold;
        }
        else
        {
            _state = State.Complete;
        }
    }

    private enum State
    {
        Init,
        WaitingForResult,
        Complete,
    }
}
