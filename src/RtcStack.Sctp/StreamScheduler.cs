namespace RtcStack.Sctp;

/// <summary>
/// The outgoing stream scheduler (RFC 8260 §3): holds the streams that have something to send and says which goes
/// next. A stream is taken out by <see cref="TryNext"/>, the association tells it how many bytes it sent for it with
/// <see cref="Charge"/>, and puts it back with <see cref="Add"/> when it still has data.
/// <list type="bullet">
/// <item>Round robin (RFC 8260 §3.2): one queue, streams take turns.</item>
/// <item>Priority (§3.4), strict: one queue per priority level, highest first, round robin within a level.</item>
/// <item>Weighted fair queueing (§3.6): each stream gets bytes in proportion to its priority taken as a weight.
/// Start-time fair queueing: a stream's next turn carries a virtual start tag, the larger of the scheduler's virtual
/// time and the virtual finish of the stream's previous turn (its bytes divided by its weight); the smallest tag goes
/// next (ties in arrival order) and sets the virtual time. A stream that was idle comes back at the current virtual
/// time, so it saves up no credit. Over any stretch in which two streams both have data, the bytes each got differ
/// from their weighted shares by at most about one turn's bytes (one fragment with I-DATA, one message with DATA).</item>
/// </list>
/// Allocation-free once every priority level (strict) or the heap and every stream's tag (fair queueing) have room.
/// </summary>
internal sealed class StreamScheduler
{
    /// <summary>The priority of a stream nobody set one for (RFC 8831 §6.4 "normal", W3C "low": 256).</summary>
    public const ushort DefaultPriority = 256;

    // Fair queueing tags are bytes / weight in units of 1/65536 (weights are at most 65,535).
    private const int TagScale = 65536;

    private readonly SctpStreamSchedulerKind _kind;
    private readonly Dictionary<ushort, ushort> _priorities = new();

    // Round robin and strict priority: levels, highest first; a level keeps its queue when it empties so reuse does not allocate.
    private readonly List<(ushort Priority, Queue<ushort> Streams)> _levels = new();

    // Weighted fair queueing: ready streams by (start tag, arrival); each stream's virtual finish; the virtual time.
    private readonly PriorityQueue<ushort, (long Tag, long Arrival)>? _heap;
    private readonly Dictionary<ushort, long>? _finish;
    private long _virtualTime;
    private long _arrivals;
    private long _servingTag;
    private int _servingStream = -1;
    private int _count;

    public StreamScheduler(SctpStreamSchedulerKind kind)
    {
        _kind = kind;
        if (kind == SctpStreamSchedulerKind.WeightedFairQueueing)
        {
            _heap = new PriorityQueue<ushort, (long, long)>();
            _finish = new Dictionary<ushort, long>();
        }
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

        // Fair queueing: the new weight counts from the stream's next charge.
    }

    /// <summary>Queues a stream that has data; the caller adds a stream at most once.</summary>
    public void Add(ushort streamId)
    {
        _count++;
        if (_heap is not null)
        {
            long finish = _finish!.TryGetValue(streamId, out long f) ? f : 0;
            _heap.Enqueue(streamId, (Math.Max(finish, _virtualTime), _arrivals++));
            return;
        }

        ushort priority = _kind == SctpStreamSchedulerKind.Priority ? GetPriority(streamId) : DefaultPriority;
        LevelFor(priority).Enqueue(streamId);
    }

    /// <summary>Takes the stream to serve next.</summary>
    public bool TryNext(out ushort streamId)
    {
        if (_heap is not null)
        {
            if (!_heap.TryDequeue(out streamId, out (long Tag, long Arrival) key))
            {
                return false;
            }

            _count--;
            _virtualTime = key.Tag;
            _servingStream = streamId;
            _servingTag = key.Tag;
            return true;
        }

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

    /// <summary>
    /// Says the stream just taken by <see cref="TryNext"/> sent <paramref name="bytes"/> (a message with DATA, a fragment
    /// with I-DATA); call it before putting the stream back. Only fair queueing counts bytes.
    /// </summary>
    public void Charge(ushort streamId, int bytes)
    {
        if (_finish is null || _servingStream != streamId)
        {
            return;
        }

        // The priority is the weight (RFC 8831 §6.4: 128, 256, 512, 1024 share as 1/2, 1, 2, 4); 0 counts as 1.
        int weight = Math.Max(1, (int)GetPriority(streamId));
        _finish[streamId] = _servingTag + ((long)bytes * TagScale / weight);
        _servingStream = -1;
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
