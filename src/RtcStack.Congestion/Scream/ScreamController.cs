namespace RtcStack.Congestion.Scream;

/// <summary>
/// SCReAM, Self-Clocked Rate Adaptation for Multimedia (RFC 8298), sans-IO. Three parts, all at the sender:
/// <list type="bullet">
/// <item>Network congestion control (§4.1.2): a LEDBAT-like congestion window. Per feedback report, the one-way delay of
/// the highest acknowledged packet minus the base delay (the minimum over ten one-minute buckets, RFC 6817 §3.4.2) is
/// the qdelay sample; the window grows with GAIN·off_target·bytes_newly_acked·MSS/cwnd (or by bytes_newly_acked in fast
/// increase mode), is scaled by BETA_LOSS / BETA_ECN on loss and ECN events (at most once per smoothed RTT), and is
/// capped at MAX_BYTES_IN_FLIGHT_HEAD_ROOM × the largest bytes in flight of the last 5 s. The qdelay target adapts to
/// competing loss-based flows (§4.1.2.3).</item>
/// <item>Sender transmission control (§4.1.2.5–4.1.2.6): <see cref="CanSend"/> (the send window) and the pacing rate
/// max(RATE_PACE_MIN, cwnd·8/s_rtt).</item>
/// <item>Media rate control (§4.2): every RATE_ADJUST_INTERVAL the target bitrate moves from the transmitted and
/// acknowledged rates, the RTP (pacer) queue and the qdelay trend; losses and ECN marks cut it at once.</item>
/// </list>
/// Feedback is TWCC or RFC 8888, both already converted to per-packet arrival times (<see cref="PacketFeedback"/>);
/// losses are inferred from gaps below the highest acknowledged packet with a reordering window (§4.1.2.4).
/// Allocation-free after construction.
/// </summary>
public sealed class ScreamController : ICongestionController, ISendWindow
{
    private const int RingBits = 15;
    private const int RingSize = 1 << RingBits;
    private const long RingMask = RingSize - 1;
    private const int TrendHistory = 20;
    private const int NormHistory = 200;
    private const int NormAvgWindow = 50;
    private const int BaseBuckets = 10;
    private const int BifBuckets = 5;
    private const int MedianSamples = 50;
    private const double TrendUpdateInterval = 0.05;
    private const double TickTolerance = 2e-7;

    private const byte Pending = 0;
    private const byte Received = 1;
    private const byte Lost = 2;

    private readonly ScreamParameters _p;

    // Per transport sequence number (ring): cumulative bytes sent through it, send time, state, time seen missing.
    private readonly long[] _cum = new long[RingSize];
    private readonly double[] _sendTime = new double[RingSize];
    private readonly byte[] _state = new byte[RingSize];
    private readonly double[] _missingSince = new double[RingSize];
    private long _firstSeq = -1;
    private long _highestSent = -1;
    private long _totalSent;
    private long _highestAcked = -1;
    private long _ackedCum;
    private long _lossScan;

    private readonly double[] _trendHist = new double[TrendHistory];
    private int _trendCount;
    private int _trendHead;
    private readonly double[] _normHist = new double[NormHistory];
    private int _normCount;
    private int _normHead;
    private readonly double[] _baseMin = new double[BaseBuckets];
    private long _baseMinute = long.MinValue;
    private readonly double[] _bifMax = new double[BifBuckets];
    private long _bifSecond = long.MinValue;
    private readonly double[] _rateMedia = new double[MedianSamples];
    private readonly double[] _scratch = new double[MedianSamples];
    private int _rateMediaCount;
    private int _rateMediaHead;

    private double _bytesNewlyAcked;
    private double _lastTrendUpdate = double.NegativeInfinity;
    private double _trendLowSince = double.NaN;
    private double _lastLossEvent = double.NegativeInfinity;
    private double _lastEcnEvent = double.NegativeInfinity;
    private double _lastFeedback = double.NaN;
    private double _lastLossRateUpdate = double.NaN;
    private bool _lossThisRtt;
    private bool _congestionSinceAdjust;
    private bool _haveRtt;

    private double _lastRateAdjust = double.NaN;
    private long _sentInInterval;
    private long _ackedInInterval;
    private long _queueBytes;
    private long _queueAtLastAdjust;

    /// <summary>Creates a SCReAM controller with <paramref name="parameters"/> (RFC 8298 defaults when null).</summary>
    public ScreamController(ScreamParameters? parameters = null)
    {
        _p = parameters ?? new ScreamParameters();
        Cwnd = _p.MinCwnd;
        QdelayTarget = _p.QdelayTargetLo;
        TargetBitrate = Math.Clamp(_p.StartBitrate, _p.TargetBitrateMin, _p.TargetBitrateMax);
        Array.Fill(_baseMin, double.PositiveInfinity);
        Array.Fill(_missingSince, double.NaN);
    }

    /// <summary>Creates a SCReAM controller sized by a host's <see cref="CongestionControllerSettings"/>.</summary>
    public ScreamController(CongestionControllerSettings settings)
        : this(new ScreamParameters
        {
            TargetBitrateMin = settings.MinBitrateBps,
            TargetBitrateMax = settings.MaxBitrateBps,
            StartBitrate = settings.StartBitrateBps,
        })
    {
    }

    /// <inheritdoc/>
    public string Name => "scream";

    /// <summary>cwnd, bytes.</summary>
    public double Cwnd { get; private set; }

    /// <summary>bytes_in_flight: bytes sent after the highest acknowledged packet (lost ones included), §4.1.2.</summary>
    public long BytesInFlight => _totalSent - _ackedCum;

    /// <summary>max_bytes_in_flight over the last 5 s (five one-second buckets).</summary>
    public double MaxBytesInFlight
    {
        get
        {
            double m = 0;
            foreach (double b in _bifMax)
            {
                m = Math.Max(m, b);
            }
            return m;
        }
    }

    /// <summary>s_rtt, seconds (RFC 6298 smoothing, α = 1/8); 0 before the first sample.</summary>
    public double SmoothedRtt { get; private set; }

    /// <summary>Latest qdelay sample, seconds.</summary>
    public double Qdelay { get; private set; }

    /// <summary>Base (minimum) one-way delay, seconds on the sender−receiver clock offset.</summary>
    public double BaseDelay { get; private set; } = double.PositiveInfinity;

    /// <summary>qdelay_target, seconds, within [QDELAY_TARGET_LO, QDELAY_TARGET_HI].</summary>
    public double QdelayTarget { get; private set; }

    /// <summary>qdelay_fraction_avg.</summary>
    public double QdelayFractionAvg { get; private set; }

    /// <summary>qdelay_trend in [0, 1].</summary>
    public double QdelayTrend { get; private set; }

    /// <summary>qdelay_trend_mem: peak-hold of qdelay_trend (decays by 0.99 per trend update).</summary>
    public double QdelayTrendMem { get; private set; }

    /// <summary>in_fast_increase.</summary>
    public bool InFastIncrease { get; private set; } = true;

    /// <summary>target_bitrate, bps.</summary>
    public double TargetBitrate { get; private set; }

    /// <summary>target_bitrate_last_max, bps (1 bps until the first congestion event).</summary>
    public double TargetBitrateLastMax { get; private set; } = 1;

    /// <summary>loss_event_rate: EWMA (weight 0.1) of "this RTT had a loss", sampled once per s_rtt.</summary>
    public double LossEventRate { get; private set; }

    /// <summary>Reordering window, seconds (§4.1.2.4): grows when a packet seen missing arrives later.</summary>
    public double ReorderWindow { get; private set; }

    /// <summary>rate_transmit, bps, over the last rate adjustment interval.</summary>
    public double RateTransmit { get; private set; }

    /// <summary>rate_ack, bps, over the last rate adjustment interval.</summary>
    public double RateAck { get; private set; }

    /// <summary>rate_media, bps: what the encoder produced over the last interval (sent + queue growth).</summary>
    public double RateMedia { get; private set; }

    /// <summary>Loss events so far.</summary>
    public int LossEvents { get; private set; }

    /// <summary>send_wnd (§4.1.2.5): cwnd (+ MSS while qdelay ≤ qdelay_target) − bytes_in_flight.</summary>
    public double SendWindow => (Qdelay <= QdelayTarget ? Cwnd + _p.Mss : Cwnd) - BytesInFlight;

    /// <summary>pace_bitrate (§4.1.2.6) = max(RATE_PACE_MIN, cwnd·8 / s_rtt); before the first RTT sample, s_rtt = 0.1 s.</summary>
    public double PaceBitrate => Math.Max(_p.RatePaceMin, Cwnd * 8 / (_haveRtt ? Math.Max(SmoothedRtt, 0.001) : 0.1));

    /// <inheritdoc/>
    public long TargetBitrateBps => (long)TargetBitrate;

    /// <inheritdoc/>
    public long PacingRateBps => (long)PaceBitrate;

    /// <inheritdoc/>
    public long PaddingRateBps => 0;

    /// <inheritdoc/>
    public bool CanSend(TimeSpan now) => SendWindow > 0;

    /// <inheritdoc/>
    public void OnPacketSent(in SentPacket packet)
    {
        long seq = packet.TransportSequenceNumber;
        if (seq <= _highestSent || packet.Size <= 0)
        {
            return;
        }
        double t = packet.SendTime.TotalSeconds;
        if (_firstSeq < 0)
        {
            _firstSeq = seq;
            _lossScan = seq;
            _highestAcked = seq - 1;
        }
        else
        {
            // Sequence numbers the host skipped carry no bytes and never count as lost.
            for (long s = Math.Max(_highestSent + 1, seq - RingSize + 1); s < seq; s++)
            {
                long j = s & RingMask;
                _cum[j] = _totalSent;
                _sendTime[j] = t;
                _state[j] = Received;
                _missingSince[j] = double.NaN;
            }
        }
        long i = seq & RingMask;
        _totalSent += packet.Size;
        _cum[i] = _totalSent;
        _sendTime[i] = t;
        _state[i] = Pending;
        _missingSince[i] = double.NaN;
        _highestSent = seq;
        _sentInInterval += packet.Size;
        NoteBytesInFlight(t);
        if (double.IsNaN(_lastFeedback))
        {
            _lastFeedback = t;
        }
    }

    /// <inheritdoc/>
    public void OnRoundTripTime(TimeSpan rtt, TimeSpan now) => UpdateRtt(rtt.TotalSeconds);

    /// <inheritdoc/>
    public void OnSendQueue(long queuedBytes, TimeSpan now) => _queueBytes = Math.Max(0, queuedBytes);

    /// <inheritdoc/>
    public bool TryPollProbe(out ProbeClusterConfig probe)
    {
        probe = default;
        return false;
    }

    /// <inheritdoc/>
    public TimeSpan PollTimeout()
    {
        double next = double.IsNaN(_lastRateAdjust) ? double.PositiveInfinity : _lastRateAdjust + _p.RateAdjustInterval;
        if (BytesInFlight > 0 && !double.IsNaN(_lastFeedback))
        {
            next = Math.Min(next, FeedbackDeadline());
        }
        return double.IsPositiveInfinity(next) ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)Math.Ceiling(next * TimeSpan.TicksPerSecond));
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        double t = now.TotalSeconds;
        if (double.IsNaN(_lastRateAdjust))
        {
            _lastRateAdjust = t;
            _queueAtLastAdjust = _queueBytes;
            return;
        }
        // PollTimeout rounds its instants up to whole ticks; compare with a tick's tolerance so a wake-up at the
        // returned instant always does the work (and the host does not spin on the same instant).
        if (BytesInFlight > 0 && !double.IsNaN(_lastFeedback) && t + TickTolerance >= FeedbackDeadline())
        {
            OnFeedbackTimeout(t);
        }
        if (t + TickTolerance >= _lastRateAdjust + _p.RateAdjustInterval)
        {
            AdjustRate(t);
        }
    }

    /// <inheritdoc/>
    public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now)
    {
        double t = now.TotalSeconds;
        long highest = -1;
        double highestArrival = 0;
        int ce = 0;
        foreach (ref readonly PacketFeedback f in feedback)
        {
            long seq = f.TransportSequenceNumber;
            if (!f.Received || !InRing(seq))
            {
                continue;
            }
            long i = seq & RingMask;
            if (_state[i] == Received)
            {
                continue;
            }
            if (!double.IsNaN(_missingSince[i]))
            {
                // Seen missing (or declared lost) and yet it arrived: the path reorders by at least this much.
                ReorderWindow = Math.Max(ReorderWindow, t - _missingSince[i]);
            }
            _state[i] = Received;
            // Every arrival is a one-way delay sample for the base delay (RFC 6817 §3.4.2 keeps the minimum).
            UpdateBaseDelay(f.ArrivalTime.TotalSeconds - _sendTime[i], t);
            if (f.EcnCe)
            {
                ce++;
            }
            if (seq > highest)
            {
                highest = seq;
                highestArrival = f.ArrivalTime.TotalSeconds;
            }
        }
        if (highest < 0)
        {
            return;
        }
        _lastFeedback = t;
        if (highest > _highestAcked)
        {
            long cum = _cum[highest & RingMask];
            double newly = Math.Max(0, cum - _ackedCum);
            _bytesNewlyAcked += newly;
            _ackedInInterval += (long)newly;
            _ackedCum = Math.Max(_ackedCum, cum);
            _highestAcked = highest;
        }
        double sendTime = _sendTime[highest & RingMask];
        UpdateRtt(t - sendTime);
        double qdelay = QueueDelaySample(highestArrival - sendTime, t);
        bool lossDetected = DetectLosses(t);
        UpdateLossEventRate(t, lossDetected);
        OnAcknowledgement(t, qdelay, lossDetected, ce > 0);
    }

    /// <summary>
    /// One acknowledgement's worth of the RFC 8298 §4.1.2 sender logic, with the qdelay sample already taken: the
    /// qdelay trend, then either a congestion event (loss or ECN: cwnd scaled, fast increase left) or update_cwnd;
    /// then adjust_qdelay_target and the resume-fast-increase check. Internal so unit tests can feed hand-made samples.
    /// </summary>
    internal void OnAcknowledgement(double t, double qdelay, bool loss, bool ecn)
    {
        Qdelay = qdelay;
        if (t - _lastTrendUpdate + TickTolerance >= TrendUpdateInterval)
        {
            UpdateQdelayTrend(qdelay);
            _lastTrendUpdate = t;
        }
        double srtt = _haveRtt ? SmoothedRtt : 0;
        bool lossEvent = loss && t - _lastLossEvent >= srtt;
        bool ecnEvent = ecn && t - _lastEcnEvent >= srtt;
        if (lossEvent || ecnEvent)
        {
            InFastIncrease = false;
            TargetBitrateLastMax = TargetBitrate;
            if (lossEvent)
            {
                LossEvents++;
                _lastLossEvent = t;
                Cwnd = Math.Max(_p.MinCwnd, Cwnd * _p.BetaLoss);
                TargetBitrate = Math.Max(_p.BetaR * TargetBitrate, _p.TargetBitrateMin);
            }
            else
            {
                _lastEcnEvent = t;
                Cwnd = Math.Max(_p.MinCwnd, Cwnd * _p.BetaEcn);
                TargetBitrate = Math.Max(_p.BetaEcn * TargetBitrate, _p.TargetBitrateMin);
            }
            _congestionSinceAdjust = true;
            _bytesNewlyAcked = 0;
        }
        else
        {
            UpdateCwnd();
        }
        if (_p.CompensateCompetingFlows)
        {
            AdjustQdelayTarget(qdelay);
        }
        CheckResumeFastIncrease(t);
    }

    /// <summary>Sets cwnd, the fast increase mode and the media rate state (unit tests of the equations).</summary>
    internal void SetStateForTest(double cwnd, bool inFastIncrease, double? targetBitrate = null, double? targetBitrateLastMax = null)
    {
        Cwnd = cwnd;
        InFastIncrease = inFastIncrease;
        TargetBitrate = targetBitrate ?? TargetBitrate;
        TargetBitrateLastMax = targetBitrateLastMax ?? TargetBitrateLastMax;
    }

    /// <summary>update_cwnd (RFC 8298 §4.1.2.2) with the bytes acknowledged since the last cwnd update.</summary>
    private void UpdateCwnd()
    {
        double acked = _bytesNewlyAcked;
        _bytesNewlyAcked = 0;
        double bif = BytesInFlight;
        if (InFastIncrease)
        {
            if (QdelayTrend >= _p.QdelayTrendTh)
            {
                InFastIncrease = false;
            }
            else
            {
                if (bif * 1.5 + acked > Cwnd)
                {
                    Cwnd += acked;
                }
                return;
            }
        }
        double offTarget = (QdelayTarget - Qdelay) / QdelayTarget;
        double delta = _p.Gain * offTarget * acked * _p.Mss / Cwnd;
        if (offTarget > 0 && bif * 1.25 + acked <= Cwnd)
        {
            // Window under-used: no growth.
            delta = 0;
        }
        Cwnd += delta;
        Cwnd = Math.Min(Cwnd, MaxBytesInFlight * _p.MaxBytesInFlightHeadRoom);
        Cwnd = Math.Max(Cwnd, _p.MinCwnd);
    }

    /// <summary>
    /// qdelay_fraction_avg, the 20-sample qdelay_fraction history, qdelay_trend = clamp(R(1)/R(0) · avg, 0, 1) with R
    /// the history's autocorrelation, and the peak-hold qdelay_trend_mem (RFC 8298 §4.1.2.1).
    /// </summary>
    private void UpdateQdelayTrend(double qdelay)
    {
        double fraction = qdelay / QdelayTarget;
        QdelayFractionAvg = (1 - _p.QdelayWeight) * QdelayFractionAvg + _p.QdelayWeight * fraction;
        _trendHist[_trendHead] = fraction;
        _trendHead = (_trendHead + 1) % TrendHistory;
        _trendCount = Math.Min(_trendCount + 1, TrendHistory);
        double r0 = 0, r1 = 0;
        int start = (_trendHead - _trendCount + TrendHistory) % TrendHistory;
        for (int k = 0; k < _trendCount; k++)
        {
            double x = _trendHist[(start + k) % TrendHistory];
            r0 += x * x;
            if (k + 1 < _trendCount)
            {
                r1 += x * _trendHist[(start + k + 1) % TrendHistory];
            }
        }
        double a = r0 > 0 ? r1 / r0 : 0;
        QdelayTrend = Math.Clamp(a * QdelayFractionAvg, 0, 1);
        QdelayTrendMem = Math.Max(0.99 * QdelayTrendMem, QdelayTrend);
    }

    /// <summary>adjust_qdelay_target (RFC 8298 §4.1.2.3): competing-flows compensation.</summary>
    private void AdjustQdelayTarget(double qdelay)
    {
        _normHist[_normHead] = qdelay / _p.QdelayTargetLo;
        _normHead = (_normHead + 1) % NormHistory;
        _normCount = Math.Min(_normCount + 1, NormHistory);
        double mean = 0;
        for (int k = 0; k < _normCount; k++)
        {
            mean += _normHist[k];
        }
        mean /= _normCount;
        double var = 0;
        for (int k = 0; k < _normCount; k++)
        {
            double d = _normHist[k] - mean;
            var += d * d;
        }
        var /= _normCount;
        int n = Math.Min(_normCount, NormAvgWindow);
        double avg = 0;
        for (int k = 1; k <= n; k++)
        {
            avg += _normHist[(_normHead - k + NormHistory) % NormHistory];
        }
        avg /= n;
        double newTarget = (avg + Math.Sqrt(var)) * _p.QdelayTargetLo;
        if (LossEventRate > 0.002)
        {
            QdelayTarget = 1.5 * newTarget;
        }
        else if (var < 0.2)
        {
            QdelayTarget = newTarget;
        }
        else if (newTarget < _p.QdelayTargetLo)
        {
            QdelayTarget = Math.Max(QdelayTarget * 0.5, newTarget);
        }
        else
        {
            QdelayTarget *= 0.9;
        }
        QdelayTarget = Math.Clamp(QdelayTarget, _p.QdelayTargetLo, _p.QdelayTargetHi);
    }

    /// <summary>Fast increase resumes once qdelay_trend has stayed below QDELAY_TREND_LO for T_RESUME_FAST_INCREASE (§4.1.2.7).</summary>
    private void CheckResumeFastIncrease(double t)
    {
        if (QdelayTrend >= _p.QdelayTrendLo)
        {
            _trendLowSince = double.NaN;
            return;
        }
        if (double.IsNaN(_trendLowSince))
        {
            _trendLowSince = t;
        }
        if (!InFastIncrease && t - _trendLowSince + TickTolerance >= _p.TResumeFastIncrease)
        {
            InFastIncrease = true;
        }
    }

    /// <summary>
    /// The media rate control of RFC 8298 §4.2, run every RATE_ADJUST_INTERVAL (internal for unit tests). A loss or
    /// ECN event since the last run already cut the target ("exit"), so this run only takes the measurements.
    /// </summary>
    internal void AdjustRate(double t)
    {
        double interval = Math.Max(t - _lastRateAdjust, 1e-6);
        RateTransmit = _sentInInterval * 8 / interval;
        RateAck = _ackedInInterval * 8 / interval;
        RateMedia = Math.Max(0, (_sentInInterval + _queueBytes - _queueAtLastAdjust) * 8 / interval);
        _sentInInterval = 0;
        _ackedInInterval = 0;
        _queueAtLastAdjust = _queueBytes;
        _lastRateAdjust = t;
        _rateMedia[_rateMediaHead] = RateMedia;
        _rateMediaHead = (_rateMediaHead + 1) % MedianSamples;
        _rateMediaCount = Math.Min(_rateMediaCount + 1, MedianSamples);
        if (_congestionSinceAdjust)
        {
            _congestionSinceAdjust = false;
            return;
        }
        UpdateTargetBitrate(_queueBytes * 8.0, RateMediaMedian());
    }

    /// <summary>The §4.2 target_bitrate update from the measured rates and <paramref name="rtpQueueBits"/>.</summary>
    private void UpdateTargetBitrate(double rtpQueueBits, double rateMediaMedian)
    {
        double target = TargetBitrate;
        double rampUpSpeed = Math.Min(_p.RampUpSpeed, target / 2);
        double scale = (target - TargetBitrateLastMax) / TargetBitrateLastMax;
        scale = Math.Max(0.2, Math.Min(1.0, scale * 4 * (scale * 4)));
        double currentRate = Math.Max(RateTransmit, RateAck);
        if (InFastIncrease)
        {
            target += rampUpSpeed * _p.RateAdjustInterval * scale;
        }
        else
        {
            double delta = currentRate * (1.0 - _p.PreCongestionGuard * QdelayTrend) - _p.TxQueueSizeFactor * rtpQueueBits;
            if (delta > 0)
            {
                delta *= scale;
                delta = Math.Min(delta, rampUpSpeed * _p.RateAdjustInterval);
            }
            target += delta;
            if (currentRate > 0 && rtpQueueBits / currentRate > _p.RtpQdelayTh)
            {
                target *= _p.TargetRateScaleRtpQdelay;
            }
        }
        double limit = Math.Max(currentRate, Math.Max(RateMedia, rateMediaMedian)) * (2.0 - QdelayTrendMem);
        target = Math.Min(target, limit);
        TargetBitrate = Math.Min(_p.TargetBitrateMax, Math.Max(_p.TargetBitrateMin, target));
    }

    private double RateMediaMedian()
    {
        if (_rateMediaCount == 0)
        {
            return 0;
        }
        Array.Copy(_rateMedia, _scratch, _rateMediaCount);
        Array.Sort(_scratch, 0, _rateMediaCount);
        int n = _rateMediaCount;
        return n % 2 == 1 ? _scratch[n / 2] : (_scratch[n / 2 - 1] + _scratch[n / 2]) / 2;
    }

    private bool InRing(long seq) => _firstSeq >= 0 && seq >= _firstSeq && seq <= _highestSent && _highestSent - seq < RingSize;

    private void UpdateRtt(double rtt)
    {
        if (rtt < 0 || double.IsNaN(rtt))
        {
            return;
        }
        SmoothedRtt = _haveRtt ? 0.875 * SmoothedRtt + 0.125 * rtt : rtt;
        _haveRtt = true;
    }

    /// <summary>qdelay = one-way delay − base delay, the base being the minimum over ten one-minute buckets (RFC 6817 §3.4.2).</summary>
    private double QueueDelaySample(double owd, double t)
    {
        UpdateBaseDelay(owd, t);
        return Math.Max(0, owd - BaseDelay);
    }

    private void UpdateBaseDelay(double owd, double t)
    {
        long minute = (long)Math.Floor(t / 60);
        if (minute != _baseMinute)
        {
            long steps = _baseMinute == long.MinValue ? BaseBuckets : Math.Min(minute - _baseMinute, BaseBuckets);
            for (long s = 1; s <= steps; s++)
            {
                _baseMin[(int)((_baseMinute == long.MinValue ? s : _baseMinute + s) % BaseBuckets + BaseBuckets) % BaseBuckets] = double.PositiveInfinity;
            }
            _baseMinute = minute;
        }
        int b = (int)(minute % BaseBuckets + BaseBuckets) % BaseBuckets;
        _baseMin[b] = Math.Min(_baseMin[b], owd);
        double baseDelay = double.PositiveInfinity;
        foreach (double m in _baseMin)
        {
            baseDelay = Math.Min(baseDelay, m);
        }
        BaseDelay = baseDelay;
    }

    /// <summary>
    /// §4.1.2.4: a packet below the highest acknowledged one that has not arrived is marked missing; it is lost once it
    /// has stayed missing for the reordering window. Returns true when at least one packet was declared lost.
    /// </summary>
    private bool DetectLosses(double t)
    {
        bool lost = false;
        long from = Math.Max(_lossScan, _highestSent - RingSize + 1);
        for (long s = from; s < _highestAcked; s++)
        {
            long i = s & RingMask;
            if (_state[i] != Pending)
            {
                continue;
            }
            if (double.IsNaN(_missingSince[i]))
            {
                _missingSince[i] = t;
            }
            if (t - _missingSince[i] >= ReorderWindow)
            {
                _state[i] = Lost;
                lost = true;
            }
        }
        while (_lossScan < _highestAcked && (_state[_lossScan & RingMask] != Pending || _highestSent - _lossScan >= RingSize))
        {
            _lossScan++;
        }
        return lost;
    }

    private void UpdateLossEventRate(double t, bool loss)
    {
        _lossThisRtt |= loss;
        if (double.IsNaN(_lastLossRateUpdate))
        {
            _lastLossRateUpdate = t;
            return;
        }
        if (t - _lastLossRateUpdate >= SmoothedRtt)
        {
            LossEventRate = 0.9 * LossEventRate + 0.1 * (_lossThisRtt ? 1 : 0);
            _lossThisRtt = false;
            _lastLossRateUpdate = t;
        }
    }

    private void NoteBytesInFlight(double t)
    {
        long second = (long)Math.Floor(t);
        if (second != _bifSecond)
        {
            long steps = _bifSecond == long.MinValue ? BifBuckets : Math.Min(second - _bifSecond, BifBuckets);
            for (long s = 1; s <= steps; s++)
            {
                long bucket = _bifSecond == long.MinValue ? s : _bifSecond + s;
                _bifMax[(int)(bucket % BifBuckets + BifBuckets) % BifBuckets] = 0;
            }
            _bifSecond = second;
        }
        int b = (int)(second % BifBuckets + BifBuckets) % BifBuckets;
        _bifMax[b] = Math.Max(_bifMax[b], BytesInFlight);
    }

    private double FeedbackDeadline()
    {
        double oldest = _highestAcked + 1 <= _highestSent && InRing(_highestAcked + 1) ? _sendTime[(_highestAcked + 1) & RingMask] : _lastFeedback;
        double timeout = Math.Max(_p.FeedbackTimeout, 4 * SmoothedRtt);
        return Math.Max(_lastFeedback, oldest) + timeout;
    }

    /// <summary>No feedback for the timeout with data in flight: take it as lost (see <see cref="ScreamParameters.FeedbackTimeout"/>).</summary>
    private void OnFeedbackTimeout(double t)
    {
        _ackedCum = _totalSent;
        _highestAcked = _highestSent;
        Cwnd = _p.MinCwnd;
        InFastIncrease = false;
        _lastFeedback = t;
    }
}
