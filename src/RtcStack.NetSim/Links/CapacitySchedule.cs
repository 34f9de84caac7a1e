namespace RtcStack.NetSim.Links;

/// <summary>Piecewise-constant link capacity: (start time, bits per second) steps, as RFC 8867 §5 tables give them.</summary>
public sealed class CapacitySchedule
{
    private readonly TimeSpan[] _times;
    private readonly double[] _rates;

    /// <summary>Creates a schedule; steps must be in time order and the first at 0.</summary>
    public CapacitySchedule(IReadOnlyList<(TimeSpan At, double Bps)> steps)
    {
        if (steps.Count == 0)
        {
            throw new ArgumentException("A schedule needs at least one step.", nameof(steps));
        }
        _times = new TimeSpan[steps.Count];
        _rates = new double[steps.Count];
        for (int i = 0; i < steps.Count; i++)
        {
            if (i > 0 && steps[i].At < steps[i - 1].At)
            {
                throw new ArgumentException("Steps must be in time order.", nameof(steps));
            }
            _times[i] = steps[i].At;
            _rates[i] = steps[i].Bps;
        }
    }

    /// <summary>A constant capacity.</summary>
    public static CapacitySchedule Constant(double bps) => new([(TimeSpan.Zero, bps)]);

    /// <summary>The steps.</summary>
    public IEnumerable<(TimeSpan At, double Bps)> Steps
    {
        get
        {
            for (int i = 0; i < _times.Length; i++)
            {
                yield return (_times[i], _rates[i]);
            }
        }
    }

    /// <summary>Capacity at <paramref name="t"/>.</summary>
    public double RateAt(TimeSpan t)
    {
        int i = Array.BinarySearch(_times, t);
        if (i < 0)
        {
            i = ~i - 1;
        }
        return _rates[Math.Max(i, 0)];
    }

    /// <summary>Bits the link can carry over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public double BitsBetween(TimeSpan from, TimeSpan to)
    {
        double bits = 0;
        TimeSpan t = from;
        while (t < to)
        {
            int i = Array.BinarySearch(_times, t);
            if (i < 0)
            {
                i = ~i - 1;
            }
            i = Math.Max(i, 0);
            TimeSpan end = i + 1 < _times.Length && _times[i + 1] < to ? _times[i + 1] : to;
            bits += _rates[i] * (end - t).TotalSeconds;
            t = end;
        }
        return bits;
    }
}
