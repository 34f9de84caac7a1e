namespace RtcStack.WebRtc.Streams;

/// <summary>
/// The receiver side of generic NACK (RFC 4585 §6.2.1, §3.5): remembers sequence numbers that a gap showed missing,
/// asks for each at once and again every retry interval (about an RTT) a bounded number of times, and forgets it when
/// it arrives, gets too old, or runs out of tries. Used by the receive streams.
/// </summary>
internal sealed class NackRequester
{
    private readonly long[] _sequence;
    private readonly int[] _tries;
    private readonly TimeSpan[] _lastSent;
    private readonly int _maxTries;
    private readonly int _maxAge;
    private int _count;

    /// <param name="capacity">Sequence numbers tracked at once; the oldest are dropped beyond it.</param>
    /// <param name="maxTries">Requests per sequence number before it is given up.</param>
    /// <param name="maxAge">How far behind the highest received a sequence number is still worth asking for.</param>
    public NackRequester(int capacity, int maxTries, int maxAge)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAge);
        _sequence = new long[capacity];
        _tries = new int[capacity];
        _lastSent = new TimeSpan[capacity];
        _maxTries = maxTries;
        _maxAge = maxAge;
    }

    public int Capacity => _sequence.Length;

    public int Pending => _count;

    /// <summary>Gets how many sequence numbers were given up after their last try.</summary>
    public long GivenUp { get; private set; }

    /// <summary>A packet advanced the highest sequence number to <paramref name="extended"/> after skipping <paramref name="lost"/>.</summary>
    public void OnGap(long extended, long lost)
    {
        long first = extended - Math.Min(lost, _sequence.Length);
        for (long s = first; s < extended; s++)
        {
            if (_count == _sequence.Length)
            {
                RemoveAt(0);
            }

            _sequence[_count] = s;
            _tries[_count] = 0;
            _lastSent[_count] = TimeSpan.MinValue;
            _count++;
        }

        while (_count > 0 && _sequence[0] < extended - _maxAge)
        {
            RemoveAt(0);
        }
    }

    /// <summary>A late packet (or its retransmission) arrived; true when it was one being asked for.</summary>
    public bool OnLatePacket(long extended)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_sequence[i] == extended)
            {
                bool asked = _tries[i] > 0;
                RemoveAt(i);
                return asked;
            }
        }

        return false;
    }

    /// <summary>Writes the sequence numbers due for a (re)request into <paramref name="destination"/>.</summary>
    public int CollectDue(TimeSpan now, TimeSpan retryInterval, Span<ushort> destination)
    {
        // Give up after the last try has had an interval to be answered, before collecting (the give-up used to come after the collection, which reset the interval, so nothing was ever given up).
        for (int i = _count - 1; i >= 0; i--)
        {
            if (_tries[i] >= _maxTries && now - _lastSent[i] >= retryInterval)
            {
                RemoveAt(i);
                GivenUp++;
            }
        }

        int n = 0;
        for (int i = 0; i < _count && n < destination.Length; i++)
        {
            if (_tries[i] < _maxTries && (_lastSent[i] == TimeSpan.MinValue || now - _lastSent[i] >= retryInterval))
            {
                destination[n++] = (ushort)_sequence[i];
                _lastSent[i] = now;
                _tries[i]++;
            }
        }

        return n;
    }

    /// <summary>The next instant a request or a give-up is due, or null.</summary>
    public TimeSpan? NextDue(TimeSpan retryInterval)
    {
        TimeSpan? next = null;
        for (int i = 0; i < _count; i++)
        {
            TimeSpan due = _lastSent[i] == TimeSpan.MinValue ? TimeSpan.Zero : _lastSent[i] + retryInterval;
            if (next is null || due < next)
            {
                next = due;
            }
        }

        return next;
    }

    public void Clear() => _count = 0;

    private void RemoveAt(int i)
    {
        int tail = _count - i - 1;
        if (tail > 0)
        {
            Array.Copy(_sequence, i + 1, _sequence, i, tail);
            Array.Copy(_tries, i + 1, _tries, i, tail);
            Array.Copy(_lastSent, i + 1, _lastSent, i, tail);
        }

        _count--;
    }
}
