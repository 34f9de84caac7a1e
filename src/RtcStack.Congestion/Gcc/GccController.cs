namespace RtcStack.Congestion.Gcc;

/// <summary>
/// Google Congestion Control as libwebrtc's GoogCcNetworkController runs it with transport-wide feedback only:
/// <see cref="DelayBasedBwe"/> (inter-arrival grouping, trendline, adaptive threshold, AIMD), the
/// <see cref="AcknowledgedBitrateEstimator"/>, <see cref="ProbeController"/> and <see cref="ProbeBitrateEstimator"/>,
/// <see cref="LossBasedBandwidthEstimation"/> and the <see cref="AlrDetector"/>. The target is
/// min(loss-based, delay-based); the pacing rate is 2.5 × target. See specs/gcc.md for every constant and where
/// draft-ietf-rmcat-gcc-02 differs.
/// </summary>
public sealed class GccController : ICongestionController
{
    private const int MaxFeedbackRtts = 32;

    private readonly GccOptions _options;
    private readonly SentPacketHistory _history = new();
    private readonly DelayBasedBwe _delayBased;
    private readonly LossBasedBandwidthEstimation _lossBased;
    private readonly AcknowledgedBitrateEstimator _acked = new();
    private readonly ProbeBitrateEstimator _probeEstimator = new();
    private readonly ProbeController _probeController;
    private readonly AlrDetector _alr = new();
    private readonly Queue<double> _feedbackRtts = new();
    private PacketResult[] _results = new PacketResult[32];
    private bool _started;
    private bool _previouslyInAlr;
    private bool _externalRtt;
    private TimeSpan _nextProcess;
    private TimeSpan _nextLossUpdate;
    private int _lostSinceLossUpdate;
    private int _expectedSinceLossUpdate;
    private double _rttSumMs;

    /// <summary>Creates a controller.</summary>
    public GccController(GccOptions? options = null)
    {
        _options = options ?? new GccOptions();
        _delayBased = new DelayBasedBwe(_options.MinBitrateBps, _options.MaxBitrateBps, _options.StartBitrateBps);
        _lossBased = new LossBasedBandwidthEstimation(_options.MinBitrateBps, _options.MaxBitrateBps, _options.StartBitrateBps);
        _probeController = new ProbeController(_options.MaxBitrateBps, _options.AlrProbing);
        TargetBitrateBps = _options.StartBitrateBps;
    }

    /// <inheritdoc/>
    public string Name => "gcc";

    /// <inheritdoc/>
    public long TargetBitrateBps { get; private set; }

    /// <inheritdoc/>
    public long PacingRateBps => (long)(TargetBitrateBps * _options.PacingFactor);

    /// <inheritdoc/>
    public long PaddingRateBps => 0;

    /// <summary>The delay-based part (for inspection and plots).</summary>
    public DelayBasedBwe DelayBased => _delayBased;

    /// <summary>The loss-based part.</summary>
    public LossBasedBandwidthEstimation LossBased => _lossBased;

    /// <summary>Acknowledged bitrate, bps (NaN until known).</summary>
    public double AcknowledgedBitrateBps => _acked.BitrateBps;

    /// <summary>True while the ALR detector says the sender is application limited.</summary>
    public bool InAlr => _alr.AlrStartTime is not null;

    /// <summary>RTT in use.</summary>
    public TimeSpan Rtt { get; private set; } = AimdRateControl.DefaultRtt;

    /// <inheritdoc/>
    public void OnPacketSent(in SentPacket packet)
    {
        EnsureStarted(packet.SendTime);
        _history.Add(packet);
        _alr.OnBytesSent(packet.Size, packet.SendTime);
    }

    /// <inheritdoc/>
    public void OnRoundTripTime(TimeSpan rtt, TimeSpan now)
    {
        _externalRtt = true;
        SetRtt(rtt);
    }

    /// <inheritdoc/>
    public void OnSendQueue(long queuedBytes, TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now)
    {
        EnsureStarted(now);
        if (_results.Length < feedback.Length)
        {
            _results = new PacketResult[Math.Max(feedback.Length, _results.Length * 2)];
        }
        int n = 0;
        int lost = 0;
        TimeSpan maxArrival = TimeSpan.MinValue;
        foreach (ref readonly PacketFeedback f in feedback)
        {
            if (!_history.TryGet(f.TransportSequenceNumber, out SentPacket sent))
            {
                continue;
            }
            if (!f.Received)
            {
                if (!_history.IsReceived(f.TransportSequenceNumber))
                {
                    lost++;
                }
                continue;
            }
            if (!_history.MarkReceived(f.TransportSequenceNumber))
            {
                continue;
            }
            _results[n++] = new PacketResult(sent, f.ArrivalTime, true, f.EcnCe);
            if (f.ArrivalTime > maxArrival)
            {
                maxArrival = f.ArrivalTime;
            }
        }
        _expectedSinceLossUpdate += n + lost;
        _lostSinceLossUpdate += lost;
        if (n == 0 && lost == 0)
        {
            return;
        }
        Span<PacketResult> results = _results.AsSpan(0, n);
        results.Sort(static (a, b) => a.ArrivalTime != b.ArrivalTime
            ? a.ArrivalTime.CompareTo(b.ArrivalTime)
            : a.Sent.TransportSequenceNumber.CompareTo(b.Sent.TransportSequenceNumber));

        if (n > 0 && !_externalRtt)
        {
            UpdateRttFromFeedback(results, maxArrival, now);
        }

        bool inAlr = _alr.AlrStartTime is not null;
        if (_previouslyInAlr && !inAlr)
        {
            _acked.SetAlrEnded(now);
        }
        _previouslyInAlr = inAlr;

        foreach (ref readonly PacketResult r in results)
        {
            _acked.OnPacket(r, inAlr);
            if (r.Sent.ProbeClusterId != SentPacket.NotAProbe && _probeController.TryGetCluster(r.Sent.ProbeClusterId, out ProbeClusterConfig cfg))
            {
                _probeEstimator.HandleProbe(r, cfg);
            }
            _delayBased.OnPacket(r, now);
        }
        double probeBps = _probeEstimator.FetchAndResetLastEstimate();
        DelayBasedResult result = _delayBased.Update(_acked.BitrateBps, probeBps, inAlr, now);
        if (result.Updated)
        {
            if (result.Probe)
            {
                _lossBased.SetSendBitrate(result.TargetBps, now);
            }
            _lossBased.UpdateDelayBasedEstimate(result.TargetBps, now);
        }
        if (now >= _nextLossUpdate)
        {
            _nextLossUpdate = now + _options.LossUpdateInterval;
            _lossBased.UpdatePacketsLost(_lostSinceLossUpdate, _expectedSinceLossUpdate, now);
            _lostSinceLossUpdate = 0;
            _expectedSinceLossUpdate = 0;
        }
        if (result.Updated)
        {
            UpdateTarget(now);
        }
        if (result.RecoveredFromOveruse)
        {
            _probeController.SetAlrStart(_alr.AlrStartTime);
            _probeController.RequestProbeAfterDrop(now);
        }
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        EnsureStarted(now);
        if (now < _nextProcess)
        {
            return;
        }
        _nextProcess = now + _options.ProcessInterval;
        _probeController.SetAlrStart(_alr.AlrStartTime);
        _probeController.Process(now);
        _lossBased.UpdateEstimate(now);
        UpdateTarget(now);
    }

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => _nextProcess;

    /// <inheritdoc/>
    public bool TryPollProbe(out ProbeClusterConfig probe) => _probeController.TryPoll(out probe);

    private void EnsureStarted(TimeSpan now)
    {
        if (_started)
        {
            return;
        }
        _started = true;
        _nextProcess = now;
        _nextLossUpdate = now + _options.LossUpdateInterval;
        _alr.SetEstimatedBitrate(_options.StartBitrateBps);
        if (_options.InitialProbing)
        {
            _probeController.Start(_options.StartBitrateBps, now);
        }
    }

    private void UpdateTarget(TimeSpan now)
    {
        long target = (long)_lossBased.TargetBps;
        TargetBitrateBps = target;
        _alr.SetEstimatedBitrate(target);
        _probeController.SetEstimatedBitrate(target, now);
    }

    private void UpdateRttFromFeedback(ReadOnlySpan<PacketResult> results, TimeSpan maxArrival, TimeSpan now)
    {
        // libwebrtc (packet-feedback-only mode): RTT sample = feedback time − send time − time the packet waited at
        // the receiver for the report; the delay-based side uses the mean of the last 32 per-report maxima.
        double maxRttMs = double.MinValue;
        double minRttMs = double.MaxValue;
        foreach (ref readonly PacketResult r in results)
        {
            double pendingMs = (maxArrival - r.ArrivalTime).TotalMilliseconds;
            double feedbackRtt = (now - r.Sent.SendTime).TotalMilliseconds;
            maxRttMs = Math.Max(maxRttMs, feedbackRtt);
            minRttMs = Math.Min(minRttMs, feedbackRtt - pendingMs);
        }
        _feedbackRtts.Enqueue(maxRttMs);
        _rttSumMs += maxRttMs;
        if (_feedbackRtts.Count > MaxFeedbackRtts)
        {
            _rttSumMs -= _feedbackRtts.Dequeue();
        }
        _delayBased.RateControl.Rtt = TimeSpan.FromMilliseconds(_rttSumMs / _feedbackRtts.Count);
        _lossBased.Rtt = TimeSpan.FromMilliseconds(Math.Max(minRttMs, 0));
        Rtt = _lossBased.Rtt;
    }

    private void SetRtt(TimeSpan rtt)
    {
        Rtt = rtt;
        _delayBased.RateControl.Rtt = rtt;
        _lossBased.Rtt = rtt;
    }
}
