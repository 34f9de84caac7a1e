namespace RtcStack.NetSim.Tcp;

/// <summary>
/// Packet-level TCP sender model for cross traffic (RFC 8867 §5.6/5.7): slow start, congestion avoidance (NewReno or
/// CUBIC; slow start with RFC 3465 byte counting, L = 2), fast retransmit after three duplicate ACKs with NewReno fast recovery (RFC 6582), and retransmission
/// timeout per RFC 6298 (min 200 ms as Linux uses, exponential back-off, go-back-N). A receive window caps the
/// flight. Long flows send forever; short flows send files of a given size separated by exponential idle times.
/// </summary>
public sealed class TcpSenderEndpoint : ISimEndpoint
{
    /// <summary>Payload bytes per segment.</summary>
    public const int Mss = 1460;

    /// <summary>Wire size of a full segment (IP + TCP headers).</summary>
    public const int SegmentWireSize = 1500;

    /// <summary>Wire size of an ACK.</summary>
    public const int AckWireSize = 40;

    private const double CubicC = 0.4;
    private const double CubicBeta = 0.7;

    private readonly TcpSenderOptions _o;
    private readonly SimAddress _destination;
    private readonly Random _rng;
    private readonly Queue<SimPacket> _outbox = new();
    private readonly Dictionary<long, TimeSpan> _sendTimes = new();
    private readonly HashSet<long> _retransmitted = new();
    private double _cwnd = 10;
    private double _ssthresh = double.PositiveInfinity;
    private long _una;
    private long _nxt;
    private long _limit;
    private int _dupAcks;
    private bool _inRecovery;
    private long _recover;
    private double _srtt = -1;
    private double _rttvar;
    private double _rto = 1.0;
    private TimeSpan _rtoDeadline = TimeSpan.MaxValue;
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
        _nextFileStart = options.Start;
    }

    /// <summary>Congestion window in segments.</summary>
    public double CongestionWindow => _cwnd;

    /// <summary>Retransmission timeouts so far.</summary>
    public int Timeouts { get; private set; }

    /// <summary>Fast retransmits so far.</summary>
    public int FastRetransmits { get; private set; }

    /// <summary>Segments acknowledged.</summary>
    public long SegmentsAcked => _una;

    /// <inheritdoc/>
    public void HandleDatagram(SimPacket packet, TimeSpan now)
    {
        if (packet.Tag is not TcpSegment { IsAck: true } ack)
        {
            return;
        }
        long cum = ack.Sequence;
        if (cum > _una)
        {
            long newly = cum - _una;
            if (_sendTimes.TryGetValue(cum - 1, out TimeSpan sent) && !_retransmitted.Contains(cum - 1))
            {
                UpdateRtt((now - sent).TotalSeconds);
            }
            for (long s = _una; s < cum; s++)
            {
                _sendTimes.Remove(s);
                _retransmitted.Remove(s);
            }
            _una = cum;
            if (_nxt < _una)
            {
                _nxt = _una;
            }
            if (_inRecovery)
            {
                if (cum >= _recover)
                {
                    _inRecovery = false;
                    _cwnd = _ssthresh;
                }
                else
                {
                    Retransmit(_una, now);
                    _cwnd = Math.Max(_cwnd - newly + 1, 1);
                }
            }
            else if (_cwnd < _ssthresh)
            {
                // RFC 3465 appropriate byte counting with L = 2: a stretch ACK (e.g. after go-back-N) must not
                // open the window by the whole jump at once.
                _cwnd += Math.Min(newly, 2);
            }
            else
            {
                CongestionAvoidance(newly, now);
            }
            _dupAcks = 0;
            _rtoDeadline = _una < _nxt ? now + TimeSpan.FromSeconds(_rto) : TimeSpan.MaxValue;
        }
        else if (cum == _una && _una < _nxt)
        {
            _dupAcks++;
            if (_dupAcks == 3 && !_inRecovery)
            {
                OnLoss(now);
                FastRetransmits++;
                _recover = _nxt;
                _inRecovery = true;
                Retransmit(_una, now);
                _cwnd = _ssthresh + 3;
            }
            else if (_inRecovery)
            {
                _cwnd += 1;
            }
        }
        SendAllowed(now);
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        if (now >= _o.Stop)
        {
            _rtoDeadline = TimeSpan.MaxValue;
            _stopped = true;
            return;
        }
        if (!_started && now >= _o.Start)
        {
            _started = true;
        }
        if (_started && _una >= _limit && now >= _nextFileStart)
        {
            // Next file (short flows) or the endless long flow.
            _limit = _o.FileBytes <= 0 ? long.MaxValue : _una + (_o.FileBytes + Mss - 1) / Mss;
            _nextFileStart = TimeSpan.MaxValue;
            if (_o.FileBytes > 0)
            {
                _cwnd = Math.Min(_cwnd, 10);
            }
        }
        if (now >= _rtoDeadline && _una < _nxt)
        {
            // RFC 6298 §5.5–5.7: back off, collapse the window, resend from the first unacknowledged segment.
            OnLoss(now);
            Timeouts++;
            _cwnd = 1;
            _inRecovery = false;
            _dupAcks = 0;
            for (long s = _una; s < _nxt; s++)
            {
                _retransmitted.Add(s);
            }
            _nxt = _una;
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
        if (!_started)
        {
            return _o.Start;
        }
        if (_stopped)
        {
            return TimeSpan.MaxValue;
        }
        TimeSpan t = _rtoDeadline;
        if (_una >= _limit && _nextFileStart < t)
        {
            t = _nextFileStart;
        }
        return t < _o.Stop ? t : _o.Stop;
    }

    private void SendAllowed(TimeSpan now)
    {
        if (!_started || now >= _o.Stop)
        {
            return;
        }
        double window = Math.Min(_cwnd, _o.ReceiveWindowBytes / (double)Mss);
        while (_nxt < _limit && _nxt - _una < (long)window)
        {
            bool retx = _sendTimes.ContainsKey(_nxt);
            if (retx)
            {
                _retransmitted.Add(_nxt);
            }
            Transmit(_nxt, now);
            _nxt++;
        }
        if (_una < _nxt && _rtoDeadline == TimeSpan.MaxValue)
        {
            _rtoDeadline = now + TimeSpan.FromSeconds(_rto);
        }
        if (_limit != long.MaxValue && _una >= _limit && _nextFileStart == TimeSpan.MaxValue)
        {
            // File done: idle for an exponential time before the next one.
            double idle = -Math.Log(1 - _rng.NextDouble()) * _o.MeanIdle.TotalSeconds;
            _nextFileStart = now + TimeSpan.FromSeconds(idle);
        }
    }

    private void Retransmit(long seq, TimeSpan now)
    {
        _retransmitted.Add(seq);
        Transmit(seq, now);
    }

    private void Transmit(long seq, TimeSpan now)
    {
        _sendTimes[seq] = now;
        _outbox.Enqueue(new SimPacket { Destination = _destination, WireSize = SegmentWireSize, Tag = new TcpSegment(seq, false) });
    }

    private void OnLoss(TimeSpan now)
    {
        double flight = _nxt - _una;
        if (_o.Algorithm == TcpCongestionAlgorithm.Cubic)
        {
            _wMax = _cwnd;
            _ssthresh = Math.Max(_cwnd * CubicBeta, 2);
            _epochStart = TimeSpan.MinValue;
        }
        else
        {
            _ssthresh = Math.Max(flight / 2, 2);
        }
        _ = now;
    }

    private void CongestionAvoidance(long newly, TimeSpan now)
    {
        if (_o.Algorithm == TcpCongestionAlgorithm.NewReno)
        {
            _cwnd += newly / _cwnd;
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
        double target = CubicC * Math.Pow(t - k, 3) + _wMax;
        double rtt = _srtt > 0 ? _srtt : 0.1;
        double renoFriendly = _wMax * CubicBeta + 3 * (1 - CubicBeta) / (1 + CubicBeta) * (t / rtt);
        double goal = Math.Max(target, renoFriendly);
        if (goal > _cwnd)
        {
            _cwnd += newly * (goal - _cwnd) / _cwnd;
        }
        else
        {
            _cwnd += newly * 0.01 / _cwnd;
        }
    }

    private void UpdateRtt(double sample)
    {
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
        _rto = Math.Clamp(_srtt + 4 * _rttvar, 0.2, 60);
    }
}
