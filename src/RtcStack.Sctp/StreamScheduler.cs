namespace RtcStack.Sctp;

/// <summary>
/// The outgoing stream scheduler (RFC 8260 §3): holds the streams that have something to send and says which goes
/// next. A stream is taken out by <see cref="TryNext"/> and put back at the tail of its level by <see cref="Add"/>
/// when it still has data, which gives round robin within one priority (RFC 8260 §3.2, §3.4). Allocation-free once
/// every priority level in use has its queue.
/// </summary>
internal sealed class StreamScheduler
{
    /// <summary>The priority of a stream nobody set one for (RFC 8831 §6.4 "normal", 256).</summary>
    public const ushort DefaultPriority = 256;

    private readonly SctpStreamSchedulerKind _kind;
    private readonly Dictionary<ushort, ushort> _priorities = new();

    // Priority levels, highest first; a level keeps its queue when it empties so reuse does not allocate.
    private readonly List<(ushort Priority, Queue<ushort> Streams)> _levels = new();
    private int _count;

    public StreamScheduler(SctpStreamSchedulerKind kind)
    {
        _kind = kind;
    }

    public bool IsEmpty => _count == 0;

    public ushort GetPriority(ushort streamId) => _priorities.TryGetValue(streamId, out ushort p) ? p : DefaultPriority;

    public void SetPriority(ushort streamId, ushort priority)
    {
        ushort old = GetPriority(streamId);
        if (priority == DefaultPriority)
        {
            _priorities.Remove(streamId);
        }
        else
        {
            _priorities[streamId] = priority;
        }

        if (_kind == SctpStreamSchedulerKind.Priority && old != priority)
        {
            // A waiting stream moves to its new level at once, so strict priority holds from the next turn.
            for (int i = 0; i < _levels.Count; i++)
            {
                if (_levels[i].Priority == old && Remove(_levels[i].Streams, streamId))
                {
                    _count--;
                    Add(streamId);
                    break;
                }
            }
        }
    }

    /// <summary>Queues a stream that has data at the tail of its level; the caller adds a stream at most once.</summary>
    public void Add(ushort streamId)
    {
        ushort priority = _kind == SctpStreamSchedulerKind.Priority ? GetPriority(streamId) : DefaultPriority;
        LevelFor(priority).Enqueue(streamId);
        _count++;
    }

    /// <summary>Takes the stream to serve next: the head of the highest non-empty level.</summary>
    public bool TryNext(out ushort streamId)
    {
        for (int i = 0; i < _levels.Count; i++)
        {
            Queue<ushort> q = _levels[i].Streams;
            if (q.Count == 0)
            {
                continue;
            }

            streamId = q.Dequeue();
            _count--;
            if (_kind == SctpStreamSchedulerKind.Priority && GetPriority(streamId) != _levels[i].Priority)
            {
                // Its priority changed while it waited: move it to its new level and look again from the top.
                Add(streamId);
                i = -1;
                continue;
            }

            return true;
        }

        streamId = 0;
        return false;
    }

    /// <summary>Takes one stream out of a queue keeping the others' order (a rare call; no allocation).</summary>
    private static bool Remove(Queue<ushort> queue, ushort streamId)
    {
        bool found = false;
        for (int n = queue.Count; n > 0; n--)
        {
            ushort id = queue.Dequeue();
            if (!found && id == streamId)
            {
                found = true;
                continue;
            }

            queue.Enqueue(id);
        }

        return found;
    }

    private Queue<ushort> LevelFor(ushort priority)
    {
        int i = 0;
        while (i < _levels.Count && _levels[i].Priority > priority)
        {
            i++;
        }

        if (i < _levels.Count && _levels[i].Priority == priority)
        {
            return _levels[i].Streams;
        }

        var q = new Queue<ushort>();
        _levels.Insert(i, (priority, q));
        return q;
    }
}
