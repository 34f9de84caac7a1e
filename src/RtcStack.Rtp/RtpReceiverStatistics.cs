namespace RtcStack.Rtp;

/// <summary>
/// Reception statistics for one RTP source, following RFC 3550 Appendix A: sequence validation
/// with probation and resynchronisation (A.1), expected and lost counts and the fraction lost
/// (A.3), interarrival jitter (A.8), and LSR/DLSR bookkeeping (§6.4.1) to build report blocks.
/// It also counts what a capture analyser wants: duplicates, out-of-order packets and the largest
/// sequence gap, and the mean and maximum jitter.
/// </summary>
/// <remarks>
/// Sans-IO: arrival times are passed in. Jitter is kept in floating point (the A.8 formula
/// J += (|D| − J) / 16, as tshark computes it) rather than A.8's scaled integer variant; the
/// report block carries it truncated to an integer number of timestamp units. D is computed from
/// the arrival-time difference and the 32-bit timestamp difference of consecutive packets, so the
/// size of the arrival times costs no precision. The capture analyser
/// (<see cref="Capture.RtpStreamStatistics"/>) is this class with probation and restarts turned
/// off and a duplicate history covering every sequence number it can tell apart.
/// </remarks>
public sealed class RtpReceiverStatistics
{
    /// <summary>RFC 3550 A.1: MAX_DROPOUT default.</summary>
    public const int DefaultMaxDropout = 3000;

    /// <summary>RFC 3550 A.1: MAX_MISORDER default.</summary>
    public const int DefaultMaxMisorder = 100;

    /// <summary>RFC 3550 A.1: MIN_SEQUENTIAL default.</summary>
    public const int DefaultMinSequential = 2;

    private const int SeqMod = 1 << 16;
    private const int DefaultHistorySize = 4096;

    private readonly int _maxDropout;
    private readonly int _maxMisorder;
    private readonly int _minSequential;
    private readonly ReceivedSequenceHistory _history;

    private ushort _maxSeq;
    private long _cycles;
    private long _baseSeq;
    private int _badSeq = SeqMod + 1;
    private int _probation;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private bool _started;

    private long _lastExtendedSequence;
    private bool _hasPrevious;
    private long _previousArrival;
    private uint _previousTimestamp;
    private double _jitter;
    private LastReportTracker _lastSenderReport;

    /// <summary>Initializes statistics for <paramref name="ssrc"/> with the RTP clock rate of its payload format.</summary>
    /// <param name="ssrc">The source.</param>
    /// <param name="clockRate">RTP timestamp units per second (for example 48000 for Opus, 90000 for video).</param>
    /// <param name="minSequential">Packets in sequence needed before a new source is valid; 1 disables probation.</param>
    /// <param name="maxDropout">Largest forward jump accepted as loss rather than a restart.</param>
    /// <param name="maxMisorder">Largest backward jump accepted as reordering rather than a restart.</param>
    public RtpReceiverStatistics(uint ssrc, int clockRate, int minSequential = DefaultMinSequential, int maxDropout = DefaultMaxDropout, int maxMisorder = DefaultMaxMisorder)
        : this(ssrc, clockRate, minSequential, maxDropout, maxMisorder, new ReceivedSequenceHistory(DefaultHistorySize, DefaultHistorySize))
    {
    }

    // history: which sequence numbers up to the highest are remembered for duplicate detection; a
    // copy of an older packet counts as out of order.
    internal RtpReceiverStatistics(uint ssrc, int clockRate, int minSequential, int maxDropout, int maxMisorder, ReceivedSequenceHistory history)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(minSequential, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDropout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMisorder);
        Ssrc = ssrc;
        ClockRate = clockRate;
        _minSequential = minSequential;
        _maxDropout = maxDropout;
        _maxMisorder = maxMisorder;
        _history = history;
    }

    /// <summary>Gets the source.</summary>
    public uint Ssrc { get; }

    /// <summary>Gets the RTP clock rate used for jitter.</summary>
    public int ClockRate { get; }

    /// <summary>Gets the number of packets passed to <see cref="ReceivePacket(ushort, uint, TimeSpan)"/>, valid or not.</summary>
    public long PacketsSeen { get; private set; }

    /// <summary>Gets the number of packets counted as received by RFC 3550 A.1 (after probation; duplicates included).</summary>
    public long PacketsReceived => _received;

    /// <summary>Gets a value indicating whether the source passed probation (RFC 3550 A.1).</summary>
    public bool IsValid => _started && _probation == 0;

    /// <summary>Gets the extended highest sequence number received: cycles × 2^16 + max_seq (RFC 3550 A.1).</summary>
    public long ExtendedHighestSequenceNumber => _cycles + _maxSeq;

    /// <summary>Gets the first (extended) sequence number counted (base_seq, RFC 3550 A.1).</summary>
    public long BaseSequenceNumber => _baseSeq;

    /// <summary>Gets the extended sequence number of the last packet counted (below the highest if it arrived late).</summary>
    internal long LastExtendedSequenceNumber => _lastExtendedSequence;

    /// <summary>Gets the number of packets expected: extended highest − base + 1 (RFC 3550 A.3).</summary>
    public long PacketsExpected => IsValid ? ExtendedHighestSequenceNumber - _baseSeq + 1 : 0;

    /// <summary>Gets the cumulative number lost: expected − received, negative when duplicates outnumber losses (RFC 3550 A.3).</summary>
    public long CumulativeLost => PacketsExpected - _received;

    /// <summary>Gets the number of duplicate packets (a sequence number already received within the last 4096).</summary>
    public long Duplicates { get; private set; }

    /// <summary>Gets the number of packets that arrived after a packet with a higher sequence number (duplicates excluded).</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Gets the largest number of consecutive sequence numbers skipped when a packet advanced the highest sequence number.</summary>
    public long MaxSequenceGap { get; private set; }

    /// <summary>Gets the number of times the source was resynchronised after a large jump (RFC 3550 A.1, bad_seq).</summary>
    public int Resyncs { get; private set; }

    /// <summary>Gets the interarrival jitter in RTP timestamp units (RFC 3550 A.8).</summary>
    public double Jitter => _jitter;

    /// <summary>Gets the interarrival jitter as a duration.</summary>
    public TimeSpan JitterTime => TimeSpan.FromSeconds(_jitter / ClockRate);

    /// <summary>Gets the largest jitter value seen, in RTP timestamp units.</summary>
    public double MaxJitter { get; private set; }

    /// <summary>Gets the sum of the jitter values after each packet (for a mean jitter), in timestamp units.</summary>
    public double JitterSum { get; private set; }

    /// <summary>Gets the number of jitter values summed in <see cref="JitterSum"/>.</summary>
    public long JitterSamples { get; private set; }

    /// <summary>Gets the mean of the jitter values after each packet, in timestamp units.</summary>
    public double MeanJitter => JitterSamples == 0 ? 0 : JitterSum / JitterSamples;

    /// <summary>Gets the LSR/DLSR bookkeeping of the sender reports received from this source.</summary>
    public LastReportTracker LastSenderReport => _lastSenderReport;

    /// <summary>Returns the counters as a W3C-style "inbound-rtp" snapshot (jitter values in seconds).</summary>
    public InboundRtpStreamStats GetStats() => new(
        Ssrc,
        PacketsReceived,
        CumulativeLost,
        _jitter / ClockRate,
        ExtendedHighestSequenceNumber,
        Duplicates,
        OutOfOrder,
        MaxSequenceGap,
        MaxJitter / ClockRate,
        MeanJitter / ClockRate);

    /// <summary>
    /// Processes one packet. Returns true when the packet counts (RFC 3550 A.1 update_seq):
    /// false during probation and for the first packet after a very large jump.
    /// </summary>
    public bool ReceivePacket(ushort sequenceNumber, uint rtpTimestamp, TimeSpan arrivalTime) =>
        Receive(sequenceNumber, rtpTimestamp, arrivalTime.Ticks, TimeSpan.TicksPerSecond);

    /// <summary>As <see cref="ReceivePacket(ushort, uint, TimeSpan)"/>, with the arrival time in nanoseconds (capture files have nanosecond timestamps).</summary>
    internal bool ReceivePacket(ushort sequenceNumber, uint rtpTimestamp, long arrivalNanoseconds) =>
        Receive(sequenceNumber, rtpTimestamp, arrivalNanoseconds, 1_000_000_000);

    private bool Receive(ushort sequenceNumber, uint rtpTimestamp, long arrival, long arrivalUnitsPerSecond)
    {
        PacketsSeen++;
        bool valid = UpdateSequence(sequenceNumber);
        if (valid)
        {
            UpdateJitter(rtpTimestamp, arrival, arrivalUnitsPerSecond);
        }

        return valid;
    }

    /// <summary>Records an SR from this source, for LSR/DLSR (RFC 3550 §6.4.1).</summary>
    public void OnSenderReport(NtpTimestamp ntp, TimeSpan arrivalTime) => _lastSenderReport.OnReportReceived(ntp, arrivalTime);

    /// <summary>
    /// Builds the report block to send at <paramref name="now"/> and starts a new interval for the
    /// fraction lost (RFC 3550 A.3). The cumulative loss is clamped to 24 signed bits.
    /// </summary>
    public Rtcp.RtcpReportBlock CreateReportBlock(TimeSpan now)
    {
        long expected = PacketsExpected;
        long expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        long receivedInterval = _received - _receivedPrior;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        int cumulative = (int)Math.Clamp(CumulativeLost, Rtcp.RtcpReportBlock.MinCumulativeLost, Rtcp.RtcpReportBlock.MaxCumulativeLost);
        return new Rtcp.RtcpReportBlock(
            Ssrc,
            fraction,
            cumulative,
            (uint)ExtendedHighestSequenceNumber,
            (uint)Math.Min(uint.MaxValue, _jitter),
            _lastSenderReport.Last,
            _lastSenderReport.DelaySinceLast(now));
    }

    private void InitSequence(ushort seq)
    {
        _baseSeq = seq;
        _maxSeq = seq;
        _badSeq = SeqMod + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
        _history.Clear();
    }

    // RFC 3550 A.1 update_seq, with duplicate/reorder accounting on top.
    private bool UpdateSequence(ushort seq)
    {
        if (!_started)
        {
            _started = true;
            InitSequence(seq);
            _maxSeq = (ushort)(seq - 1);
            _probation = _minSequential;
        }

        int udelta = (ushort)(seq - _maxSeq);
        if (_probation > 0)
        {
            if (seq == (ushort)(_maxSeq + 1))
            {
                _probation--;
                _maxSeq = seq;
                if (_probation == 0)
                {
                    InitSequence(seq);
                    _received++;
                    _history.Mark(_baseSeq, _baseSeq);
                    _lastExtendedSequence = _baseSeq;
                    return true;
                }
            }
            else
            {
                _probation = _minSequential - 1;
                _maxSeq = seq;
            }

            return false;
        }

        if (udelta < _maxDropout)
        {
            if (udelta == 0)
            {
                Duplicates++;
            }
            else
            {
                long previousHighest = ExtendedHighestSequenceNumber;
                if (seq < _maxSeq)
                {
                    _cycles += SeqMod;
                }

                _maxSeq = seq;
                MaxSequenceGap = Math.Max(MaxSequenceGap, udelta - 1);
                _history.Advance(previousHighest, ExtendedHighestSequenceNumber);
            }
        }
        else if (udelta <= SeqMod - _maxMisorder)
        {
            if (seq == _badSeq)
            {
                // Two sequential packets after a big jump: the sender restarted.
                Resyncs++;
                InitSequence(seq);
                _history.Mark(_baseSeq, _baseSeq);
            }
            else
            {
                _badSeq = (seq + 1) & (SeqMod - 1);
                return false;
            }
        }
        else
        {
            // Late or duplicate packet within MAX_MISORDER behind the highest (possibly from before
            // the base: still remembered, so that a second copy of it is a duplicate).
            long extended = ExtendedHighestSequenceNumber - (SeqMod - udelta);
            _lastExtendedSequence = extended;
            if (_history.Contains(extended, ExtendedHighestSequenceNumber))
            {
                Duplicates++;
            }
            else
            {
                OutOfOrder++;
                _history.Mark(extended, ExtendedHighestSequenceNumber);
            }

            _received++;
            return true;
        }

        _lastExtendedSequence = ExtendedHighestSequenceNumber;
        _received++;
        return true;
    }

    // RFC 3550 A.8: D(i-1, i) = (R_i - R_{i-1}) - (S_i - S_{i-1}) in timestamp units; J += (|D| - J) / 16.
    // The arrival difference is taken in the caller's integer units (ticks or nanoseconds) and the
    // timestamp difference modulo 2^32, so neither large arrival times nor timestamp wrap-around
    // costs precision.
    private void UpdateJitter(uint rtpTimestamp, long arrival, long arrivalUnitsPerSecond)
    {
        if (_hasPrevious)
        {
            double d = ((arrival - _previousArrival) * (double)ClockRate / arrivalUnitsPerSecond) - (int)(rtpTimestamp - _previousTimestamp);

            // After a pause longer than 2^31 timestamp units the signed difference is the wrong
            // representative; bring D back to the nearest one (a no-op otherwise).
            d -= Math.Round(d / 4294967296.0) * 4294967296.0;
            _jitter += (Math.Abs(d) - _jitter) / 16;
            MaxJitter = Math.Max(MaxJitter, _jitter);
            JitterSum += _jitter;
            JitterSamples++;
        }

        _previousArrival = arrival;
        _previousTimestamp = rtpTimestamp;
        _hasPrevious = true;
    }
}
