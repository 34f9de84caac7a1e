using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <content>Candidate gathering: host, server-reflexive (STUN) and relayed (TURN) (RFC 8445 §5.1).</content>
public sealed partial class IceAgent
{
    private void GatherFrom(TransportAddress host, int component, TimeSpan now)
    {
        int localPreference = LocalPreference(host);
        bool all = _options.Policy == IceTransportPolicy.All;
        TransportAddress? published = MapToPublic(host);
        bool publishAsHost = published is not null && _options.NatCandidateType == IceCandidateType.Host;
        var hostCandidate = new IceCandidate(
            Foundation(IceCandidateType.Host, host, default),
            component,
            IceTransportProtocol.Udp,
            IceCandidate.ComputePriority(IceCandidate.HostTypePreference, localPreference, component),
            publishAsHost ? published!.Value : host,
            IceCandidateType.Host);

        // A host candidate announced at its NAT's public address keeps the private socket as its base (the address
        // checks and data leave from and arrive on).
        var local = new LocalCandidate(hostCandidate, host, null) { Usable = all };
        AddLocal(local, now);
        if (published is TransportAddress mapped && !publishAsHost)
        {
            // RFC 8445 §5.1.1.2: a server-reflexive candidate whose mapping is known from configuration.
            var srflx = new IceCandidate(
                Foundation(IceCandidateType.ServerReflexive, host, default),
                component,
                IceTransportProtocol.Udp,
                IceCandidate.ComputePriority(IceCandidate.ServerReflexiveTypePreference, localPreference, component),
                mapped,
                IceCandidateType.ServerReflexive,
                host);
            AddLocal(new LocalCandidate(srflx, host, null) { Usable = all }, now);
        }

        if (Mode == IceMode.Lite)
        {
            return; // RFC 8445 §2.5: lite agents only have host candidates.
        }

        foreach (IceServer server in _options.Servers)
        {
            GatherFromServer(local, host, server, now);
        }
    }

    /// <summary>
    /// Adds a STUN or TURN server once gathering has started (one the signalling named late, such as a WHIP endpoint's
    /// ICE-server links on its 201, RFC 9725 §4.6): candidates are gathered from it for every host socket of its address
    /// family and arrive as <see cref="IceCandidateGatheredEvent"/>s (trickle ICE, RFC 8838); the gathering state is
    /// <see cref="IceGatheringState.Gathering"/> again until they are in. Before gathering starts it is added to the
    /// servers gathering will use. A server the agent has already is ignored; a lite agent gathers nothing from it
    /// (RFC 8445 §2.5).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The agent is closed.</exception>
    public void AddServer(IceServer server, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(server);
        InvalidateTimeout();
        ThrowIfClosed();
        _now = now;
        if (_options.Servers.Contains(server))
        {
            return;
        }

        _options.Servers.Add(server);
        if (!_gatheringStarted || Mode == IceMode.Lite)
        {
            return;
        }

        SetGatheringState(IceGatheringState.Gathering);
        foreach (LocalCandidate l in _locals.ToArray())
        {
            if (l.Candidate.Type == IceCandidateType.Host && l.Turn is null)
            {
                GatherFromServer(l, l.Base, server, now);
            }
        }

        UpdateGatheringState();
    }

    // RFC 8445 §5.1.1.2: a server-reflexive candidate from a STUN server, or a relayed one from a TURN server, for the
    // host candidate `local` on socket `host`.
    private void GatherFromServer(LocalCandidate local, TransportAddress host, IceServer server, TimeSpan now)
    {
        if (server.Address.AddressFamily != host.AddressFamily || (server.Transport != TurnTransport.Udp && !server.IsTurn))
        {
            return;
        }

        if (server.IsTurn)
        {
            var turn = new TurnClient(server.Address, host, server.Username!, server.Password!, new TurnClientOptions { Transport = server.Transport });
            _turnClients.Add(turn);
            _pendingGathers++;
            turn.Allocate(now);
        }
        else if (_options.Policy == IceTransportPolicy.All)
        {
            byte[] buf = new byte[64];
            StunTransactionId id = StunTransactionId.NewRandom();
            var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, id);
            w.AddFingerprint();
            var tx = new IceTransaction
            {
                Purpose = IceTransaction.Kind.Gather,
                Id = id,
                From = local,
                To = server.Address,
                Bytes = w.Written.ToArray(),
                MaxSent = _options.GatherTransmissions,
                Rto = _options.MinRto,
                FinalWait = _options.MinRto * 4,
                StartedAt = now,
            };
            _pendingGathers++;
            StartTransaction(tx, now);
        }
    }

    // The public address (with the host socket's port: the NAT is 1:1) of a host address, from NatMappings: a mapping
    // naming this private address wins over one for the whole family. Loopback and link-local addresses are not NATed.
    private TransportAddress? MapToPublic(TransportAddress host)
    {
        if (_options.NatMappings.Count == 0 || host.IsLoopback || host.IsLinkLocal)
        {
            return null;
        }

        IceNatMapping? familyWide = null;
        foreach (IceNatMapping m in _options.NatMappings)
        {
            if (m.PublicAddress.AddressFamily != host.AddressFamily)
            {
                continue;
            }

            if (m.PrivateAddress is null)
            {
                familyWide = m;
            }
            else if (new TransportAddress(m.PrivateAddress, host.Port).SameAddress(host))
            {
                return new TransportAddress(m.PublicAddress, host.Port);
            }
        }

        return familyWide is null ? null : new TransportAddress(familyWide.PublicAddress, host.Port);
    }

    private static void ValidateNatMappings(IceAgentOptions options)
    {
        if (options.NatCandidateType is not (IceCandidateType.Host or IceCandidateType.ServerReflexive))
        {
            throw new ArgumentException("NatCandidateType must be Host or ServerReflexive", nameof(options));
        }

        bool v4 = false;
        bool v6 = false;
        foreach (IceNatMapping m in options.NatMappings)
        {
            ArgumentNullException.ThrowIfNull(m);
            if (m.PrivateAddress is not null)
            {
                if (m.PrivateAddress.AddressFamily != m.PublicAddress.AddressFamily)
                {
                    throw new ArgumentException($"NAT mapping {m}: both addresses must be of one family", nameof(options));
                }

                continue;
            }

            ref bool seen = ref m.PublicAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? ref v6 : ref v4;
            if (seen)
            {
                throw new ArgumentException($"NAT mapping {m}: only one public address per family may stand for every host address; name the private address (PUBLIC/PRIVATE)", nameof(options));
            }

            seen = true;
        }
    }

    private void AddLocal(LocalCandidate local, TimeSpan now)
    {
        foreach (LocalCandidate l in _locals)
        {
            if (l.Candidate.Address == local.Candidate.Address && l.Candidate.Component == local.Candidate.Component)
            {
                return; // RFC 8445 §5.1.3: redundant.
            }
        }

        _locals.Add(local);
        if (!local.Usable)
        {
            return;
        }

        if (local.Candidate.Type != IceCandidateType.PeerReflexive)
        {
            _events.Enqueue(new IceCandidateGatheredEvent(local.Candidate));
        }

        // RFC 8445 §6.1.2.4: server-reflexive candidates are replaced by their base, so they make no pairs.
        if (local.Candidate.Type == IceCandidateType.ServerReflexive)
        {
            return;
        }

        foreach (IceCandidate r in _remotes)
        {
            TryAddPair(local, r, now);
        }

        if (_remoteCredentials is not null && _pairs.Count > 0)
        {
            StartChecks(now);
        }
    }

    private void OnServerReflexive(IceTransaction tx, TransportAddress mapped, TimeSpan now)
    {
        if (mapped.IsEmpty || mapped == tx.From.Socket)
        {
            return; // no NAT: the srflx candidate would be redundant with the host one.
        }

        IceCandidate host = tx.From.Candidate;
        var srflx = new IceCandidate(
            Foundation(IceCandidateType.ServerReflexive, host.Address, tx.To),
            host.Component,
            IceTransportProtocol.Udp,
            IceCandidate.ComputePriority(IceCandidate.ServerReflexiveTypePreference, LocalPreference(host.Address), host.Component),
            mapped,
            IceCandidateType.ServerReflexive,
            host.Address);
        AddLocal(new LocalCandidate(srflx, tx.From.Socket, null), now);
    }

    private void PumpTurn(TimeSpan now)
    {
        foreach (TurnClient turn in _turnClients)
        {
            while (turn.TryPollEvent(out TurnEvent? ev))
            {
                switch (ev)
                {
                    case TurnAllocatedEvent a:
                        OnRelayAllocated(turn, a, now);
                        _pendingGathers--;
                        break;
                    case TurnFailedEvent f:
                        _logger.LogTurnFailed(turn.Server, f.ErrorCode, f.Reason);
                        if (!HasRelayCandidate(turn))
                        {
                            _pendingGathers--;
                        }
                        else
                        {
                            FailPairsOf(turn);
                        }

                        break;
                }
            }
        }

        UpdateGatheringState();
    }

    private bool HasRelayCandidate(TurnClient turn)
    {
        foreach (LocalCandidate l in _locals)
        {
            if (l.Turn == turn)
            {
                return true;
            }
        }

        return false;
    }

    private void FailPairsOf(TurnClient turn)
    {
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.LocalEntry.Turn == turn)
            {
                p.State = IceCandidatePairState.Failed;
            }
        }
    }

    private void OnRelayAllocated(TurnClient turn, TurnAllocatedEvent a, TimeSpan now)
    {
        int component = 1;
        foreach ((TransportAddress addr, int c) in _hostSockets)
        {
            if (addr == turn.LocalBase)
            {
                component = c;
            }
        }

        int localPreference = LocalPreference(turn.LocalBase);
        // Over TCP or TLS the mapped address is that of the TCP connection, which says nothing about UDP: no srflx from it.
        if (_options.Policy == IceTransportPolicy.All && turn.Transport == TurnTransport.Udp && !a.Mapped.IsEmpty && a.Mapped != turn.LocalBase)
        {
            var srflx = new IceCandidate(
                Foundation(IceCandidateType.ServerReflexive, turn.LocalBase, turn.Server),
                component,
                IceTransportProtocol.Udp,
                IceCandidate.ComputePriority(IceCandidate.ServerReflexiveTypePreference, localPreference, component),
                a.Mapped,
                IceCandidateType.ServerReflexive,
                turn.LocalBase);
            AddLocal(new LocalCandidate(srflx, turn.LocalBase, null), now);
        }

        // RFC 8445 §5.1.2.1 leaves local preferences to the agent: like browsers, prefer relays reached over UDP to those
        // over TCP, and those to TLS (each costs more per packet and suffers head-of-line blocking).
        int relayPreference = Math.Max(0, localPreference - (turn.Transport switch { TurnTransport.Tcp => 2000, TurnTransport.Tls => 4000, _ => 0 }));
        var relay = new IceCandidate(
            Foundation(IceCandidateType.Relayed, turn.LocalBase, turn.Server, turn.Transport),
            component,
            IceTransportProtocol.Udp,
            IceCandidate.ComputePriority(IceCandidate.RelayedTypePreference, relayPreference, component),
            a.Relayed,
            IceCandidateType.Relayed,
            a.Mapped);
        foreach (IceCandidate r in _remotes)
        {
            if (r.Component == component && r.Address.AddressFamily == a.Relayed.AddressFamily)
            {
                turn.CreatePermission(r.Address, now);
            }
        }

        AddLocal(new LocalCandidate(relay, turn.LocalBase, turn), now);
    }

    private void UpdateGatheringState()
    {
        if (_gatheringStarted && _pendingGathers <= 0)
        {
            SetGatheringState(IceGatheringState.Complete);
        }
    }

    // RFC 8445 §5.1.1.3: same type, same base IP, same server (and transport) => same foundation.
    private string Foundation(IceCandidateType type, TransportAddress baseAddress, TransportAddress server, TurnTransport transport = TurnTransport.Udp)
    {
        string key = $"{(int)type}|{baseAddress.AddressToString()}|{server}|{transport}";
        if (!_foundations.TryGetValue(key, out string? f))
        {
            f = (_foundations.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _foundations[key] = f;
        }

        return f;
    }

    // RFC 8445 §5.1.2.1 / RFC 8421 §4: prefer IPv6 over IPv4, both over link-local and loopback;
    // among equals, earlier-registered interfaces first.
    private int LocalPreference(TransportAddress address)
    {
        int index = 0;
        foreach ((TransportAddress a, int _) in _hostSockets)
        {
            if (a == address)
            {
                break;
            }

            index++;
        }

        int basePreference = address.IsLoopback ? 10000
            : address.IsLinkLocal ? 20000
            : address.IsIPv6 ? 60000
            : 50000;
        return Math.Max(0, basePreference - (index * 10));
    }
}
