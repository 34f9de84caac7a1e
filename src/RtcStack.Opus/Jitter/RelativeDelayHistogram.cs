namespace RtcStack.Opus.Jitter;

/// <summary>
/// The delay a packet stream needs, estimated the way WebRTC's NetEQ does it: each packet's relative delay (arrival
/// time minus the time its RTP timestamp says it was sent) is taken above the smallest relative delay of the last two
/// seconds, and that excess goes into a histogram of 1 ms buckets with exponential forgetting. The target is the
/// histogram's quantile: the delay that covers that share of recent packets. A stall is counted once: the packets that
/// queued behind a late packet and arrive right after it (sooner than their send spacing, so the queue is draining)
/// while their delay is still above the target add nothing, because covering the first packet's delay covers theirs (the buffer holds its
/// playout point through the stall); otherwise a single 1 s radio stall would put 50 packets above the target and keep
/// it high for the histogram's whole memory. Fixed-size arrays; never allocates after construction.
/// </summary>
internal sealed class RelativeDelayHistogram
{
    private const int WindowEntries = 512;
    private static readonly long s_windowTicks = TimeSpan.FromSeconds(2).Ticks;

    private readonly double[] _buckets;
    private readonly double _forget;
    private readonly double _quantile;
    private readonly long[] _relative = new long[WindowEntries];
    private readonly long[] _arrival = new long[WindowEntries];
    private int _head;
    private int _entries;
    private long _samples;
    private bool _haveReference;
    private long _referenceArrival;
    private long _referenceTimestamp;
    private int _quantileMs;
    private bool _havePrevious;
    private long _previousTimestamp;
    private long _previousArrival;

    public RelativeDelayHistogram(int maxDelayMs, double quantile, double forget)
    {
        _buckets = new double[maxDelayMs + 1];
        _quantile = quantile;
        _forget = forget;
    }

    /// <summary>Gets the delay, in milliseconds, that covers the configured quantile of recent packets.</summary>
    public int QuantileMs => _quantileMs;

    /// <summary>Gets the number of packets seen since construction.</summary>
    public long Samples => _samples;

    /// <summary>Forgets the timing reference (the timestamp base changed) but keeps the histogram: the network did not change.</summary>
    public void ResetReference()
    {
        _haveReference = false;
        _havePrevious = false;
        _entries = 0;
        _head = 0;
    }

    /// <summary>Adds one packet; returns its delay above the fastest packet of the window, in ticks.</summary>
    public long Update(long timestamp, long arrivalTicks, int clockRate)
    {
        if (!_haveReference)
        {
            _haveReference = true;
            _referenceArrival = arrivalTicks;
            _referenceTimestamp = timestamp;
        }

        long sent = (timestamp - _referenceTimestamp) * TimeSpan.TicksPerSecond / clockRate;
        long relative = arrivalTicks - _referenceArrival - sent;

        _relative[_head] = relative;
        _arrival[_head] = arrivalTicks;
        _head = (_head + 1) % WindowEntries;
        _entries = Math.Min(_entries + 1, WindowEntries);

        long min = relative;
        for (int i = 0; i < _entries; i++)
        {
            int index = (_head - 1 - i + WindowEntries) % WindowEntries;
            if (arrivalTicks - _arrival[index] > s_windowTicks)
            {
                break;
            }

            min = Math.Min(min, _relative[index]);
        }

        long excess = relative - min;
        bool burstTail = _havePrevious && _samples > 0 && timestamp > _previousTimestamp
            && (arrivalTicks - _previousArrival) < (timestamp - _previousTimestamp) * TimeSpan.TicksPerSecond / clockRate
            && excess > _quantileMs * TimeSpan.TicksPerMillisecond;
        _havePrevious = true;
        _previousTimestamp = timestamp;
        _previousArrival = arrivalTicks;
        if (!burstTail)
        {
            AddToHistogram(excess);
        }

        return excess;
    }

    private void AddToHistogram(long excessTicks)
    {
        _samples++;
        double forget = Math.Min(_forget, 1.0 - (1.0 / _samples));
        double[] buckets = _buckets;
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] *= forget;
        }

        long ms = excessTicks / TimeSpan.TicksPerMillisecond;
        int bucket = (int)Math.Clamp(ms, 0, buckets.Length - 1);
        buckets[bucket] += 1.0 - forget;

        double sum = 0;
        int q = buckets.Length - 1;
        for (int i = 0; i < buckets.Length; i++)
        {
            sum += buckets[i];
            if (sum >= _quantile)
            {
                q = i;
                break;
            }
        }

        // A bucket covers [i, i + 1) ms: its upper edge covers every packet in it.
        _quantileMs = Math.Min(q + 1, buckets.Length - 1);
    }
}
