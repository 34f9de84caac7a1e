using RtcStack.Stun;

namespace RtcStack.Ice.Tests;

/// <summary>
/// Two (or more) sans-IO agents joined by an in-memory link in virtual time: fixed one-way delay,
/// seeded random loss and an optional drop filter. Signalling (credentials, trickled candidates,
/// end-of-candidates) is exchanged instantly through the agents' events.
/// </summary>
internal sealed class VirtualNetwork
{
    private readonly List<Node> _nodes = [];
    private readonly HashSet<TransportAddress> _stunServers = [];
    private readonly Dictionary<TransportAddress, TransportAddress> _natOut = [];
    private readonly Dictionary<TransportAddress, TransportAddress> _natIn = [];
    private readonly List<InFlight> _inFlight = [];
    private readonly Random _random;
    private readonly byte[] _buffer = new byte[2048];

    public VirtualNetwork(int seed = 1)
    {
        _random = new Random(seed);
    }

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(10);

    public double Loss { get; set; }

    /// <summary>Gets or sets a filter: return true to drop the datagram (from, to, bytes).</summary>
    public Func<TransportAddress, TransportAddress, byte[], bool>? Drop { get; set; }

    public long Delivered { get; private set; }

    public long Dropped { get; private set; }

    public Node Add(string name, IceAgent agent, params string[] hostAddresses)
    {
        var node = new Node(name, agent);
        foreach (string a in hostAddresses)
        {
            var address = TransportAddress.Parse(a);
            node.Addresses.Add(address);
            agent.AddHostAddress(address);
        }

        _nodes.Add(node);
        return node;
    }

    /// <summary>A STUN server that answers Binding requests with the source it saw (RFC 8489 §3).</summary>
    public void AddStunServer(string address) => _stunServers.Add(TransportAddress.Parse(address));

    /// <summary>An endpoint-independent (full-cone) NAT mapping: private source rewritten to public, and back.</summary>
    public void AddNat(string privateAddress, string publicAddress)
    {
        var priv = TransportAddress.Parse(privateAddress);
        var pub = TransportAddress.Parse(publicAddress);
        _natOut[priv] = pub;
        _natIn[pub] = priv;
    }

    /// <summary>Exchanges credentials and trickles candidates between a and b, then starts gathering.</summary>
    public void Connect(Node a, Node b)
    {
        a.Peer = b;
        b.Peer = a;
        a.Agent.SetRemoteCredentials(b.Agent.LocalCredentials);
        b.Agent.SetRemoteCredentials(a.Agent.LocalCredentials);
        a.Agent.StartGathering(Now);
        b.Agent.StartGathering(Now);
    }

    public void Run(TimeSpan duration) => RunUntil(() => false, duration);

    /// <summary>Steps virtual time until <paramref name="condition"/> holds; returns false if <paramref name="limit"/> passes first.</summary>
    public bool RunUntil(Func<bool> condition, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        TimeSpan last = Now;
        int spins = 0;
        while (true)
        {
            // A sans-IO agent whose PollTimeout keeps naming a past instant would make its driver spin.
            spins = Now == last ? spins + 1 : 0;
            last = Now;
            if (spins > 10_000)
            {
                throw new InvalidOperationException($"no progress at {Now}: an agent keeps asking for a timeout it does not act on");
            }

            Flush();
            if (condition())
            {
                return true;
            }

            TimeSpan next = end;
            foreach (Node n in _nodes)
            {
                // The agent caches its deadline; the cached one may be early (a wake-up that finds nothing to do)
                // but never later than what its state asks for now.
                TimeSpan? cached = n.Agent.PollTimeout();
                if (n.Agent.ComputeTimeout() is TimeSpan fresh && (cached is null || cached.Value > fresh))
                {
                    throw new InvalidOperationException($"{n.Name}: cached deadline {cached} is later than the state's {fresh}");
                }

                if (cached is TimeSpan t && t < next)
                {
                    next = t;
                }
            }

            foreach (InFlight f in _inFlight)
            {
                if (f.At < next)
                {
                    next = f.At;
                }
            }

            if (next >= end)
            {
                Now = end;
                Flush();
                return condition();
            }

            if (next > Now)
            {
                Now = next;
            }

            for (int i = 0; i < _inFlight.Count;)
            {
                InFlight f = _inFlight[i];
                if (f.At <= Now)
                {
                    _inFlight.RemoveAt(i);
                    Deliver(f);
                }
                else
                {
                    i++;
                }
            }

            foreach (Node n in _nodes)
            {
                if (n.Agent.PollTimeout() is TimeSpan t && t <= Now)
                {
                    n.Agent.HandleTimeout(Now);
                }
            }
        }
    }

    /// <summary>Sends application data from a node over its selected pair (through the link).</summary>
    public bool SendData(Node from, byte[] payload)
    {
        byte[] buf = new byte[2048];
        if (!from.Agent.TryPrepareSend(payload, buf, Now, out IceTransmit t))
        {
            return false;
        }

        Schedule(t.Source, t.Destination, buf.AsSpan(0, t.Length).ToArray());
        return true;
    }

    private void Flush()
    {
        bool any = true;
        while (any)
        {
            any = false;
            foreach (Node n in _nodes)
            {
                while (n.Agent.TryPollTransmit(_buffer, out IceTransmit t))
                {
                    any = true;
                    Assert.Contains(t.Source, n.Addresses);
                    n.Sent.Add(_buffer.AsSpan(0, t.Length).ToArray());
                    Schedule(t.Source, t.Destination, _buffer.AsSpan(0, t.Length).ToArray());
                }

                while (n.Agent.TryPollEvent(out IceEvent? ev))
                {
                    any = true;
                    n.Events.Add((Now, ev!));
                    switch (ev)
                    {
                        case IceCandidateGatheredEvent g when n.Peer is not null && n.Trickle:
                            n.Peer.Agent.AddRemoteCandidate(g.Candidate, Now);
                            break;
                        case IceGatheringStateChangedEvent { State: IceGatheringState.Complete } when n.Peer is not null && n.Trickle:
                            n.Peer.Agent.AddRemoteEndOfCandidates(Now);
                            break;
                        case IceConnectionStateChangedEvent s:
                            n.States.Add((Now, s.State));
                            break;
                    }
                }
            }
        }
    }

    private void Schedule(TransportAddress from, TransportAddress to, byte[] bytes)
    {
        // Private (10/8) addresses are only reachable from the same private network.
        bool fromPrivate = from.IsPrivate;
        if (_natOut.TryGetValue(from, out TransportAddress mapped) && !to.IsPrivate)
        {
            from = mapped;
        }

        if (to.IsPrivate && !fromPrivate)
        {
            Dropped++;
            return;
        }

        if ((Drop is not null && Drop(from, to, bytes)) || (Loss > 0 && _random.NextDouble() < Loss))
        {
            Dropped++;
            return;
        }

        _inFlight.Add(new InFlight(Now + Delay, from, to, bytes));
    }

    private void Deliver(InFlight f)
    {
        if (_stunServers.Contains(f.To))
        {
            if (StunMessageReader.TryParse(f.Bytes, out StunMessageReader req) == StunParseStatus.Ok && req.Class == StunClass.Request)
            {
                byte[] resp = new byte[128];
                var w = new StunMessageWriter(resp, StunMessageType.BindingSuccess, req.TransactionId);
                w.AddXorAddress(StunAttributeType.XorMappedAddress, f.From);
                w.AddFingerprint();
                Schedule(f.To, f.From, w.Written.ToArray());
            }

            return;
        }

        if (_natIn.TryGetValue(f.To, out TransportAddress inside))
        {
            f = f with { To = inside };
        }

        foreach (Node n in _nodes)
        {
            if (n.Addresses.Contains(f.To))
            {
                Delivered++;
                IceDatagramKind kind = n.Agent.HandleDatagram(f.To, f.From, f.Bytes, Now, out ReadOnlySpan<byte> data);
                if (kind == IceDatagramKind.ApplicationData)
                {
                    n.Received.Add(data.ToArray());
                }

                return;
            }
        }
    }

    private sealed record InFlight(TimeSpan At, TransportAddress From, TransportAddress To, byte[] Bytes);

    internal sealed class Node(string name, IceAgent agent)
    {
        public string Name { get; } = name;

        public IceAgent Agent { get; } = agent;

        public List<TransportAddress> Addresses { get; } = [];

        public Node? Peer { get; set; }

        public bool Trickle { get; set; } = true;

        public List<(TimeSpan At, IceEvent Event)> Events { get; } = [];

        public List<(TimeSpan At, IceConnectionState State)> States { get; } = [];

        public List<byte[]> Sent { get; } = [];

        public List<byte[]> Received { get; } = [];

        public bool IsConnected => Agent.ConnectionState is IceConnectionState.Connected or IceConnectionState.Completed;

        public TimeSpan? TimeOf(IceConnectionState state)
        {
            foreach ((TimeSpan at, IceConnectionState s) in States)
            {
                if (s == state)
                {
                    return at;
                }
            }

            return null;
        }

        public override string ToString() => Name;
    }
}
