using System.Diagnostics;

namespace RtcStack.Interop.Tests.WebRtc;

/// <summary>
/// Diagnostics for real-time cells: a dedicated thread samples the thread pool's queue every 20 ms and notes every
/// stretch over 300 ms with queued work, and every time its own 20 ms sleep took over 200 ms (the whole process, or
/// at least this thread, stalled), so a freeze can be placed on our process, the thread pool, or elsewhere.
/// </summary>
internal sealed class RuntimeStallWatch : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _stretches = [];
    private readonly Thread _thread;
    private readonly int _threadsAtStart = ThreadPool.ThreadCount;
    private volatile bool _stop;
    private long _maxPending;
    private int _threadsMax;

    public RuntimeStallWatch()
    {
        _threadsMax = _threadsAtStart;
        _thread = new Thread(Run) { IsBackground = true, Name = "stall watch" };
        _thread.Start();
    }

    /// <summary>Stops sampling and describes what was seen (times in ms since the watch started).</summary>
    public string Summary()
    {
        Dispose();
        lock (_stretches)
        {
            return $"thread pool: at most {_maxPending} queued, threads {_threadsAtStart} at start and {_threadsMax} at most; "
                + $"stretches: {(_stretches.Count == 0 ? "none" : string.Join(", ", _stretches))}; GCs gen0/1/2 "
                + $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, total pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms";
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        long lastTick = 0, backlogSince = -1;
        while (!_stop)
        {
            long pending = ThreadPool.PendingWorkItemCount;
            long t = _clock.ElapsedMilliseconds;
            if (t - lastTick > 200)
            {
                Add($"the watch itself stalled {lastTick}-{t}");
            }

            lastTick = t;
            _maxPending = Math.Max(_maxPending, pending);
            _threadsMax = Math.Max(_threadsMax, ThreadPool.ThreadCount);
            if (pending > 0 && backlogSince < 0)
            {
                backlogSince = t;
            }
            else if (pending == 0 && backlogSince >= 0)
            {
                if (t - backlogSince > 300)
                {
                    Add($"work queued {backlogSince}-{t}");
                }

                backlogSince = -1;
            }

            Thread.Sleep(20);
        }
    }

    private void Add(string stretch)
    {
        lock (_stretches)
        {
            _stretches.Add(stretch);
        }
    }
}
