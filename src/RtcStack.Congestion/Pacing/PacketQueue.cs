namespace RtcStack.Congestion.Pacing;

/// <summary>FIFO of (id, size, enqueue time) backed by a growable ring: no allocation in steady state.</summary>
internal sealed class PacketQueue
{
    private long[] _ids = new long[64];
    private int[] _sizes = new int[64];
    private TimeSpan[] _times = new TimeSpan[64];
    private int _head;

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    public TimeSpan OldestEnqueueTime => Count > 0 ? _times[_head] : TimeSpan.Zero;

    public void Enqueue(long id, int size, TimeSpan now)
    {
        if (Count == _ids.Length)
        {
            Grow();
        }
        int i = (_head + Count) & (_ids.Length - 1);
        _ids[i] = id;
        _sizes[i] = size;
        _times[i] = now;
        Count++;
        Bytes += size;
    }

    public bool TryDequeue(out long id, out int size, out TimeSpan enqueued)
    {
        if (Count == 0)
        {
            id = 0;
            size = 0;
            enqueued = default;
            return false;
        }
        id = _ids[_head];
        size = _sizes[_head];
        enqueued = _times[_head];
        _head = (_head + 1) & (_ids.Length - 1);
        Count--;
        Bytes -= size;
        return true;
    }

    private void Grow()
    {
        int n = _ids.Length * 2;
        var ids = new long[n];
        var sizes = new int[n];
        var times = new TimeSpan[n];
        for (int k = 0; k < Count; k++)
        {
            int i = (_head + k) & (_ids.Length - 1);
            ids[k] = _ids[i];
            sizes[k] = _sizes[i];
            times[k] = _times[i];
        }
        _ids = ids;
        _sizes = sizes;
        _times = times;
        _head = 0;
    }
}
