namespace RtcStack.NetSim.Tcp;

/// <summary>
/// Packet-level TCP sender model for cross traffic (RFC 8867 §5.6/5.7), built to behave like a Linux sender:
/// slow start with RFC 3465 byte counting (L = 2), congestion avoidance NewReno (RFC 5681) or CUBIC (RFC 9438:
/// C = 0.4, β = 0.7, TCP-friendly region), SACK (RFC 2018) scoreboard with SACK-based loss recovery (RFC 6675: pipe,
/// one window reduction per recovery episode, retransmit lost segments first), loss detection by RACK (RFC 8985:
/// a segment is lost when a segment sent later was delivered and the reordering window, min RTT / 4, has passed —
/// this also detects lost retransmissions, as Linux does, so they do not need a timeout) or by three SACKed segments
/// above it (RFC 6675 IsLost), and the retransmission timeout of RFC 6298 (as Linux: RTO ≥ SRTT + 200 ms, back-off; all
/// unSACKed data marked lost). A receive window caps the flight. Long flows send forever; short flows send files
/// (fixed or uniform size) separated by exponential idle times, restarting from the initial window after idle.
/// </summary>
public sealed class TcpSenderEndpoint : ISimEndpoint
{
    /// <summary>Payload bytes per segment.</summary>
    public const int Mss = 1460;

    /// <summary>Wire size of a full segment (IP + TCP headers).</summary>
    public const int SegmentWireSize = 1500;

    /// <summary>Wire size of an ACK.</summary>
    public const int AckWireSize = 40;

    /// <summary>Initial window in segments (RFC 6928).</summary>
    public const int InitialWindow = 10;

    private const double CubicC = 0.4;
    private const double CubicBeta = 0.7;
    private const int DupThresh = 3;

    private readonly TcpSenderOptions _o;
    private readonly SimAddress _destination;
    private readonly Random _rng;
    private readonly Queue<SimPacket> _outbox = new();
    private Slot[] _slots = new Slot[256];
    private double _cwnd = InitialWindow;
    private double _ssthresh = double.PositiveInfinity;
    private long _una;
    private long _nxt;
    private long _limit;
    private bool _inRecovery;
    private long _recoveryPoint;
    private double _srtt = -1;
    private double _rttvar;
    private double _rto = 1.0;
    private double _minRtt = double.PositiveInfinity;
    private TimeSpan _rackXmit = TimeSpan.MinValue;
    private double _rackRtt;
    private TimeSpan _rtoDeadline = TimeSpan.MaxValue;
    private TimeSpan _reorderDeadline = TimeSpan.MaxValue;
    private TimeSpan _nextFileStart;
    private bool _started;
    private bool _stopped;
    private double _wMax;
    private TimeSpan _epochStart = TimeSpan.MinValue;

    /// <summary>Creates a sender to <paramref name="destination"/>.</summary>
    public TcpSenderEndpoint(TcpSenderOptions options, SimAddress destination, Random rng)
    {
        _o = options;
        _destination = destination;
        _rng = rng;
        _nextFileStart = options.StartsIdle ? options.Start + DrawIdle() : options.Start;
    }

    /// <summary>Congestion window in segments.</summary>
    public double CongestionWindow => _cwnd;

    /// <summary>Retransmission timeouts so far.</summary>
    public int Timeouts { get; private set; }

    /// <summary>Recovery episodes entered on SACK/RACK loss detection (fast recovery).</summary>
    public int FastRetransmits { get; private set; }

    /// <summary>Segments retransmitted.</summary>
    public long Retransmissions { get; private set; }

    /// <summary>Segments acknowledged.</summary>
    public long SegmentsAcked => _una;

    /// <summary>Files completed (short flows).</summary>
    public int FilesCompleted { get; private set; }

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        if (packet.Tag is not TcpSegment { IsAck: true } ack || !_started || _stopped)
        {
            return;
        }
        long cum = Math.Min(ack.Sequence, _nxt);
        long delivered = 0;
        double rttSample = -1;
        bool advanced = cum > _una;
        for (long s = _una; s < cum; s++)
        {
            ref Slot slot = ref At(s);
            if (!slot.Sacked)
            {
                delivered++;
                OnDelivered(ref slot, now, ref rttSample);
            }
            slot = default;
        }
        if (advanced)
        {
            _una = cum;
        }
        for (int i = 0; i < ack.SackCount; i++)
        {
            (long start, long end) = ack.Sack(i);
            start = Math.Max(start, _una);
            end = Math.Min(end, _nxt);
            for (long s = start; s < end; s++)
            {
                ref Slot slot = ref At(s);
                if (!slot.Sacked)
                {
                    slot.Sacked = true;
                    slot.Lost = false;
                    delivered++;
                    OnDelivered(ref slot, now, ref rttSample);
                }
            }
        }
        if (rttSample >= 0)
        {
            UpdateRtt(rttSample);
        }
        bool newLoss = DetectLosses(now);
        if (_inRecovery && _una >= _recoveryPoint)
        {
            _inRecovery = false;
            _cwnd = Math.Max(_ssthresh, 1);
        }
        if (newLoss && !_inRecovery && _una >= _recoveryPoint)
        {
            // RFC 6675 §5 (4): one reduction per episode; cwnd = ssthresh.
            FastRetransmits++;
            _inRecovery = true;
            _recoveryPoint = _nxt;
            ReduceWindow();
            _cwnd = _ssthresh;
        }
        else if (!_inRecovery && delivered > 0)
        {
            if (_cwnd < _ssthresh)
            {
                // RFC 3465 appropriate byte counting with L = 2.
                _cwnd += Math.Min(delivered, 2);
            }
            else
            {
                CongestionAvoidance(delivered, now);
            }
        }
        if (advanced)
        {
            _rtoDeadline = _una < _nxt ? now + TimeSpan.FromSeconds(_rto) : TimeSpan.MaxValue;
        }
        SendAllowed(now);
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        if (now >= _o.Stop)
        {
            _rtoDeadline = TimeSpan.MaxValue;
            _reorderDeadline = TimeSpan.MaxValue;
            _stopped = true;
            return;
        }
        if (!_started && now >= _o.Start)
        {
            _started = true;
        }
        if (!_started)
        {
            return;
        }
        if (_una >= _limit && now >= _nextFileStart)
        {
            // Next file (short flows) or the endless long flow; after idle, restart from the initial window
            // (RFC 5681 §4.1, Linux tcp_slow_start_after_idle).
            long bytes = _o.FileBytes;
            if (_o.FileBytesMax > _o.FileBytes)
            {
                bytes += (long)(_rng.NextDouble() * (_o.FileBytesMax - _o.FileBytes + 1));
            }
            _limit = _o.FileBytes <= 0 ? long.MaxValue : _una + (bytes + Mss - 1) / Mss;
            _nextFileStart = TimeSpan.MaxValue;
            if (_o.FileBytes > 0)
            {
                _cwnd = Math.Min(_cwnd, InitialWindow);
            }
        }
        if (now >= _reorderDeadline)
        {
            _reorderDeadline = TimeSpan.MaxValue;
            if (DetectLosses(now) && !_inRecovery && _una >= _recoveryPoint)
            {
                FastRetransmits++;
                _inRecovery = true;
                _recoveryPoint = _nxt;
                ReduceWindow();
                _cwnd = _ssthresh;
            }
        }
        if (now >= _rtoDeadline && _una < _nxt)
        {
            // RFC 6298 §5.5–5.7: back off and collapse the window; Linux marks everything unSACKed lost.
            Timeouts++;
            ReduceWindow();
            // Slow start from one segment; no further reduction for losses of data sent before the timeout.
            _cwnd = 1;
            _inRecovery = false;
            _recoveryPoint = _nxt;
            for (long s = _una; s < _nxt; s++)
            {
                ref Slot slot = ref At(s);
                if (!slot.Sacked)
                {
                    slot.Lost = true;
                }
            }
            _rto = Math.Min(_rto * 2, 60);
            _rtoDeadline = now + TimeSpan.FromSeconds(_rto);
        }
        SendAllowed(now);
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(out SimPacket packet) => _outbox.TryDequeue(out packet!);

    /// <inheritdoc/>
    public TimeSpan PollTimeout()
    {
        if (_stopped)
        {
            return TimeSpan.MaxValue;
        }
        if (!_started)
        {
            return _o.Start;
        }
        TimeSpan t = _rtoDeadline < _reorderDeadline ? _rtoDeadline : _reorderDeadline;
        if (_una >= _limit && _nextFileStart < t)
        {
            t = _nextFileStart;
        }
        return t < _o.Stop ? t : _o.Stop;
    }

    private void OnDelivered(ref Slot slot, TimeSpan now, ref double rttSample)
    {
        double rtt = (now - slot.SentAt).TotalSeconds;
        // RFC 8985 §6.2: ignore a delivery of a retransmitted segment that may belong to the original transmission.
        if (slot.Retransmitted && rtt < _minRtt)
        {
            return;
        }
        if (slot.SentAt > _rackXmit)
        {
            _rackXmit = slot.SentAt;
            _rackRtt = rtt;
        }
        if (!slot.Retransmitted)
        {
            rttSample = rtt; // Karn: only never-retransmitted segments give RTT samples
        }
    }

    /// <summary>RACK (RFC 8985 §6.2) plus RFC 6675 IsLost; returns whether any segment was newly marked lost.</summary>
    private bool DetectLosses(TimeSpan now)
    {
        if (_rackXmit == TimeSpan.MinValue)
        {
            return false;
        }
        TimeSpan reoWnd = TimeSpan.FromSeconds(double.IsInfinity(_minRtt) ? 0 : _minRtt / 4);
        TimeSpan rackRtt = TimeSpan.FromSeconds(_rackRtt);
        bool any = false;
        int sackedAbove = 0;
        TimeSpan nextDeadline = TimeSpan.MaxValue;
        for (long s = _nxt - 1; s >= _una; s--)
        {
            ref Slot slot = ref At(s);
            if (slot.Sacked)
            {
                sackedAbove++;
                continue;
            }
            if (slot.Lost)
            {
                continue;
            }
            bool lost = !slot.Retransmitted && sackedAbove >= DupThresh;
            if (!lost && slot.SentAt < _rackXmit)
            {
                TimeSpan deadline = slot.SentAt + rackRtt + reoWnd;
                if (now >= deadline)
                {
                    lost = true;
                }
                else if (deadline < nextDeadline)
                {
                    nextDeadline = deadline;
                }
            }
            if (lost)
            {
                slot.Lost = true;
                any = true;
            }
        }
        if (nextDeadline < _reorderDeadline)
        {
            _reorderDeadline = nextDeadline;
        }
        return any;
    }

    private void SendAllowed(TimeSpan now)
    {
        if (!_started || _stopped || now >= _o.Stop)
        {
            return;
        }
        // RFC 6675 §4 SetPipe: segments neither SACKed nor deemed lost are in the network.
        long pipe = 0;
        long firstLost = -1;
        for (long s = _una; s < _nxt; s++)
        {
            ref Slot slot = ref At(s);
            if (slot.Sacked)
            {
                continue;
            }
            if (slot.Lost)
            {
                if (firstLost < 0)
                {
                    firstLost = s;
                }
                continue;
            }
            pipe++;
        }
        double window = Math.Min(_cwnd, _o.ReceiveWindowBytes / (double)Mss);
        while (window - pipe >= 1)
        {
            // NextSeg (RFC 6675 §4): lost segments first, then new data.
            if (firstLost >= 0)
            {
                long s = firstLost;
                ref Slot slot = ref At(s);
                slot.Lost = false;
                slot.Retransmitted = true;
                slot.SentAt = now;
                Retransmissions++;
                Emit(s);
                if (s == _una)
                {
                    // Linux re-arms the retransmission timer when it retransmits the head of the queue.
                    _rtoDeadline = now + TimeSpan.FromSeconds(_rto);
                }
                pipe++;
                firstLost = -1;
                for (long k = s + 1; k < _nxt; k++)
                {
                    ref Slot next = ref At(k);
                    if (!next.Sacked && next.Lost)
                    {
                        firstLost = k;
                        break;
                    }
                }
                continue;
            }
            if (_nxt >= _limit || _nxt - _una >= (long)(_o.ReceiveWindowBytes / Mss))
            {
                break;
            }
            EnsureCapacity(_nxt - _una + 1);
            ref Slot fresh = ref At(_nxt);
            fresh = new Slot { SentAt = now };
            Emit(_nxt);
            _nxt++;
            pipe++;
        }
        if (_una < _nxt && _rtoDeadline == TimeSpan.MaxValue)
        {
            _rtoDeadline = now + TimeSpan.FromSeconds(_rto);
        }
        if (_limit != long.MaxValue && _una >= _limit && _nextFileStart == TimeSpan.MaxValue)
        {
            // File done: idle for an exponential time before the next one.
            FilesCompleted++;
            _rtoDeadline = TimeSpan.MaxValue;
            _nextFileStart = now + DrawIdle();
        }
    }

    private TimeSpan DrawIdle() => TimeSpan.FromSeconds(-Math.Log(1 - _rng.NextDouble()) * _o.MeanIdle.TotalSeconds);

    private void Emit(long seq) =>
        _outbox.Enqueue(new SimPacket { Destination = _destination, WireSize = SegmentWireSize, Tag = new TcpSegment(seq, false) });

    private void ReduceWindow()
    {
        double flight = _nxt - _una;
        if (_o.Algorithm == TcpCongestionAlgorithm.Cubic)
        {
            // RFC 9438 §4.6–4.7 (fast convergence).
            _wMax = _cwnd < _wMax ? _cwnd * (1 + CubicBeta) / 2 : _cwnd;
            _ssthresh = Math.Max(_cwnd * CubicBeta, 2);
            _epochStart = TimeSpan.MinValue;
        }
        else
        {
            // RFC 5681 (4): ssthresh = max(FlightSize / 2, 2·SMSS).
            _ssthresh = Math.Max(Math.Min(flight, _cwnd) / 2, 2);
        }
    }

    private void CongestionAvoidance(long acked, TimeSpan now)
    {
        if (_o.Algorithm == TcpCongestionAlgorithm.NewReno)
        {
            _cwnd += acked / _cwnd;
            return;
        }
        if (_epochStart == TimeSpan.MinValue)
        {
            _epochStart = now;
            if (_wMax < _cwnd)
            {
                _wMax = _cwnd;
            }
        }
        double t = (now - _epochStart).TotalSeconds;
        double k = Math.Cbrt(_wMax * (1 - CubicBeta) / CubicC);
        double rtt = _srtt > 0 ? _srtt : 0.1;
        double target = CubicC * Math.Pow(t + rtt - k, 3) + _wMax;
        double renoFriendly = _wMax * CubicBeta + 3 * (1 - CubicBeta) / (1 + CubicBeta) * (t / rtt);
        double goal = Math.Max(target, renoFriendly);
        if (goal > _cwnd)
        {
            _cwnd += acked * Math.Min(goal - _cwnd, _cwnd / 2) / _cwnd;
        }
        else
        {
            _cwnd += acked * 0.01 / _cwnd;
        }
    }

    private void UpdateRtt(double sample)
    {
        _minRtt = Math.Min(_minRtt, sample);
        if (_srtt < 0)
        {
            _srtt = sample;
            _rttvar = sample / 2;
        }
        else
        {
            _rttvar = 0.75 * _rttvar + 0.25 * Math.Abs(_srtt - sample);
            _srtt = 0.875 * _srtt + 0.125 * sample;
        }
        // Linux (tcp_set_rto): the variance term is at least tcp_rto_min = 200 ms, so RTO >= SRTT + 200 ms.
        _rto = Math.Clamp(_srtt + Math.Max(4 * _rttvar, 0.2), 0.2, 60);
    }

    private ref Slot At(long seq) => ref _slots[seq & (_slots.Length - 1)];

    private void EnsureCapacity(long needed)
    {
        if (needed <= _slots.Length)
        {
            return;
        }
        int size = _slots.Length;
        while (size < needed)
        {
            size *= 2;
        }
        var grown = new Slot[size];
        for (long s = _una; s < _nxt; s++)
        {
            grown[s & (size - 1)] = _slots[s & (_slots.Length - 1)];
        }
        _slots = grown;
    }

    private struct Slot
    {
        public TimeSpan SentAt;
        public bool Sacked;
        public bool Lost;
        public bool Retransmitted;
    }
}
