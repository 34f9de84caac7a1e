using System.Net;
using RtcStack.Stun;
using RtcStack.WebRtc.Transport;
using Xunit;

namespace RtcStack.WebRtc.Tests.Forwarding;

/// <summary>
/// Sessions in pairs on virtual links, one clock for all (an SFU's sessions and their peers): each link has a 5 ms
/// one-way delay and, per direction, an optional bottleneck (a FIFO drained at a rate, dropping what would wait over a
/// second) and an optional drop filter. Sessions are driven only by PollOutput; media and events go to the node's
/// handlers when set, else to its lists.
/// </summary>
internal sealed class ForwardingNet : IDisposable
{
    private readonly List<Node> _nodes = [];
    private readonly List<(TimeSpan At, Node To, TransportAddress From, byte[] Data)> _inFlight = [];
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _nextAddress = 1;

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets what runs after every step, with the time (the forwarding logic of the test's SFU).</summary>
    public Action<TimeSpan>? Step { get; set; }

    public Node Add(string name, WebRtcSessionOptions options)
    {
        var node = new Node(name, new WebRtcSession(options), new TransportAddress(IPAddress.Parse($"10.0.0.{_nextAddress}"), 5000 + _nextAddress));
        _nextAddress++;
        node.Session.AddLocalAddress(node.Address);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Links two nodes (each has one peer).</summary>
    public static void Link(Node a, Node b)
    {
        a.Peer = b;
        b.Peer = a;
    }

    public void RunFor(TimeSpan duration) => RunUntil(() => false, duration);

    public bool RunUntil(Func<bool> condition, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        while (true)
        {
            PumpAll();
            if (condition())
            {
                return true;
            }

            TimeSpan next = end;
            foreach ((TimeSpan at, _, _, _) in _inFlight)
            {
                next = at < next ? at : next;
            }

            foreach (Node n in _nodes)
            {
                if (n.Session.PollTimeout() is TimeSpan t && t < next)
                {
                    next = t;
                }
            }

            if (next >= end)
            {
                Now = end;
                PumpAll();
                return condition();
            }

            Now = next > Now ? next : Now;
            for (int i = 0; i < _inFlight.Count; i++)
            {
                (TimeSpan at, Node to, TransportAddress from, byte[] data) = _inFlight[i];
                if (at <= Now)
                {
                    _inFlight.RemoveAt(i--);
                    to.Session.HandleDatagram(to.Address, from, data, Now);
                }
            }

            foreach (Node n in _nodes)
            {
                if (n.Session.PollTimeout() is TimeSpan t && t <= Now)
                {
                    n.Session.HandleTimeout(Now);
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (Node n in _nodes)
        {
            n.Session.Dispose();
        }
    }

    private void PumpAll()
    {
        for (bool any = true; any;)
        {
            any = false;
            foreach (Node n in _nodes)
            {
                any |= Pump(n);
            }

            Step?.Invoke(Now);
            foreach (Node n in _nodes)
            {
                any |= Pump(n);
            }
        }
    }

    private bool Pump(Node p)
    {
        bool any = false;
        while (true)
        {
            SessionOutput o = p.Session.PollOutput(_buffer);
            switch (o.Kind)
            {
                case SessionOutputKind.Transmit:
                    any = true;
                    byte[] data = _buffer.AsSpan(0, o.Transmit.Length).ToArray();
                    if (p.Peer is not Node other || p.Drop?.Invoke(data) == true)
                    {
                        p.Dropped++;
                        continue;
                    }

                    TimeSpan departure = Now;
                    if (p.UplinkBps > 0)
                    {
                        departure = (p.BusyUntil > Now ? p.BusyUntil : Now) + TimeSpan.FromTicks(data.Length * 8 * TimeSpan.TicksPerSecond / p.UplinkBps);
                        if (departure - Now > TimeSpan.FromSeconds(1))
                        {
                            p.Dropped++;
                            continue;
                        }

                        p.BusyUntil = departure;
                    }

                    _inFlight.Add((departure + TimeSpan.FromMilliseconds(5), other, o.Transmit.Source, data));
                    continue;
                case SessionOutputKind.Event:
                    any = true;
                    if (o.Event is SessionCandidateEvent c && p.Peer is Node peer)
                    {
                        peer.Session.AddRemoteCandidate(c.Candidate.ToString(), Now);
                    }

                    if (p.OnEvent is not null)
                    {
                        p.OnEvent(o.Event!);
                    }
                    else
                    {
                        p.Events.Add(o.Event!);
                    }

                    continue;
                case SessionOutputKind.Media:
                    any = true;
                    if (p.OnMedia is not null)
                    {
                        p.OnMedia(o.Media, _buffer.AsSpan(0, o.Media.Length));
                    }
                    else
                    {
                        p.Media.Add((o.Media, _buffer.AsSpan(0, o.Media.Length).ToArray(), Now));
                    }

                    continue;
                case SessionOutputKind.MediaBufferTooSmall:
                    Assert.Fail("media larger than 1 MB");
                    return any;
                default:
                    return any;
            }
        }
    }

    internal delegate void MediaHandler(in ReceivedMedia media, ReadOnlySpan<byte> data);

    internal sealed class Node(string name, WebRtcSession session, TransportAddress address)
    {
        public string Name { get; } = name;

        public WebRtcSession Session { get; } = session;

        public TransportAddress Address { get; } = address;

        public Node? Peer { get; set; }

        /// <summary>Gets or sets what this node's sends are limited to, in bits per second (0: unlimited).</summary>
        public long UplinkBps { get; set; }

        public TimeSpan BusyUntil { get; set; }

        /// <summary>Gets or sets a filter of this node's datagrams: true drops one.</summary>
        public Func<byte[], bool>? Drop { get; set; }

        public long Dropped { get; set; }

        public MediaHandler? OnMedia { get; set; }

        public Action<SessionEvent>? OnEvent { get; set; }

        public List<SessionEvent> Events { get; } = [];

        public List<(ReceivedMedia Media, byte[] Data, TimeSpan At)> Media { get; } = [];

        public override string ToString() => Name;
    }
}
