namespace RtcStack.WebRtc;

/// <summary>
/// The receiver side of generic NACK (RFC 4585 §6.2.1, §3.5): remembers sequence numbers that a gap
/// showed missing, asks for each at once and again every retry interval (about an RTT) a bounded
/// number of times, and forgets it when it arrives, gets too old, or runs out of tries.
/// </summary>
internal sealed class NackRequester
{
    public const int Capacity = 64;
    public const int MaxTries = 10;

    private readonly long[] _sequence = new long[Capacity];
    private readonly int[] _tries = new int[Capacity];
    private readonly TimeSpan[] _lastSent = new TimeSpan[Capacity];
    private int _count;

    public int Pending => _count;

    /// <summary>A packet advanced the highest sequence number to <paramref name="extended"/> after skipping <paramref name="lost"/>.</summary>
    public void OnGap(long extended, long lost)
    {
        // Sequence numbers too far behind to be useful, or more than we track, are dropped oldest first.
        long first = extended - Math.Min(lost, Capacity);
        for (long s = first; s < extended; s++)
        {
            if (_count == Capacity)
            {
                RemoveAt(0);
            }

            _sequence[_count] = s;
            _tries[_count] = 0;
            _lastSent[_count] = TimeSpan.MinValue;
            _count++;
        }

        // Anything older than a few seconds of audio at 50 packets/s will never be played.
        while (_count > 0 && _sequence[0] < extended - 500)
        {
            RemoveAt(0);
        }
    }

    /// <summary>A late packet arrived; true when it was one we asked for.</summary>
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
        // A sequence number asked for MaxTries times is given up once its last request has had an interval to be
        // answered; only then are the others due collected (the give-up used to come after the collection, which
        // had just asked again and reset the interval, so nothing was ever given up: a lost packet was asked for
        // every ~30 ms until it was 500 behind).
        for (int i = _count - 1; i >= 0; i--)
        {
            if (_tries[i] >= MaxTries && now - _lastSent[i] >= retryInterval)
            {
                RemoveAt(i);
            }
        }

        int n = 0;
        for (int i = 0; i < _count && n < destination.Length; i++)
        {
            if (_tries[i] < MaxTries && (_lastSent[i] == TimeSpan.MinValue || now - _lastSent[i] >= retryInterval))
            {
                destination[n++] = (ushort)_sequence[i];
                _lastSent[i] = now;
                _tries[i]++;
            }
        }

        return n;
    }

    /// <summary>The next instant a request is due, or null.</summary>
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
