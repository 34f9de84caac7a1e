using RtcStack.Sctp.DataChannels;

namespace RtcStack.Sctp.Tests;

/// <summary>Two <see cref="DataChannelTransport"/>s back to back in virtual time (A is the DTLS client), with optional loss.</summary>
internal sealed class DataChannelPair
{
    private readonly PriorityQueue<(bool ToB, byte[] Packet), (TimeSpan At, long Seq)> _wire = new();
    private readonly Random _random;
    private long _seq;

    public DataChannelPair(int seed = 1)
    {
        _random = new Random(seed);
        A = new DataChannelTransport(new SctpAssociation(new SctpAssociationOptions { Random = new Random(seed + 10) }), dtlsClient: true);
        B = new DataChannelTransport(new SctpAssociation(new SctpAssociationOptions { Random = new Random(seed + 20) }), dtlsClient: false);
    }

    public DataChannelTransport A { get; }

    public DataChannelTransport B { get; }

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1);

    public double Loss { get; set; }

    public List<DataChannelEvent> EventsA { get; } = new();

    public List<DataChannelEvent> EventsB { get; } = new();

    public void Connect()
    {
        A.Connect(Now);
        B.Connect(Now);
        Drain();
        RunUntil(() => EventsA.OfType<DataChannelTransportConnectedEvent>().Any() && EventsB.OfType<DataChannelTransportConnectedEvent>().Any(), TimeSpan.FromSeconds(30));
    }

    public void Drain()
    {
        Drain(A, true, EventsA);
        Drain(B, false, EventsB);
    }

    private void Drain(DataChannelTransport from, bool toB, List<DataChannelEvent> events)
    {
        while (from.TryPollTransmit(out ReadOnlyMemory<byte> p))
        {
            if (_random.NextDouble() < Loss)
            {
                continue;
            }

            _wire.Enqueue((toB, p.ToArray()), (Now + TimeSpan.FromMilliseconds(20), _seq++));
        }

        while (from.TryPollEvent(out DataChannelEvent? e))
        {
            events.Add(e!);
        }
    }

    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        while (!done() && Now <= end)
        {
            TimeSpan? next = null;
            if (_wire.TryPeek(out _, out (TimeSpan At, long Seq) p))
            {
                next = p.At;
            }

            foreach (DataChannelTransport t in new[] { A, B })
            {
                if (t.PollTimeout() is TimeSpan d && (next is null || d < next))
                {
                    next = d;
                }
            }

            if (next is not TimeSpan n)
            {
                break;
            }

            Now = n > Now ? n : Now;
            while (_wire.TryPeek(out (bool ToB, byte[] Packet) item, out (TimeSpan At, long Seq) q) && q.At <= Now)
            {
                _wire.Dequeue();
                (item.ToB ? B : A).HandleDatagram(item.Packet, Now);
                Drain();
            }

            foreach (DataChannelTransport t in new[] { A, B })
            {
                if (t.PollTimeout() is TimeSpan d && d <= Now)
                {
                    t.HandleTimeout(Now);
                }
            }

            Drain();
        }

        return done();
    }
}
