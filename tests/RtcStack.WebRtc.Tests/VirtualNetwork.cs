using RtcStack.Stun;
using RtcStack.WebRtc;
using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Tests;

/// <summary>
/// A deterministic in-memory network for sessions: datagrams between registered addresses with a fixed
/// one-way delay and optional loss, time stepped by hand (virtual time, no clock, no sockets).
/// </summary>
internal sealed class VirtualNetwork
{
    private readonly List<Node> _nodes = [];
    private readonly PriorityQueue<Flight, (TimeSpan, long)> _inFlight = new();
    private readonly byte[] _buffer = new byte[2048];
    private long _order;

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Gets or sets a filter that drops a datagram when it returns true (from, to, bytes).</summary>
    public Func<TransportAddress, TransportAddress, byte[], bool>? Drop { get; set; }

    public long Delivered { get; private set; }

    public long Dropped { get; private set; }

    public Node Add(PeerSession session, string address)
    {
        var node = new Node(session, TransportAddress.Parse(address));
        session.AddLocalAddress(node.Address);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Runs until <paramref name="duration"/> has passed, calling <paramref name="tick"/> every <paramref name="tickInterval"/>.</summary>
    public void RunFor(TimeSpan duration, Action<TimeSpan>? tick = null, TimeSpan? tickInterval = null)
    {
        TimeSpan end = Now + duration;
        TimeSpan interval = tickInterval ?? TimeSpan.FromMilliseconds(20);
        TimeSpan nextTick = Now;
        int guard = 0;
        while (true)
        {
            if (++guard > 5_000_000)
            {
                throw new InvalidOperationException("virtual network did not make progress");
            }

            Flush();
            TimeSpan next = end;
            if (_inFlight.TryPeek(out _, out (TimeSpan At, long) head) && head.At < next)
            {
                next = head.At;
            }

            foreach (Node n in _nodes)
            {
                if (n.Session.PollTimeout() is TimeSpan due && due < next)
                {
                    next = due;
                }
            }

            if (tick is not null && nextTick < next)
            {
                next = nextTick;
            }

            if (next >= end)
            {
                Now = end;
                return;
            }

            if (next > Now)
            {
                Now = next;
            }

            while (_inFlight.TryPeek(out Flight f, out (TimeSpan At, long) p) && p.At <= Now)
            {
                _inFlight.Dequeue();
                Node? to = Find(f.To);
                if (to is not null)
                {
                    Delivered++;
                    to.Session.HandleDatagram(f.To, f.From, f.Data, Now);
                    to.Drain(Now);
                }
            }

            foreach (Node n in _nodes)
            {
                if (n.Session.PollTimeout() is TimeSpan due && due <= Now)
                {
                    n.Session.HandleTimeout(Now);
                    n.Drain(Now);
                }
            }

            if (tick is not null && nextTick <= Now)
            {
                tick(Now);
                nextTick = Now + interval;
            }
        }
    }

    /// <summary>Runs until <paramref name="condition"/> holds or <paramref name="limit"/> passes; returns whether it held.</summary>
    public bool RunUntil(Func<bool> condition, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        while (Now < end)
        {
            if (condition())
            {
                return true;
            }

            RunFor(TimeSpan.FromMilliseconds(5));
        }

        return condition();
    }

    private void Flush()
    {
        foreach (Node n in _nodes)
        {
            while (n.Session.TryPollTransmit(_buffer, out DatagramTransmit t))
            {
                n.Sent++;
                byte[] data = _buffer.AsSpan(0, t.Length).ToArray();
                if (Drop?.Invoke(t.Source, t.Destination, data) == true)
                {
                    Dropped++;
                    continue;
                }

                _inFlight.Enqueue(new Flight(t.Source, t.Destination, data), (Now + Delay, _order++));
            }

            n.Drain(Now);
        }
    }

    private Node? Find(TransportAddress a)
    {
        foreach (Node n in _nodes)
        {
            if (n.Address == a)
            {
                return n;
            }
        }

        return null;
    }

    private readonly record struct Flight(TransportAddress From, TransportAddress To, byte[] Data);

    internal sealed class Node(PeerSession session, TransportAddress address)
    {
        private readonly byte[] _payload = new byte[PeerSession.MaxDatagramSize];

        public PeerSession Session { get; } = session;

        public TransportAddress Address { get; } = address;

        public List<PeerSessionEvent> Events { get; } = [];

        public List<(ReceivedMediaFrame Frame, byte[] Payload)> Media { get; } = [];

        public long Sent { get; set; }

        /// <summary>Gets or sets what to do with each received frame (besides recording it), e.g. decode it.</summary>
        public Action<ReceivedMediaFrame, byte[]>? OnMedia { get; set; }

        public void Drain(TimeSpan now)
        {
            _ = now;
            while (Session.TryPollEvent(out PeerSessionEvent? e))
            {
                Events.Add(e!);
            }

            while (Session.TryPollMedia(_payload, out ReceivedMediaFrame f))
            {
                byte[] copy = _payload.AsSpan(0, f.PayloadLength).ToArray();
                Media.Add((f, copy));
                OnMedia?.Invoke(f, copy);
            }
        }
    }
}
