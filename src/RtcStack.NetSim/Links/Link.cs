namespace RtcStack.NetSim.Links;

/// <summary>
/// A one-way link: a drop-tail FIFO served at the (scheduled or trace-driven) capacity, then propagation delay plus
/// optional jitter without reordering. Random/Gilbert–Elliott loss is applied on entry. Counts bytes per flow and
/// drops for metrics.
/// </summary>
public sealed class Link
{
    private const int KindTransmitDone = 1;
    private const int KindArrive = 2;
    private const int KindOpportunity = 3;

    private readonly Simulator _sim;
    private readonly Random _rng;
    private readonly Queue<SimPacket> _queue = new();
    private long _queuedBytes;
    private bool _busy;
    private bool _waitingForOpportunity;
    private TimeSpan _lastArrival;
    private TimeSpan _lastSerialisation;
    private int _opportunityCredit;

    /// <summary>Creates a link in <paramref name="sim"/>; <paramref name="stream"/> selects its random stream.</summary>
    public Link(Simulator sim, LinkOptions options, int stream)
    {
        _sim = sim;
        Options = options;
        _rng = sim.CreateRandom(stream);
    }

    /// <summary>Configuration.</summary>
    public LinkOptions Options { get; }

    /// <summary>Bytes queued now (not counting the packet being transmitted).</summary>
    public long QueuedBytes => _queuedBytes;

    /// <summary>Observer of every packet that finished transmission (bytes counted toward utilisation).</summary>
    public Action<SimPacket, TimeSpan>? OnTransmitted { get; set; }

    /// <summary>Observer of every dropped packet (queue overflow or random loss).</summary>
    public Action<SimPacket, TimeSpan>? OnDropped { get; set; }

    /// <summary>Capacity at <paramref name="t"/>, bps (∞ when unconstrained).</summary>
    public double CapacityAt(TimeSpan t) =>
        Options.Trace is { } trace ? trace.AverageBps : Options.Capacity?.RateAt(t) ?? double.PositiveInfinity;

    /// <summary>Capacity available over an interval, bits (∞ when unconstrained).</summary>
    public double CapacityBits(TimeSpan from, TimeSpan to)
    {
        if (Options.Trace is { } trace)
        {
            return trace.AverageBps * (to - from).TotalSeconds;
        }
        return Options.Capacity?.BitsBetween(from, to) ?? double.PositiveInfinity;
    }

    internal void Enqueue(SimPacket packet, TimeSpan now)
    {
        if (Options.Loss.Drop(_rng))
        {
            OnDropped?.Invoke(packet, now);
            return;
        }
        if (Options.Capacity is null && Options.Trace is null)
        {
            Propagate(packet, now);
            return;
        }
        double limit = Options.QueueLimitTime is { } ql
            ? CapacityAt(now) / 8 * ql.TotalSeconds
            : Options.QueueLimitBytes;
        // A packet is always accepted into an empty queue so a small limit never blocks the link completely.
        if (_queue.Count > 0 && _queuedBytes + packet.WireSize > limit)
        {
            OnDropped?.Invoke(packet, now);
            return;
        }
        packet.QueueDelay -= now;
        _queue.Enqueue(packet);
        _queuedBytes += packet.WireSize;
        if (!_busy && !_waitingForOpportunity)
        {
            StartNext(now);
        }
    }

    internal void HandleEvent(SimPacket? packet, int kind, TimeSpan now)
    {
        switch (kind)
        {
            case KindTransmitDone:
                _busy = false;
                OnTransmitted?.Invoke(packet!, now);
                Propagate(packet!, now);
                StartNext(now);
                break;
            case KindArrive:
                _sim.Forward(packet!);
                break;
            case KindOpportunity:
                _waitingForOpportunity = false;
                _opportunityCredit = MahimahiTrace.BytesPerOpportunity * Options.Trace!.OpportunitiesAt((long)Math.Round(now.TotalMilliseconds));
                ServeOpportunity(now);
                break;
        }
    }

    private void StartNext(TimeSpan now)
    {
        if (_queue.Count == 0)
        {
            return;
        }
        if (Options.Trace is not null)
        {
            _waitingForOpportunity = true;
            _sim.ScheduleLink(Options.Trace.NextOpportunity(now), this, null, KindOpportunity);
            return;
        }
        SimPacket p = _queue.Dequeue();
        _queuedBytes -= p.WireSize;
        p.QueueDelay += now;
        double rate = CapacityAt(now);
        var tx = TimeSpan.FromSeconds(p.WireSize * 8 / rate);
        _busy = true;
        _sim.ScheduleLink(now + tx, this, p, KindTransmitDone);
    }

    private void ServeOpportunity(TimeSpan now)
    {
        while (_queue.Count > 0 && _queue.Peek().WireSize <= _opportunityCredit)
        {
            SimPacket p = _queue.Dequeue();
            _queuedBytes -= p.WireSize;
            _opportunityCredit -= p.WireSize;
            p.QueueDelay += now;
            OnTransmitted?.Invoke(p, now);
            Propagate(p, now);
        }
        if (_queue.Count > 0 && _queue.Peek().WireSize > MahimahiTrace.BytesPerOpportunity)
        {
            // Larger than any opportunity: cannot be carried; drop it rather than stall forever.
            SimPacket big = _queue.Dequeue();
            _queuedBytes -= big.WireSize;
            OnDropped?.Invoke(big, now);
        }
        if (_queue.Count > 0)
        {
            _waitingForOpportunity = true;
            _sim.ScheduleLink(Options.Trace!.NextOpportunity(now + TimeSpan.FromMilliseconds(1)), this, null, KindOpportunity);
        }
    }

    private void Propagate(SimPacket packet, TimeSpan now)
    {
        TimeSpan arrival = now + Options.PropagationDelay;
        if (Options.Jitter is { } jitter)
        {
            arrival += jitter.Sample(_rng);
        }
        // No reordering (RFC 8868 §4.5.2): j(n) >= j(n-1) + serial(n-1).
        TimeSpan earliest = _lastArrival + _lastSerialisation;
        if (arrival < earliest)
        {
            arrival = earliest;
        }
        _lastArrival = arrival;
        double rate = CapacityAt(now);
        _lastSerialisation = Options.Jitter is not null && !double.IsInfinity(rate)
            ? TimeSpan.FromTicks((long)(packet.WireSize * 8 / rate * TimeSpan.TicksPerSecond))
            : TimeSpan.Zero;
        _sim.ScheduleLink(arrival, this, packet, KindArrive);
    }
}
