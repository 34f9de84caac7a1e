namespace RtcStack.Sctp.Tests;

/// <summary>
/// Two associations wired back to back in memory, in virtual time: a one-way delay, and loss,
/// duplication and reordering injected from a seeded random source (or a filter for targeted drops).
/// </summary>
internal sealed class SctpPair
{
    private readonly PriorityQueue<(bool ToB, byte[] Packet), (TimeSpan At, long Seq)> _wire = new();
    private readonly Random _random;
    private long _seq;

    /// <summary>Creates the pair; <paramref name="interleaving"/> sets both default options' I-DATA offer (RFC 8260), off so DATA is tested unless asked.</summary>
    public SctpPair(int seed = 1, SctpAssociationOptions? a = null, SctpAssociationOptions? b = null, bool interleaving = false)
    {
        _random = new Random(seed);
        A = new SctpAssociation(a ?? new SctpAssociationOptions { Random = new Random(seed * 7 + 1), EnableMessageInterleaving = interleaving });
        B = new SctpAssociation(b ?? new SctpAssociationOptions { Random = new Random(seed * 7 + 2), EnableMessageInterleaving = interleaving });
    }

    public SctpAssociation A { get; }

    public SctpAssociation B { get; }

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(25);

    public double Loss { get; set; }

    public double Duplicate { get; set; }

    public double Reorder { get; set; }

    /// <summary>Returns true to drop a packet (toB, bytes).</summary>
    public Func<bool, byte[], bool>? Drop { get; set; }

    /// <summary>Sees every packet put on the wire (toB, bytes, time).</summary>
    public Action<bool, byte[], TimeSpan>? Sent { get; set; }

    public List<SctpEvent> EventsA { get; } = new();

    public List<SctpEvent> EventsB { get; } = new();

    public long PacketsOnWire { get; private set; }

    public void Connect()
    {
        A.Connect(Now);
        B.Connect(Now);
        Drain();
        RunUntil(() => A.State == SctpAssociationState.Established && B.State == SctpAssociationState.Established, TimeSpan.FromSeconds(30));
    }

    public void Drain()
    {
        Drain(A, toB: true, EventsA);
        Drain(B, toB: false, EventsB);
    }

    private void Drain(SctpAssociation from, bool toB, List<SctpEvent> events)
    {
        while (from.TryPollTransmit(out ReadOnlyMemory<byte> packet))
        {
            byte[] bytes = packet.ToArray();
            PacketsOnWire++;
            Sent?.Invoke(toB, bytes, Now);
            if (Drop?.Invoke(toB, bytes) == true || _random.NextDouble() < Loss)
            {
                continue;
            }

            TimeSpan at = Now + Delay;
            if (_random.NextDouble() < Reorder)
            {
                at += TimeSpan.FromMilliseconds(1 + _random.Next(30));
            }

            _wire.Enqueue((toB, bytes), (at, _seq++));
            if (_random.NextDouble() < Duplicate)
            {
                _wire.Enqueue((toB, bytes), (at + TimeSpan.FromMilliseconds(_random.Next(20)), _seq++));
            }
        }

        while (from.TryPollEvent(out SctpEvent? e))
        {
            events.Add(e!);
        }
    }

    /// <summary>Advances virtual time to the next arrival or timer; false when nothing is left to happen.</summary>
    public bool Step()
    {
        TimeSpan? next = null;
        if (_wire.TryPeek(out _, out (TimeSpan At, long Seq) p))
        {
            next = p.At;
        }

        foreach (SctpAssociation s in new[] { A, B })
        {
            if (s.PollTimeout() is TimeSpan t && (next is null || t < next))
            {
                next = t;
            }
        }

        if (next is not TimeSpan n)
        {
            return false;
        }

        if (n > Now)
        {
            Now = n;
        }

        while (_wire.TryPeek(out (bool ToB, byte[] Packet) item, out (TimeSpan At, long Seq) q) && q.At <= Now)
        {
            _wire.Dequeue();
            (item.ToB ? B : A).HandleDatagram(item.Packet, Now);
            Drain();
        }

        foreach (SctpAssociation s in new[] { A, B })
        {
            if (s.PollTimeout() is TimeSpan t && t <= Now)
            {
                s.HandleTimeout(Now);
            }
        }

        Drain();
        return true;
    }

    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        while (!done())
        {
            if (Now > end || !Step())
            {
                return done();
            }
        }

        return true;
    }

    public void RunFor(TimeSpan span)
    {
        TimeSpan end = Now + span;
        while (Now < end && Step())
        {
        }
    }

    public void Deliver(bool toB, byte[] packet)
    {
        (toB ? B : A).HandleDatagram(packet, Now);
        Drain();
    }
}
