namespace RtcStack.WebRtc;

/// <summary>
/// Caps NACK retransmissions at a fraction of the media sent over the last second, as libwebrtc caps them at
/// the media rate over a sliding one-second window (its retransmission rate limiter). Past the cap a request is
/// dropped and counted, so that when many packets are lost at once (an overloaded host, a congested link) the
/// retransmissions cannot add more load than the media itself and turn the overload into a collapse.
/// A session keeps one of its own (fraction 1: never more retransmitted than sent); a host can give all its
/// sessions a shared one with a smaller fraction (<see cref="WebRtcSessionOptions.SharedRetransmissionBudget"/>).
/// Time is an input (the <c>now</c> of the calls); thread-safe, since a host's sessions may run on several threads.
/// </summary>
public sealed class RetransmissionBudget
{
    private const int Buckets = 10;
    private static readonly long s_bucketTicks = TimeSpan.FromMilliseconds(100).Ticks;

    private readonly Lock _gate = new();
    private readonly long[] _media = new long[Buckets];
    private readonly long[] _retransmitted = new long[Buckets];
    private long _currentBucket = -1;
    private long _mediaInWindow;
    private long _retransmittedInWindow;
    private long _dropped;
    private long _droppedBytes;
    private double _fraction;
    private long _rateCapBps;

    /// <summary>Creates a budget of <paramref name="fraction"/> times the media bytes sent in the last second.</summary>
    /// <param name="fraction">The share of the media rate retransmissions may use, in (0, 10].</param>
    public RetransmissionBudget(double fraction = 1.0)
    {
        if (!(fraction > 0 && fraction <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction must be in (0, 10]");
        }

        _fraction = fraction;
    }

    /// <summary>
    /// Gets or sets the share of the media rate retransmissions may use, 0 to 10. A host lowers it while it is
    /// busy, so that retransmissions only ever use spare capacity (0: none at all).
    /// </summary>
    public double Fraction
    {
        get => Volatile.Read(ref _fraction);
        set
        {
            if (!(value >= 0 && value <= 10))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the fraction must be in [0, 10]");
            }

            Volatile.Write(ref _fraction, value);
        }
    }

    /// <summary>Gets how many retransmissions were refused.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Gets how many bytes the refused retransmissions would have sent.</summary>
    public long DroppedBytes => Volatile.Read(ref _droppedBytes);

    /// <summary>Counts <paramref name="bytes"/> of media (first transmissions) sent at <paramref name="now"/>.</summary>
    public void OnMediaSent(int bytes, TimeSpan now)
    {
        lock (_gate)
        {
            int b = Advance(now);
            _media[b] += bytes;
            _mediaInWindow += bytes;
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> for one retransmission at <paramref name="now"/> if the last second's
    /// retransmissions plus these stay within <see cref="Fraction"/> of the last second's media; otherwise counts
    /// a drop and returns false.
    /// </summary>
    public bool TryTake(int bytes, TimeSpan now)
    {
        lock (_gate)
        {
            int b = Advance(now);
            if (_retransmittedInWindow + bytes > _mediaInWindow * _fraction
                || (_rateCapBps > 0 && (_retransmittedInWindow + bytes) * 8 > _rateCapBps))
            {
                _dropped++;
                _droppedBytes += bytes;
                return false;
            }

            _retransmitted[b] += bytes;
            _retransmittedInWindow += bytes;
            return true;
        }
    }

    /// <summary>
    /// Gets or sets a cap on the retransmission rate besides the media fraction: at most this many bits in the one-second
    /// window (0: none). A session with a congestion controller sets it to its target, as libwebrtc's retransmission rate
    /// limiter takes the target as its maximum rate, so that repairs after a capacity drop cannot send faster than the
    /// controller allows.
    /// </summary>
    internal long RateCapBps
    {
        get => Volatile.Read(ref _rateCapBps);
        set => Volatile.Write(ref _rateCapBps, Math.Max(0, value));
    }

    /// <summary>Reads the last second's media and retransmitted bytes (the window the budget keeps) at <paramref name="now"/>.</summary>
    internal void ReadWindow(TimeSpan now, out long media, out long retransmitted)
    {
        lock (_gate)
        {
            Advance(now);
            media = _mediaInWindow;
            retransmitted = _retransmittedInWindow;
        }
    }

    /// <summary>Gives back bytes taken for a retransmission that could not be sent after all.</summary>
    public void Return(int bytes, TimeSpan now)
    {
        lock (_gate)
        {
            int b = Advance(now);
            long back = Math.Min(bytes, _retransmitted[b]);
            _retransmitted[b] -= back;
            _retransmittedInWindow -= back;
        }
    }

    // Under _gate: moves the window so that the current 100 ms bucket is now's, clearing those that fell out.
    private int Advance(TimeSpan now)
    {
        long bucket = Math.Max(0, now.Ticks) / s_bucketTicks;
        if (_currentBucket < 0)
        {
            _currentBucket = bucket;
        }
        else if (bucket > _currentBucket)
        {
            long steps = Math.Min(bucket - _currentBucket, Buckets);
            for (long i = 1; i <= steps; i++)
            {
                int clear = (int)((_currentBucket + i) % Buckets);
                _mediaInWindow -= _media[clear];
                _retransmittedInWindow -= _retransmitted[clear];
                _media[clear] = 0;
                _retransmitted[clear] = 0;
            }

            _currentBucket = bucket;
        }

        // A time from before the current bucket (another session's slightly older now) counts in the current one.
        return (int)(_currentBucket % Buckets);
    }
}
