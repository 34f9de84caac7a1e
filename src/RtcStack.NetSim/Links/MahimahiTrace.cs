namespace RtcStack.NetSim.Links;

/// <summary>
/// Mahimahi link trace: one integer per line, the millisecond at which one MTU-sized (1500-byte) delivery opportunity
/// occurs; the trace repeats when it ends (Mahimahi's mm-link format). Lines that are not integers are rejected.
/// </summary>
public sealed class MahimahiTrace
{
    /// <summary>Bytes delivered per opportunity.</summary>
    public const int BytesPerOpportunity = 1500;

    private readonly long[] _ms;

    /// <summary>Creates a trace from opportunity times (ms, non-decreasing, last &gt; 0).</summary>
    public MahimahiTrace(IReadOnlyList<long> opportunitiesMs)
    {
        if (opportunitiesMs.Count == 0 || opportunitiesMs[^1] <= 0)
        {
            throw new ArgumentException("A trace needs at least one opportunity and a positive length.", nameof(opportunitiesMs));
        }
        _ms = new long[opportunitiesMs.Count];
        for (int i = 0; i < _ms.Length; i++)
        {
            if (opportunitiesMs[i] < 0 || (i > 0 && opportunitiesMs[i] < opportunitiesMs[i - 1]))
            {
                throw new ArgumentException("Opportunities must be non-negative and non-decreasing.", nameof(opportunitiesMs));
            }
            _ms[i] = opportunitiesMs[i];
        }
    }

    /// <summary>Period after which the trace repeats, ms.</summary>
    public long PeriodMs => _ms[^1];

    /// <summary>Longest accepted trace period, ms (one day; larger values overflowed TimeSpan — found by fuzzing).</summary>
    public const long MaxPeriodMs = 86_400_000;

    /// <summary>Most delivery opportunities accepted in one trace.</summary>
    public const int MaxLines = 10_000_000;

    /// <summary>Parses mm-link text; returns false (with a reason) on malformed input instead of throwing.</summary>
    public static bool TryParse(string text, out MahimahiTrace? trace, out string? error)
    {
        var list = new List<long>();
        int lineNo = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (!long.TryParse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v)
                || (list.Count > 0 && v < list[^1]) || v > MaxPeriodMs || list.Count >= MaxLines)
            {
                trace = null;
                error = $"line {lineNo}: expected a non-decreasing millisecond count up to {MaxPeriodMs} ({MaxLines} lines at most)";
                return false;
            }
            list.Add(v);
        }
        if (list.Count == 0 || list[^1] <= 0)
        {
            trace = null;
            error = "empty trace";
            return false;
        }
        trace = new MahimahiTrace(list);
        error = null;
        return true;
    }

    /// <summary>The first opportunity at or after <paramref name="t"/>.</summary>
    public TimeSpan NextOpportunity(TimeSpan t)
    {
        long tMs = (long)Math.Ceiling(t.TotalMilliseconds);
        long cycle = tMs / PeriodMs;
        long inCycle = tMs - cycle * PeriodMs;
        int i = Array.BinarySearch(_ms, inCycle);
        if (i < 0)
        {
            i = ~i;
        }
        else
        {
            while (i > 0 && _ms[i - 1] == inCycle)
            {
                i--;
            }
        }
        if (i >= _ms.Length)
        {
            cycle++;
            i = 0;
        }
        return TimeSpan.FromMilliseconds(cycle * PeriodMs + _ms[i]);
    }

    /// <summary>Number of opportunities at exactly millisecond <paramref name="ms"/> (several lines may repeat a time).</summary>
    public int OpportunitiesAt(long ms)
    {
        long inCycle = ms % PeriodMs;
        if (inCycle == 0 && ms > 0)
        {
            inCycle = PeriodMs;
        }
        // The times are sorted: find the first line at inCycle, then count the repeats (a linear scan of a 140 s
        // cellular trace on every opportunity made trace-driven runs quadratic).
        int i = Array.BinarySearch(_ms, inCycle);
        if (i < 0)
        {
            return 1;
        }
        while (i > 0 && _ms[i - 1] == inCycle)
        {
            i--;
        }
        int count = 0;
        while (i + count < _ms.Length && _ms[i + count] == inCycle)
        {
            count++;
        }
        return Math.Max(count, 1);
    }

    /// <summary>Average capacity over one period, bps.</summary>
    public double AverageBps => _ms.Length * BytesPerOpportunity * 8.0 / (PeriodMs / 1000.0);
}
