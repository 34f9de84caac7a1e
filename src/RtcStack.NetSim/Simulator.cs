using RtcStack.NetSim.Links;

namespace RtcStack.NetSim;

/// <summary>
/// Discrete-event simulator: a virtual clock and an event queue ordered by (time, insertion order), so the same
/// inputs and seed give bit-identical runs. Endpoints are attached at addresses; routes between nodes are lists of
/// <see cref="Link"/>s.
/// </summary>
public sealed class Simulator
{
    private readonly PriorityQueue<Event, (long Ticks, long Seq)> _queue = new();
    private readonly Dictionary<SimAddress, Attached> _endpoints = new();
    private readonly Dictionary<(int From, int To), Route> _routes = new();
    private long _seq;

    /// <summary>Creates a simulator whose random streams derive from <paramref name="seed"/>.</summary>
    public Simulator(int seed)
    {
        Seed = seed;
    }

    /// <summary>Master seed.</summary>
    public int Seed { get; }

    /// <summary>Virtual time.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>Events processed so far.</summary>
    public long EventCount { get; private set; }

    /// <summary>Observer of packets delivered to endpoints (metrics).</summary>
    public Action<SimPacket, TimeSpan>? OnDelivered { get; set; }

    /// <summary>Observer of packets sent by endpoints (metrics).</summary>
    public Action<SimPacket, TimeSpan>? OnSent { get; set; }

    /// <summary>A deterministic random stream for component <paramref name="stream"/>.</summary>
    public Random CreateRandom(int stream) => new(unchecked(Seed * 7919 + stream * 104729 + 17));

    /// <summary>Attaches an endpoint at <paramref name="address"/>; packets it sends carry <paramref name="flowId"/>.</summary>
    public void Attach(SimAddress address, ISimEndpoint endpoint, int flowId)
    {
        _endpoints.Add(address, new Attached(endpoint, flowId, address));
        Schedule(Now, EventKind.Drain, endpoint: _endpoints[address]);
    }

    /// <summary>Sets the route from node <paramref name="from"/> to node <paramref name="to"/>.</summary>
    public void SetRoute(int from, int to, params Link[] links) => _routes[(from, to)] = new Route(links);

    /// <summary>Runs until <paramref name="end"/> or until no events remain.</summary>
    public void RunUntil(TimeSpan end)
    {
        while (_queue.TryPeek(out Event ev, out (long Ticks, long Seq) key) && key.Ticks <= end.Ticks)
        {
            _queue.Dequeue();
            Now = TimeSpan.FromTicks(key.Ticks);
            EventCount++;
            Dispatch(ev);
        }
        if (Now < end)
        {
            Now = end;
        }
    }

    /// <summary>Schedules a link's internal event.</summary>
    internal void ScheduleLink(TimeSpan at, Link link, SimPacket? packet, int kind) =>
        Schedule(at, EventKind.Link, link: link, packet: packet, linkKind: kind);

    /// <summary>Moves a packet to its next hop or delivers it.</summary>
    internal void Forward(SimPacket packet)
    {
        Route route = packet.Route!;
        if (packet.Hop < route.Links.Count)
        {
            Link link = route.Links[packet.Hop++];
            link.Enqueue(packet, Now);
            return;
        }
        if (_endpoints.TryGetValue(packet.Destination, out Attached? dst))
        {
            OnDelivered?.Invoke(packet, Now);
            dst.Endpoint.HandleDatagram(packet, Now);
            Drain(dst);
        }
    }

    private void Schedule(TimeSpan at, EventKind kind, Attached? endpoint = null, Link? link = null, SimPacket? packet = null, int linkKind = 0)
    {
        if (at < Now)
        {
            at = Now;
        }
        _queue.Enqueue(new Event(kind, endpoint, link, packet, linkKind), (at.Ticks, _seq++));
    }

    private void Dispatch(Event ev)
    {
        switch (ev.Kind)
        {
            case EventKind.Timeout:
                {
                    Attached a = ev.Endpoint!;
                    if (a.ScheduledTimeout != Now)
                    {
                        return; // superseded
                    }
                    a.ScheduledTimeout = TimeSpan.MaxValue;
                    a.Endpoint.HandleTimeout(Now);
                    Drain(a);
                    break;
                }
            case EventKind.Drain:
                Drain(ev.Endpoint!);
                break;
            case EventKind.Link:
                ev.Link!.HandleEvent(ev.Packet, ev.LinkKind, Now);
                break;
        }
    }

    private void Drain(Attached a)
    {
        while (a.Endpoint.TryPollTransmit(out SimPacket packet))
        {
            packet.Source = a.Address;
            packet.FlowId = a.FlowId;
            packet.SentAt = Now;
            packet.Hop = 0;
            packet.QueueDelay = TimeSpan.Zero;
            if (!_routes.TryGetValue((a.Address.Node, packet.Destination.Node), out Route? route))
            {
                throw new InvalidOperationException($"No route from node {a.Address.Node} to node {packet.Destination.Node}.");
            }
            packet.Route = route;
            OnSent?.Invoke(packet, Now);
            Forward(packet);
        }
        TimeSpan next = a.Endpoint.PollTimeout();
        if (next != TimeSpan.MaxValue)
        {
            if (next < Now)
            {
                next = Now;
            }
            if (next != a.ScheduledTimeout)
            {
                a.ScheduledTimeout = next;
                Schedule(next, EventKind.Timeout, endpoint: a);
            }
        }
    }

    private enum EventKind : byte
    {
        Timeout,
        Drain,
        Link,
    }

    private readonly record struct Event(EventKind Kind, Attached? Endpoint, Link? Link, SimPacket? Packet, int LinkKind);

    private sealed class Attached(ISimEndpoint endpoint, int flowId, SimAddress address)
    {
        public ISimEndpoint Endpoint { get; } = endpoint;

        public int FlowId { get; } = flowId;

        public SimAddress Address { get; } = address;

        public TimeSpan ScheduledTimeout { get; set; } = TimeSpan.MaxValue;
    }
}
