namespace RtcStack.Opus.Jitter;

/// <summary>
/// An adaptive audio jitter buffer, sans-IO: RTP packets (SSRC, sequence number, timestamp, arrival time, payload) go
/// in through <see cref="Insert"/>, and every 10 or 20 ms the caller pulls one frame of interleaved PCM with
/// <see cref="GetAudio"/>, passing the current time. Nothing inside reads a clock.
/// <para>
/// Each time audio is needed the buffer decides: decode the expected packet as it is (normal), shorten or lengthen it
/// by one pitch period (<see cref="TimeStretcher"/>, accelerate/decelerate) to move the delay towards the target, rebuild
/// a missing packet from the next packet's in-band FEC (RFC 7587 §3.3, RFC 6716 §4.2.4), conceal it with the decoder
/// (expand), or play comfort noise through a DTX gap (RFC 7587 §3.4; a gap in timestamps with no gap in sequence
/// numbers, or silence after a packet of two bytes or fewer). While nothing at all is buffered an adaptive buffer holds
/// its playout point instead of skipping ahead, so a delay spike costs concealment once and the packets behind it are
/// still played; a fixed buffer skips ahead and discards them as late. A new SSRC or a timestamp jump resets it.
/// </para>
/// <para>
/// The target delay is the <see cref="JitterBufferOptions.DelayQuantile"/> of a relative-delay histogram
/// (<see cref="RelativeDelayHistogram"/>), clamped to [<see cref="JitterBufferOptions.MinimumDelay"/>,
/// <see cref="JitterBufferOptions.MaximumDelay"/>]. Statistics follow the W3C webrtc-stats inbound-rtp audio members.
/// All storage is allocated up front: inserting and playing out do not allocate. Not thread-safe.
/// </para>
/// </summary>
public sealed class AdaptiveJitterBuffer
{
    private const int MaxProduceSteps = 64;

    private readonly IJitterBufferDecoder _decoder;
    private readonly JitterBufferOptions _options;
    private readonly int _rate;
    private readonly int _channels;
    private readonly int _clock;
    private readonly int _frame;
    private readonly long _frameTicks;
    private readonly int _maxPacketSamples;
    private readonly int _granule;
    private readonly int _minLag;
    private readonly int _maxLag;
    private readonly long _accelerateMarginTicks;
    private readonly long _maxJumpRtp;

    private readonly byte[] _payloads;
    private readonly int[] _lengths;
    private readonly long[] _timestamps;
    private readonly ushort[] _sequences;
    private readonly long[] _arrivals;
    private readonly bool[] _used;
    private int _stored;

    private readonly short[] _pcm;
    private int _pcmStart;
    private int _pcmCount;
    private readonly short[] _scratch;
    private readonly short[] _stretched;

    private readonly RelativeDelayHistogram _histogram;

    private bool _haveStream;
    private uint _ssrc;
    private uint _lastRawTimestamp;
    private long _lastUnwrapped;

    private bool _started;
    private bool _nextValid;
    private long _next;
    private long _firstArrival;
    private long _lastTick;
    private bool _haveLastSequence;
    private ushort _lastSequence;
    private bool _lastWasDtx;
    private int _lastDuration;
    private long _stalledRtp;
    private bool _concealing;
    private bool _haveDelay;
    private double _delayTicks;
    private JitterBufferDecision _decision;

    private double _jitterBufferDelayTicks;
    private double _targetDelayTicks;
    private double _minimumDelayTicks;
    private long _emitted;
    private long _totalSamples;
    private long _concealed;
    private long _silentConcealed;
    private long _concealmentEvents;
    private long _inserted;
    private long _removed;
    private long _fecSamples;
    private long _packetsReceived;
    private long _packetsDecoded;
    private long _late;
    private long _duplicate;
    private long _invalid;
    private long _overflow;
    private long _flushed;
    private long _decodeErrors;
    private long _resets;

    /// <summary>Creates a buffer that decodes with <paramref name="decoder"/>.</summary>
    public AdaptiveJitterBuffer(IJitterBufferDecoder decoder, JitterBufferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        options ??= new JitterBufferOptions();
        options.Validate();
        _decoder = decoder;
        _options = options;
        _rate = decoder.SampleRate;
        _channels = decoder.Channels;
        ArgumentOutOfRangeException.ThrowIfLessThan(_rate, 8000, nameof(decoder));
        ArgumentOutOfRangeException.ThrowIfLessThan(_channels, 1, nameof(decoder));
        _clock = options.ClockRate;
        _frame = _rate * options.FrameMilliseconds / 1000;
        _frameTicks = TimeSpan.FromMilliseconds(options.FrameMilliseconds).Ticks;
        _maxPacketSamples = _rate * 120 / 1000;
        _granule = _rate / 400;
        _minLag = _rate / 400;
        _maxLag = _rate / 100;
        _accelerateMarginTicks = TimeSpan.FromMilliseconds(5).Ticks;
        _maxJumpRtp = (long)(options.MaxTimestampJump.TotalSeconds * _clock);

        int capacity = options.Capacity;
        _payloads = new byte[capacity * options.MaxPayloadBytes];
        _lengths = new int[capacity];
        _timestamps = new long[capacity];
        _sequences = new ushort[capacity];
        _arrivals = new long[capacity];
        _used = new bool[capacity];

        _pcm = new short[(_frame + (2 * _maxPacketSamples) + _maxLag) * _channels];
        _scratch = new short[_maxPacketSamples * _channels];
        _stretched = new short[(_maxPacketSamples + _maxLag) * _channels];
        _histogram = new RelativeDelayHistogram((int)options.MaximumDelay.TotalMilliseconds, options.DelayQuantile, options.ForgetFactor);
    }

    /// <summary>Gets the samples per channel of one output frame.</summary>
    public int FrameSamples => _frame;

    /// <summary>Gets the number of interleaved channels.</summary>
    public int Channels => _channels;

    /// <summary>Gets the output sample rate.</summary>
    public int SampleRate => _rate;

    /// <summary>Gets the current target delay: the histogram quantile clamped to the configured range (the fixed delay of a fixed buffer).</summary>
    public TimeSpan TargetDelay => TimeSpan.FromTicks(TargetTicks());

    /// <summary>Gets a snapshot of the counters.</summary>
    public JitterBufferStatistics Statistics => new()
    {
        JitterBufferDelay = _jitterBufferDelayTicks / TimeSpan.TicksPerSecond,
        JitterBufferTargetDelay = _targetDelayTicks / TimeSpan.TicksPerSecond,
        JitterBufferMinimumDelay = _minimumDelayTicks / TimeSpan.TicksPerSecond,
        JitterBufferEmittedCount = _emitted,
        TotalSamplesReceived = _totalSamples,
        ConcealedSamples = _concealed,
        SilentConcealedSamples = _silentConcealed,
        ConcealmentEvents = _concealmentEvents,
        InsertedSamplesForDeceleration = _inserted,
        RemovedSamplesForAcceleration = _removed,
        FecSamples = _fecSamples,
        PacketsReceived = _packetsReceived,
        PacketsDecoded = _packetsDecoded,
        PacketsDiscardedLate = _late,
        PacketsDuplicate = _duplicate,
        PacketsInvalid = _invalid,
        PacketsDroppedOverflow = _overflow,
        PacketsFlushed = _flushed,
        PacketsBuffered = _stored,
        DecodeErrors = _decodeErrors,
        Resets = _resets,
        TargetDelay = TargetDelay,
        CurrentDelay = TimeSpan.FromTicks((long)_delayTicks),
    };

    /// <summary>
    /// Hands one received RTP packet to the buffer (RFC 3550 §5.1 fields; <paramref name="payload"/> is copied).
    /// <paramref name="arrival"/> is the receive time on the same clock as <see cref="GetAudio"/>'s.
    /// Never throws on packet content.
    /// </summary>
    public JitterBufferInsertResult Insert(uint ssrc, ushort sequenceNumber, uint timestamp, TimeSpan arrival, ReadOnlySpan<byte> payload)
    {
        _packetsReceived++;
        if (payload.IsEmpty || payload.Length > _options.MaxPayloadBytes || _decoder.GetDuration(payload) <= 0)
        {
            _invalid++;
            return JitterBufferInsertResult.Invalid;
        }

        bool reset = false;
        if (!_haveStream)
        {
            _haveStream = true;
            _ssrc = ssrc;
            _lastRawTimestamp = timestamp;
            _lastUnwrapped = timestamp;
        }
        else if (ssrc != _ssrc)
        {
            ResetStream();
            _ssrc = ssrc;
            reset = true;
        }

        long unwrapped = Unwrap(timestamp);
        if (!reset && _nextValid && Math.Abs(unwrapped - _next) > _maxJumpRtp)
        {
            ResetStream();
            reset = true;
            _lastRawTimestamp = timestamp;
            _lastUnwrapped = timestamp;
            unwrapped = timestamp;
        }

        long arrivalTicks = arrival.Ticks;
        long excess = _histogram.Update(unwrapped, arrivalTicks, _clock);

        if (!_nextValid)
        {
            _nextValid = true;
            _next = unwrapped;
            _firstArrival = arrivalTicks;
        }
        else if (!_started && unwrapped < _next)
        {
            // Reordered before playout began: start from the earliest packet.
            _next = unwrapped;
        }

        if (_started)
        {
            UpdateDelayEstimate(unwrapped, arrivalTicks, excess);
            if (unwrapped < _next)
            {
                _late++;
                return JitterBufferInsertResult.Late;
            }
        }

        for (int i = 0; i < _used.Length; i++)
        {
            if (_used[i] && _timestamps[i] == unwrapped)
            {
                _duplicate++;
                return JitterBufferInsertResult.Duplicate;
            }
        }

        int slot = FreeSlot();
        if (slot < 0)
        {
            slot = Earliest();
            _used[slot] = false;
            _stored--;
            _overflow++;
        }

        payload.CopyTo(_payloads.AsSpan(slot * _options.MaxPayloadBytes, payload.Length));
        _lengths[slot] = payload.Length;
        _timestamps[slot] = unwrapped;
        _sequences[slot] = sequenceNumber;
        _arrivals[slot] = arrivalTicks;
        _used[slot] = true;
        _stored++;
        return reset ? JitterBufferInsertResult.StoredAfterReset : JitterBufferInsertResult.Stored;
    }

    /// <summary>
    /// Produces the next <see cref="FrameSamples"/> × <see cref="Channels"/> interleaved samples into
    /// <paramref name="pcm"/> (exactly that long) at time <paramref name="now"/>, and returns what was done.
    /// </summary>
    public JitterBufferDecision GetAudio(TimeSpan now, Span<short> pcm)
    {
        if (pcm.Length != _frame * _channels)
        {
            throw new ArgumentException($"One frame is {_frame * _channels} samples.", nameof(pcm));
        }

        if (!_started)
        {
            if (_stored > 0 && now.Ticks - _firstArrival >= _options.InitialDelay.Ticks)
            {
                _started = true;
                _lastTick = now.Ticks;
            }
            else
            {
                pcm.Clear();
                return JitterBufferDecision.Silence;
            }
        }

        _decision = JitterBufferDecision.Normal;
        int steps = 0;
        while (_pcmCount < _frame)
        {
            if (++steps > MaxProduceSteps)
            {
                // Cannot happen with consistent timestamps; never loop forever on hostile ones.
                Conceal(Math.Min(_frame, _frame - _pcmCount + _granule - 1) / _granule * _granule, silent: false);
                break;
            }

            Produce(now.Ticks);
        }

        int take = Math.Min(_frame, _pcmCount);
        _pcm.AsSpan(_pcmStart * _channels, take * _channels).CopyTo(pcm);
        pcm[(take * _channels)..].Clear();
        _pcmStart += take;
        _pcmCount -= take;
        if (_pcmCount == 0)
        {
            _pcmStart = 0;
        }

        _totalSamples += _frame;
        _lastTick = now.Ticks;
        return _decision;
    }

    /// <summary>Drops every stored packet (counted in <see cref="JitterBufferStatistics.PacketsFlushed"/>) and starts over with the next packet.</summary>
    public void Reset() => ResetStream();

    private long Unwrap(uint timestamp)
    {
        long unwrapped = _lastUnwrapped + unchecked((int)(timestamp - _lastRawTimestamp));
        _lastRawTimestamp = timestamp;
        _lastUnwrapped = unwrapped;
        return unwrapped;
    }

    private long TargetTicks()
    {
        if (!_options.Adaptive || _histogram.Samples == 0)
        {
            return Math.Clamp(_options.InitialDelay.Ticks, _options.MinimumDelay.Ticks, _options.MaximumDelay.Ticks);
        }

        long network = _histogram.QuantileMs * TimeSpan.TicksPerMillisecond;
        return Math.Clamp(network, _options.MinimumDelay.Ticks, _options.MaximumDelay.Ticks);
    }

    private long NetworkTargetTicks() => _options.Adaptive && _histogram.Samples > 0
        ? Math.Min(_histogram.QuantileMs * TimeSpan.TicksPerMillisecond, _options.MaximumDelay.Ticks)
        : TargetTicks();

    /// <summary>
    /// The delay estimate is the slack an on-time packet has: this packet's slack plus its delay above the fastest
    /// recent packet. The slack is measured against the continuous playout position (when the packet's first sample
    /// will play, less one frame, because the tick that must decode it falls up to one frame before that), which is
    /// conservative by less than a frame but moves by exactly the samples that stretching adds or removes; so the
    /// estimate stays exact between packets when playout is stretched or held, and is simply replaced by each packet's.
    /// </summary>
    private void UpdateDelayEstimate(long timestamp, long arrivalTicks, long excessTicks)
    {
        long leadSamples = ((timestamp - _next) * _rate / _clock) + _pcmCount;
        long slack = _lastTick + (leadSamples * TimeSpan.TicksPerSecond / _rate) - arrivalTicks;
        _delayTicks = slack + excessTicks;
        _haveDelay = true;
    }

    private void Produce(long now)
    {
        int slot = Find(_next);
        if (slot >= 0)
        {
            DecodePacket(slot, now);
            return;
        }

        DiscardStale();
        int next = Earliest();
        int chunk = Math.Clamp(_lastDuration > 0 ? _lastDuration : _frame, _granule, _rate / 50) / _granule * _granule;
        if (next < 0)
        {
            if (_lastWasDtx)
            {
                Conceal(chunk, silent: true);
                _next += ToRtp(chunk);
                _decision = JitterBufferDecision.ComfortNoise;
                return;
            }

            Conceal(chunk, silent: false);
            if (_options.Adaptive)
            {
                // Nothing buffered: more likely a delay spike than a loss, so hold the playout point.
                _stalledRtp += ToRtp(chunk);
                _delayTicks += ToTicks(chunk);
            }
            else
            {
                _next += ToRtp(chunk);
            }

            _decision = JitterBufferDecision.Expand;
            return;
        }

        long gap = _timestamps[next] - _next;
        if (_stalledRtp > 0)
        {
            // Audio already concealed while holding stands in for the missing timestamps.
            long covered = Math.Min(_stalledRtp, gap);
            _next += covered;
            _stalledRtp -= covered;
            _delayTicks -= covered * TimeSpan.TicksPerSecond / _clock;
            if (covered == gap)
            {
                return;
            }

            gap -= covered;
        }

        int gapSamples = (int)Math.Min(gap * _rate / _clock, int.MaxValue);
        ReadOnlySpan<byte> nextPayload = Payload(next);
        bool dtxGap = _lastWasDtx || (_haveLastSequence && _sequences[next] == unchecked((ushort)(_lastSequence + 1)));
        if (dtxGap)
        {
            int cn = Math.Min(gapSamples, chunk) / _granule * _granule;
            if (cn == 0)
            {
                _next = _timestamps[next];
                return;
            }

            Conceal(cn, silent: true);
            _next += ToRtp(cn);
            _decision = JitterBufferDecision.ComfortNoise;
            return;
        }

        if (_options.UseFec && gapSamples <= _decoder.GetDuration(nextPayload) && _decoder.HasFec(nextPayload))
        {
            int fec = gapSamples / _granule * _granule;
            if (fec == 0)
            {
                _next = _timestamps[next];
                return;
            }

            Span<short> target = Append(fec);
            int n = _decoder.DecodeFec(nextPayload, target);
            if (n == fec)
            {
                _pcmCount += fec;
                _fecSamples += fec;
                _concealing = false;
                _next += ToRtp(fec);
                _decision = JitterBufferDecision.Fec;
                return;
            }

            _decodeErrors++;
        }

        int expand = Math.Min(gapSamples, chunk) / _granule * _granule;
        if (expand == 0)
        {
            _next = _timestamps[next];
            return;
        }

        Conceal(expand, silent: false);
        _next += ToRtp(expand);
        _decision = JitterBufferDecision.Expand;
    }

    private void DecodePacket(int slot, long now)
    {
        ReadOnlySpan<byte> payload = Payload(slot);
        long arrival = _arrivals[slot];
        ushort sequence = _sequences[slot];
        int n = _decoder.Decode(payload, _scratch);
        _packetsDecoded++;
        _haveLastSequence = true;
        _lastSequence = sequence;
        _stalledRtp = 0;
        Release(slot);
        if (n <= 0)
        {
            _decodeErrors++;
            int duration = Math.Max(_decoder.GetDuration(payload), _granule) / _granule * _granule;
            Conceal(duration, silent: false);
            _next += ToRtp(duration);
            _decision = JitterBufferDecision.Expand;
            return;
        }

        _lastWasDtx = payload.Length <= 2;
        _lastDuration = n;
        _next += ToRtp(n);

        ReadOnlySpan<short> decoded = _scratch.AsSpan(0, n * _channels);
        int produced = n;
        JitterBufferDecision decision = JitterBufferDecision.Normal;
        if (_options.Adaptive && _haveDelay && !_lastWasDtx)
        {
            long excess = (long)_delayTicks - TargetTicks();
            if (excess > _accelerateMarginTicks)
            {
                int maxLag = (int)Math.Min(_maxLag, excess * _rate / TimeSpan.TicksPerSecond);
                if (maxLag >= _minLag)
                {
                    produced = TimeStretcher.Accelerate(decoded, _channels, _minLag, maxLag, _stretched);
                }
            }
            else if (excess < 0)
            {
                long want = (-excess + _accelerateMarginTicks) * _rate / TimeSpan.TicksPerSecond;
                int maxLag = (int)Math.Clamp(want, _minLag, _maxLag);
                produced = TimeStretcher.Decelerate(decoded, _channels, _minLag, maxLag, _stretched);
            }

            if (produced < n)
            {
                _removed += n - produced;
                _delayTicks -= ToTicks(n - produced);
                decision = JitterBufferDecision.Accelerate;
                decoded = _stretched.AsSpan(0, produced * _channels);
            }
            else if (produced > n)
            {
                _inserted += produced - n;
                _delayTicks += ToTicks(produced - n);
                decision = JitterBufferDecision.Decelerate;
                decoded = _stretched.AsSpan(0, produced * _channels);
            }
        }

        int before = _pcmCount;
        decoded.CopyTo(Append(produced));
        _pcmCount += produced;
        _concealing = false;
        _decision = decision;

        // webrtc-stats jitterBufferDelay, counted per packet as libwebrtc does: each of its samples adds the time from
        // the packet's arrival to the moment its first sample plays (this tick's frame, at offset `before`). Timing each
        // sample on its own would add the packet's own length (on average half of it) to a delay that is not latency.
        _jitterBufferDelayTicks += (double)produced * ((now - arrival) + ToTicks(before));
        _targetDelayTicks += (double)produced * TargetTicks();
        _minimumDelayTicks += (double)produced * NetworkTargetTicks();
        _emitted += produced;
    }

    private void Conceal(int samples, bool silent)
    {
        if (samples <= 0)
        {
            return;
        }

        Span<short> target = Append(samples);
        int n = _decoder.Conceal(target);
        if (n != samples)
        {
            target.Clear();
        }

        _pcmCount += samples;
        _concealed += samples;
        if (silent)
        {
            _silentConcealed += samples;
        }

        if (!_concealing)
        {
            _concealing = true;
            _concealmentEvents++;
        }
    }

    /// <summary>Returns room for <paramref name="samples"/> per channel at the end of the PCM queue (not yet counted).</summary>
    private Span<short> Append(int samples)
    {
        if ((_pcmStart + _pcmCount + samples) * _channels > _pcm.Length)
        {
            _pcm.AsSpan(_pcmStart * _channels, _pcmCount * _channels).CopyTo(_pcm);
            _pcmStart = 0;
        }

        return _pcm.AsSpan((_pcmStart + _pcmCount) * _channels, samples * _channels);
    }

    private void DiscardStale()
    {
        for (int i = 0; i < _used.Length; i++)
        {
            if (_used[i] && _timestamps[i] < _next)
            {
                Release(i);
                _late++;
            }
        }
    }

    private void ResetStream()
    {
        _flushed += _stored;
        Array.Clear(_used);
        _stored = 0;
        _decoder.Reset();
        _pcmStart = 0;
        _pcmCount = 0;
        _started = false;
        _nextValid = false;
        _stalledRtp = 0;
        _haveLastSequence = false;
        _lastWasDtx = false;
        _lastDuration = 0;
        _haveDelay = false;
        _concealing = false;
        _histogram.ResetReference();
        _resets++;
    }

    private ReadOnlySpan<byte> Payload(int slot) => _payloads.AsSpan(slot * _options.MaxPayloadBytes, _lengths[slot]);

    private void Release(int slot)
    {
        _used[slot] = false;
        _stored--;
    }

    private int Find(long timestamp)
    {
        for (int i = 0; i < _used.Length; i++)
        {
            if (_used[i] && _timestamps[i] == timestamp)
            {
                return i;
            }
        }

        return -1;
    }

    private int FreeSlot()
    {
        for (int i = 0; i < _used.Length; i++)
        {
            if (!_used[i])
            {
                return i;
            }
        }

        return -1;
    }

    private int Earliest()
    {
        int best = -1;
        for (int i = 0; i < _used.Length; i++)
        {
            if (_used[i] && (best < 0 || _timestamps[i] < _timestamps[best]))
            {
                best = i;
            }
        }

        return best;
    }

    private long ToRtp(int samples) => (long)samples * _clock / _rate;

    private long ToTicks(int samples) => (long)samples * TimeSpan.TicksPerSecond / _rate;
}
