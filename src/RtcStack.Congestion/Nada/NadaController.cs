namespace RtcStack.Congestion.Nada;

/// <summary>
/// NADA (RFC 8698), computed at the sender from per-packet feedback (RFC 8698 §4.2 computes the statistics at the
/// receiver; with per-packet feedback such as RFC 8888 the same quantities are available at the sender, which is
/// how this implementation runs). Per feedback report it derives one-way queuing delay against the minimum seen
/// (d_queue), a 15-tap minimum filter (d_tilde), loss ratio smoothed with ALPHA, the receiving rate over LOGWIN, and
/// the aggregate congestion signal x_curr = d_tilde (warped when losses are recent) + DMARK·(p_mark/PMRREF)² +
/// DLOSS·(p_loss/PLRREF)² (§4.2). It then updates r_ref in accelerated ramp-up mode (rmode 0, §4.3: no loss and
/// d_queue &lt; QEPS over LOGWIN) or gradual mode (rmode 1), clips r_ref to [RMIN, RMAX], and derives the encoder target
/// r_vin and sending rate r_send from the rate-shaping buffer (§5.1).
/// </summary>
public sealed class NadaController : ICongestionController
{
    private const int MinFilterTaps = 15;

    private readonly NadaParameters _p;
    private readonly SentPacketHistory _history = new();
    private readonly double[] _dQueueTaps = new double[MinFilterTaps];
    private readonly Queue<(double ArrivalMs, int Size, double DQueue)> _window = new();
    private readonly Queue<double> _lossTimes = new();
    private int _tapCount;
    private int _tapHead;
    private double _dBase = double.PositiveInfinity;
    private double _pLoss;
    private double _pMark;
    private double _xCurr;
    private double _xPrev;
    private double _rtt = 100;
    private double _windowBytes;
    private double _lastUpdateMs = double.NaN;
    private long _packetsSinceLoss;
    private double _avgLossInterval;
    private bool _lossesSeen;
    private long _bufferBytes;

    /// <summary>Creates a NADA controller.</summary>
    public NadaController(NadaParameters? parameters = null)
    {
        _p = parameters ?? new NadaParameters();
        RRef = Math.Clamp(_p.StartRate, _p.RMin, _p.RMax);
    }

    /// <inheritdoc/>
    public string Name => "nada";

    /// <summary>Reference rate r_ref, bps.</summary>
    public double RRef { get; private set; }

    /// <summary>Aggregate congestion signal x_curr, ms.</summary>
    public double XCurr => _xCurr;

    /// <summary>Receiving rate over LOGWIN, bps.</summary>
    public double ReceiveRate { get; private set; }

    /// <summary>Last rate-update mode: 0 accelerated ramp-up, 1 gradual update.</summary>
    public int RMode { get; private set; }

    /// <summary>Smoothed loss ratio p_loss.</summary>
    public double LossRatio => _pLoss;

    /// <inheritdoc/>
    public long TargetBitrateBps => (long)Math.Max(_p.RMin, RRef - _p.BetaV * 8 * _bufferBytes * _p.Fps);

    /// <inheritdoc/>
    public long PacingRateBps => (long)Math.Min(_p.RMax, RRef + _p.BetaS * 8 * _bufferBytes * _p.Fps);

    /// <inheritdoc/>
    public long PaddingRateBps => 0;

    /// <inheritdoc/>
    public void OnPacketSent(in SentPacket packet) => _history.Add(packet);

    /// <inheritdoc/>
    public void OnRoundTripTime(TimeSpan rtt, TimeSpan now) => _rtt = rtt.TotalMilliseconds;

    /// <inheritdoc/>
    public void OnSendQueue(long queuedBytes, TimeSpan now) => _bufferBytes = queuedBytes;

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
    }

    /// <inheritdoc/>
    public TimeSpan PollTimeout() => TimeSpan.MaxValue;

    /// <inheritdoc/>
    public bool TryPollProbe(out ProbeClusterConfig probe)
    {
        probe = default;
        return false;
    }

    /// <inheritdoc/>
    public void OnFeedback(ReadOnlySpan<PacketFeedback> feedback, TimeSpan now)
    {
        double nowMs = now.TotalMilliseconds;
        int received = 0, lost = 0, marked = 0;
        double latestArrival = double.MinValue;
        double minRtt = double.MaxValue;
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
                    OnLoss(nowMs);
                }
                continue;
            }
            if (!_history.MarkReceived(f.TransportSequenceNumber))
            {
                continue;
            }
            received++;
            _packetsSinceLoss++;
            if (f.EcnCe)
            {
                marked++;
            }
            double arrivalMs = f.ArrivalTime.TotalMilliseconds;
            double owd = arrivalMs - sent.SendTime.TotalMilliseconds;
            _dBase = Math.Min(_dBase, owd);
            double dQueue = owd - _dBase;
            AddTap(dQueue);
            // RFC 8698 §5.1.1: per-packet queuing-delay samples are filtered with the 15-sample minimum filter
            // before use, so the rmode check (§4.2: no sample >= QEPS within LOGWIN) sees filtered samples too.
            _window.Enqueue((arrivalMs, sent.Size, FilteredQueueDelay()));
            _windowBytes += sent.Size;
            latestArrival = Math.Max(latestArrival, arrivalMs);
            minRtt = Math.Min(minRtt, nowMs - sent.SendTime.TotalMilliseconds);
        }
        if (received + lost == 0)
        {
            return;
        }
        if (received > 0)
        {
            // Feedback RTT: report time − send time of the most recent packet, i.e. excluding the wait for the report.
            _rtt = minRtt;
            while (_window.Count > 0 && _window.Peek().ArrivalMs <= latestArrival - _p.LogWin)
            {
                _windowBytes -= _window.Dequeue().Size;
            }
            ReceiveRate = 8 * _windowBytes / (_p.LogWin / 1000);
        }
        while (_lossTimes.Count > 0 && _lossTimes.Peek() <= nowMs - _p.LogWin)
        {
            _lossTimes.Dequeue();
        }
        double instLoss = (double)lost / (received + lost);
        double instMark = received > 0 ? (double)marked / received : 0;
        _pLoss += _p.Alpha * (instLoss - _pLoss);
        _pMark += _p.Alpha * (instMark - _pMark);

        _xPrev = _xCurr;
        _xCurr = ComputeXCurr();
        double delta = double.IsNaN(_lastUpdateMs) ? _p.Delta : nowMs - _lastUpdateMs;
        _lastUpdateMs = nowMs;
        UpdateReferenceRate(delta);
    }

    /// <summary>
    /// RFC 8698 §4.3 rate update for one feedback interval <paramref name="deltaMs"/>, using the current x_curr, x_prev,
    /// receive rate and RTT. Public for unit tests of the equations.
    /// </summary>
    public void UpdateReferenceRate(double deltaMs)
    {
        RMode = IsRampUp() ? 0 : 1;
        if (RMode == 0)
        {
            double gamma = Math.Min(_p.GammaMax, _p.QBound / (_rtt + _p.Delta + _p.DFilt));
            RRef = Math.Max(RRef, (1 + gamma) * ReceiveRate);
        }
        else
        {
            double xOffset = _xCurr - _p.Prio * _p.XRef * _p.RMax / RRef;
            double xDiff = _xCurr - _xPrev;
            RRef = RRef
                - _p.Kappa * (deltaMs / _p.Tau) * (xOffset / _p.Tau) * RRef
                - _p.Kappa * _p.Eta * (xDiff / _p.Tau) * RRef;
        }
        RRef = Math.Clamp(RRef, _p.RMin, _p.RMax);
    }

    /// <summary>Sets the internal state used by <see cref="UpdateReferenceRate"/> (unit tests of the equations).</summary>
    internal void SetStateForTest(double rRef, double xCurr, double xPrev, double receiveRate, double rttMs, bool rampUp)
    {
        RRef = rRef;
        _xCurr = xCurr;
        _xPrev = xPrev;
        ReceiveRate = receiveRate;
        _rtt = rttMs;
        _forceMode = rampUp ? 0 : 1;
    }

    private int _forceMode = -1;

    /// <summary>RFC 8698 §4.2 non-linear warping of the filtered queuing delay (applied while losses are recent).</summary>
    public static double Warp(double dTilde, double qth, double lambda) =>
        dTilde < qth ? dTilde : qth * Math.Exp(-lambda * (dTilde - qth) / qth);

    private double ComputeXCurr()
    {
        double dTilde = double.MaxValue;
        for (int i = 0; i < _tapCount; i++)
        {
            dTilde = Math.Min(dTilde, _dQueueTaps[i]);
        }
        if (_tapCount == 0)
        {
            dTilde = 0;
        }
        double x = dTilde;
        if (_lossesSeen && _avgLossInterval > 0)
        {
            double warped = Warp(dTilde, _p.QTh, _p.Lambda);
            double since = _packetsSinceLoss;
            if (since < _p.MultiLoss * _avgLossInterval)
            {
                x = warped;
            }
            else if (since < (_p.MultiLoss + 1) * _avgLossInterval)
            {
                double a = (since - _p.MultiLoss * _avgLossInterval) / _avgLossInterval;
                x = a * dTilde + (1 - a) * warped;
            }
        }
        double plr = _pLoss / _p.PlrRef;
        double pmr = _pMark / _p.PmrRef;
        return Math.Min(x + _p.DMark * pmr * pmr + _p.DLoss * plr * plr, _p.XMax);
    }

    private bool IsRampUp()
    {
        if (_forceMode >= 0)
        {
            bool r = _forceMode == 0;
            _forceMode = -1;
            return r;
        }
        if (_lossTimes.Count > 0)
        {
            return false;
        }
        foreach ((double _, int _, double dq) in _window)
        {
            if (dq >= _p.QEps)
            {
                return false;
            }
        }
        return true;
    }

    private void OnLoss(double nowMs)
    {
        _lossTimes.Enqueue(nowMs);
        _avgLossInterval = _lossesSeen ? 0.9 * _avgLossInterval + 0.1 * _packetsSinceLoss : Math.Max(_packetsSinceLoss, 1);
        _lossesSeen = true;
        _packetsSinceLoss = 0;
    }

    private double FilteredQueueDelay()
    {
        double min = double.MaxValue;
        for (int i = 0; i < _tapCount; i++)
        {
            min = Math.Min(min, _dQueueTaps[i]);
        }
        return min;
    }

    private void AddTap(double dQueue)
    {
        if (_tapCount < MinFilterTaps)
        {
            _dQueueTaps[_tapCount++] = dQueue;
        }
        else
        {
            _dQueueTaps[_tapHead] = dQueue;
            _tapHead = (_tapHead + 1) % MinFilterTaps;
        }
    }
}
