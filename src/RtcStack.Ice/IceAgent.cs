using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <summary>
/// A sans-IO ICE agent (RFC 8445) with trickle (RFC 8838), consent freshness (RFC 7675) and TURN
/// relaying (RFC 8656). It owns no socket, thread or clock: the driver registers its local socket
/// addresses (<see cref="AddHostAddress"/>), feeds received datagrams (<see cref="HandleDatagram(TransportAddress, TransportAddress, ReadOnlySpan{byte}, TimeSpan, out ReadOnlySpan{byte})"/>)
/// and the time (<see cref="HandleTimeout"/>), sends what <see cref="TryPollTransmit"/> yields,
/// reads <see cref="TryPollEvent"/>, and sleeps until <see cref="PollTimeout"/>.
/// </summary>
/// <remarks>
/// A WebRTC session feeds the remote ufrag/pwd from SDP (<see cref="SetRemoteCredentials(string, string)"/>),
/// trickles candidates both ways (<see cref="AddRemoteCandidate(IceCandidate, TimeSpan)"/>,
/// <see cref="IceCandidateGatheredEvent"/>), routes application data (DTLS, SRTP) out over the
/// selected pair with <see cref="TryPrepareSend"/> and gets incoming application data back from
/// <see cref="HandleDatagram(TransportAddress, TransportAddress, ReadOnlySpan{byte}, TimeSpan, out ReadOnlySpan{byte})"/>
/// as <see cref="IceDatagramKind.ApplicationData"/>, already unwrapped when it came through TURN.
/// </remarks>
public sealed partial class IceAgent
{
    private const int BufferSize = 2048;

    private readonly IceAgentOptions _options;
    private readonly ILogger _logger;
    private readonly Random? _random;
    private readonly List<(TransportAddress Address, int Component)> _hostSockets = [];
    private readonly List<int> _components = []; // sorted; a List so enumerating it allocates nothing
    private readonly List<LocalCandidate> _locals = [];
    private readonly List<IceCandidate> _remotes = [];
    private readonly List<IceCandidatePair> _pairs = [];
    private readonly Dictionary<(TransportAddress Local, TransportAddress Remote), IceCandidatePair> _pairsByRoute = [];
    private readonly LinkedList<IceCandidatePair> _triggered = new();
    private readonly Dictionary<StunTransactionId, IceTransaction> _transactions = [];
    private readonly Queue<Outgoing> _outgoing = new();
    private readonly Queue<IceEvent> _events = new();
    private readonly List<TurnClient> _turnClients = [];
    private TimeSpan? _timeout;
    private IceTimerReason _timeoutReason;
    private bool _timeoutValid;
    private readonly Dictionary<string, string> _foundations = [];
    private readonly Dictionary<int, IceCandidatePair> _selected = [];
    private readonly Dictionary<int, IceCandidatePair> _previousSelected = [];

    // Pairs of the generation before a restart that the peer had checked (or we had validated), other than the selected
    // one: the peer may already send data on one of them (RFC 8445 §9 lets data go on over existing pairs until the new
    // generation selects a pair; a browser that restarts first can move its media to a new port it checked with the
    // old credentials). Accepted for data until a pair of the component is selected again or its consent runs out.
    private readonly List<IceCandidatePair> _previousReceiving = [];
    private readonly Dictionary<int, TimeSpan> _firstValidAt = [];
    private readonly HashSet<int> _consentLost = [];

    private IceCredentials _localCredentials;
    private StunIntegrityKey _localKey;
    private IceCredentials? _remoteCredentials;
    private StunIntegrityKey? _remoteKey;
    private string? _outgoingUsername;
    private int _pendingGathers;
    private int _prflxCounter;
    private bool _gatheringStarted;
    private bool _checksStarted;
    private bool _remoteEndOfCandidates;
    private bool _closed;
    private TimeSpan _nextPaceAt;
    private TimeSpan _now;

    /// <summary>Initializes a new agent.</summary>
    public IceAgent(IceAgentOptions? options = null)
    {
        _options = options ?? new IceAgentOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        _random = _options.Random;
        Mode = _options.Mode;
        Role = Mode == IceMode.Lite ? IceRole.Controlled : _options.Role;
        TieBreaker = _options.TieBreaker ?? NextUInt64();
        _localCredentials = _options.LocalCredentials ?? IceCredentials.Generate(_random);
        _localKey = new StunIntegrityKey(Encoding.UTF8.GetBytes(_localCredentials.Password));
        ValidateNatMappings(_options);
    }

    /// <summary>Gets full or lite mode.</summary>
    public IceMode Mode { get; }

    /// <summary>Gets the current role (it may change on a role conflict, RFC 8445 §7.3.1.1).</summary>
    public IceRole Role { get; private set; }

    /// <summary>Gets the peer's implementation, full or lite (RFC 8839 §5.3 a=ice-lite), as set by <see cref="SetRemoteMode"/>.</summary>
    public IceMode RemoteMode { get; private set; } = IceMode.Full;

    /// <summary>Gets the tie-breaker (RFC 8445 §16.1).</summary>
    public ulong TieBreaker { get; }

    /// <summary>Gets the local ufrag/pwd to put in SDP (ice-ufrag, ice-pwd).</summary>
    public IceCredentials LocalCredentials => _localCredentials;

    /// <summary>Gets the remote ufrag/pwd, once known.</summary>
    public IceCredentials? RemoteCredentials => _remoteCredentials;

    /// <summary>Gets the connection state.</summary>
    public IceConnectionState ConnectionState { get; private set; } = IceConnectionState.New;

    /// <summary>Gets the gathering state.</summary>
    public IceGatheringState GatheringState { get; private set; } = IceGatheringState.New;

    /// <summary>Gets the local candidates gathered so far (those the policy allows to signal).</summary>
    public IReadOnlyList<IceCandidate> LocalCandidates
    {
        get
        {
            var list = new List<IceCandidate>();
            foreach (LocalCandidate l in _locals)
            {
                if (l.Usable && l.Candidate.Type != IceCandidateType.PeerReflexive)
                {
                    list.Add(l.Candidate);
                }
            }

            return list;
        }
    }

    /// <summary>Gets the remote candidates (signalled and peer-reflexive).</summary>
    public IReadOnlyList<IceCandidate> RemoteCandidates => _remotes.AsReadOnly();

    /// <summary>Gets the checklist, highest priority first.</summary>
    public IReadOnlyList<IceCandidatePair> CheckList => _pairs.AsReadOnly();

    /// <summary>Gets a value indicating whether the remote side signalled end-of-candidates.</summary>
    public bool RemoteEndOfCandidates => _remoteEndOfCandidates;

    /// <summary>Gets the selected pair of <paramref name="component"/>, or null (RFC 8445 §8.1.1).</summary>
    public IceCandidatePair? GetSelectedPair(int component = 1) => _selected.GetValueOrDefault(component);

    /// <summary>
    /// Registers a local UDP socket address (a host candidate base). The driver binds the socket
    /// and passes its actual address here; loopback addresses are used only when the caller adds
    /// them. After <see cref="StartGathering"/> it is gathered from immediately (trickle).
    /// </summary>
    public void AddHostAddress(TransportAddress address, int component = 1)
    {
        InvalidateTimeout();
        ThrowIfClosed();
        if (address.IsEmpty || address.Port == 0)
        {
            throw new ArgumentException("a bound socket address with a port is required", nameof(address));
        }

        foreach ((TransportAddress a, int c) in _hostSockets)
        {
            if (a == address)
            {
                return;
            }
        }

        _hostSockets.Add((address, component));
        if (!_components.Contains(component))
        {
            _components.Add(component);
            _components.Sort();
        }
        if (_gatheringStarted)
        {
            GatherFrom(address, component, _now);
            UpdateGatheringState();
        }
    }

    /// <summary>
    /// Starts gathering (RFC 8445 §5.1.1): host candidates at once, server-reflexive candidates
    /// from STUN servers, relayed candidates from TURN servers. Candidates arrive as
    /// <see cref="IceCandidateGatheredEvent"/>s; completion as <see cref="IceGatheringStateChangedEvent"/>.
    /// </summary>
    public void StartGathering(TimeSpan now)
    {
        InvalidateTimeout();
        ThrowIfClosed();
        _now = now;
        if (_gatheringStarted)
        {
            return;
        }

        _gatheringStarted = true;
        SetGatheringState(IceGatheringState.Gathering);
        foreach ((TransportAddress a, int c) in _hostSockets)
        {
            GatherFrom(a, c, now);
        }

        UpdateGatheringState();
    }

    /// <summary>
    /// Sets the remote ice-ufrag and ice-pwd (from SDP, RFC 8839 §5.4). Different credentials than
    /// before mean the remote side restarted ICE (RFC 8445 §9): remote candidates and pairs are dropped.
    /// </summary>
    public void SetRemoteCredentials(string ufrag, string password)
    {
        InvalidateTimeout();
        ArgumentException.ThrowIfNullOrEmpty(ufrag);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ThrowIfClosed();
        var creds = new IceCredentials(ufrag, password);
        if (_remoteCredentials is not null && _remoteCredentials != creds)
        {
            ResetChecks();
        }

        _remoteCredentials = creds;
        _remoteKey = new StunIntegrityKey(Encoding.UTF8.GetBytes(password));
        _outgoingUsername = ufrag + ":" + _localCredentials.Ufrag;
        if (_pairs.Count > 0)
        {
            StartChecks(_now);
        }
    }

    /// <summary>
    /// Tells the agent whether the peer is a full or a lite implementation (its SDP carried <c>a=ice-lite</c>,
    /// RFC 8839 §5.3) and takes the role RFC 8445 §6.1.1 assigns, whatever the offer/answer exchange suggested:
    /// against a lite peer a full agent MUST be controlling (it alone sends checks and nominates; Janus and
    /// mediasoup are lite), a lite agent against a full peer MUST be controlled, and when both are lite the
    /// offerer (<see cref="IceAgentOptions.Role"/>) controls. Between full agents the role is left as it is.
    /// </summary>
    public void SetRemoteMode(IceMode remoteMode)
    {
        InvalidateTimeout();
        ThrowIfClosed();
        RemoteMode = remoteMode;
        IceRole required = (Mode, remoteMode) switch
        {
            (IceMode.Full, IceMode.Lite) => IceRole.Controlling,
            (IceMode.Lite, IceMode.Full) => IceRole.Controlled,
            (IceMode.Lite, IceMode.Lite) => _options.Role,
            _ => Role,
        };
        SwitchRole(required);
    }

    /// <summary>Sets the remote credentials.</summary>
    public void SetRemoteCredentials(IceCredentials credentials)
    {
        InvalidateTimeout();
        ArgumentNullException.ThrowIfNull(credentials);
        SetRemoteCredentials(credentials.Ufrag, credentials.Password);
    }

    /// <summary>
    /// Adds a remote candidate (from SDP or trickled, RFC 8838 §11). Candidates with an unresolved
    /// host name (mDNS), TCP candidates and candidates whose ufrag names another generation are
    /// kept out of the checklist. A candidate already known as peer-reflexive (its check came first) takes the
    /// signalled type and adds no pair. Returns false when the candidate added nothing to the checklist.
    /// </summary>
    public bool AddRemoteCandidate(IceCandidate candidate, TimeSpan now)
    {
        InvalidateTimeout();
        ArgumentNullException.ThrowIfNull(candidate);
        ThrowIfClosed();
        _now = now;
        if (candidate.Address.IsEmpty || candidate.Protocol != IceTransportProtocol.Udp
            || (candidate.Ufrag is not null && _remoteCredentials is not null && candidate.Ufrag != _remoteCredentials.Ufrag))
        {
            return false;
        }

        for (int i = 0; i < _remotes.Count; i++)
        {
            IceCandidate r = _remotes[i];
            if (r.Address == candidate.Address && r.Component == candidate.Component)
            {
                if (r.Type == IceCandidateType.PeerReflexive && candidate.Type != IceCandidateType.PeerReflexive)
                {
                    // A check from this address arrived before the peer's description (RFC 8445 §7.3.1.3 made it
                    // peer-reflexive): now that it is signalled, it takes the signalled candidate's type, foundation
                    // and related address, as libwebrtc does, so stats and the selected pair say what it really is.
                    // Pairs keep their state and priority; nothing is added to the checklist.
                    _remotes[i] = candidate;
                    foreach (IceCandidatePair p in _pairs)
                    {
                        if (ReferenceEquals(p.Remote, r))
                        {
                            p.Remote = candidate;
                        }
                    }
                }

                return false;
            }
        }

        _remotes.Add(candidate);
        foreach (LocalCandidate l in _locals)
        {
            TryAddPair(l, candidate, now);
        }

        if (_remoteCredentials is not null && _pairs.Count > 0)
        {
            StartChecks(now);
        }

        UpdateConnectionState(now);
        return true;
    }

    /// <summary>Parses and adds a trickled <c>candidate:</c> line; false if malformed or ignored.</summary>
    public bool AddRemoteCandidate(string candidateLine, TimeSpan now) =>
        IceCandidate.TryParse(candidateLine, out IceCandidate? c) && AddRemoteCandidate(c!, now);

    /// <summary>RFC 8838 §14: the remote side will send no more candidates (a=end-of-candidates).</summary>
    public void AddRemoteEndOfCandidates(TimeSpan now)
    {
        InvalidateTimeout();
        _remoteEndOfCandidates = true;
        UpdateConnectionState(now);
    }

    /// <summary>
    /// RFC 8445 §9: restarts ICE with new local credentials (returned, to put in the new offer or
    /// answer). Remote candidates and pairs are dropped; local candidates are signalled again; the
    /// selected pair keeps carrying data until a new one is nominated.
    /// </summary>
    public IceCredentials Restart(TimeSpan now)
    {
        InvalidateTimeout();
        ThrowIfClosed();
        _now = now;
        _localCredentials = IceCredentials.Generate(_random);
        _localKey = new StunIntegrityKey(Encoding.UTF8.GetBytes(_localCredentials.Password));
        _remoteCredentials = null;
        _remoteKey = null;
        _outgoingUsername = null;
        ResetChecks();
        foreach (LocalCandidate l in _locals)
        {
            if (l.Usable && l.Candidate.Type != IceCandidateType.PeerReflexive)
            {
                _events.Enqueue(new IceCandidateGatheredEvent(l.Candidate));
            }
        }

        if (GatheringState == IceGatheringState.Complete)
        {
            _events.Enqueue(new IceGatheringStateChangedEvent(IceGatheringState.Complete));
        }

        return _localCredentials;
    }

    /// <summary>Closes the agent: TURN allocations are released, nothing else is sent.</summary>
    public void Close(TimeSpan now)
    {
        InvalidateTimeout();
        if (_closed)
        {
            return;
        }

        foreach (TurnClient t in _turnClients)
        {
            t.Deallocate(now);
        }

        _transactions.Clear();
        _triggered.Clear();
        _closed = true;
        SetConnectionState(IceConnectionState.Closed);
    }

    /// <summary>
    /// Wraps <paramref name="payload"/> (DTLS, SRTP...) for the selected pair of
    /// <paramref name="component"/> into <paramref name="destination"/> (adding TURN framing when the
    /// local candidate is relayed) and says where to send it. False when there is no selected pair
    /// or consent was lost (RFC 7675 §5.1: stop sending). Allocation-free.
    /// </summary>
    public bool TryPrepareSend(ReadOnlySpan<byte> payload, Span<byte> destination, TimeSpan now, out IceTransmit transmit, int component = 1)
    {
        transmit = default;
        if (_closed || _consentLost.Contains(component)
            || !(_selected.TryGetValue(component, out IceCandidatePair? pair) || _previousSelected.TryGetValue(component, out pair)))
        {
            return false;
        }

        LocalCandidate local = pair.LocalEntry;
        int n;
        if (local.Turn is { } turn)
        {
            if (turn.State != TurnClientState.Allocated)
            {
                return false;
            }

            n = turn.WrapSend(pair.Remote.Address, payload, destination);
            transmit = new IceTransmit(turn.LocalBase, turn.Server, n, turn.Transport);
        }
        else
        {
            payload.CopyTo(destination);
            n = payload.Length;
            transmit = new IceTransmit(local.Socket, pair.Remote.Address, n);
        }

        pair.LastSentAt = now;
        return true;
    }

    /// <summary>Copies the next datagram to send into <paramref name="buffer"/> (at least 1500 bytes).</summary>
    public bool TryPollTransmit(Span<byte> buffer, out IceTransmit transmit)
    {
        // Taking a queued datagram changes no deadline (its transaction was scheduled when it was queued).
        if (_outgoing.TryDequeue(out Outgoing o))
        {
            o.Buffer.AsSpan(0, o.Length).CopyTo(buffer);
            transmit = new IceTransmit(o.Source, o.Destination, o.Length, o.Transport);
            ArrayPool<byte>.Shared.Return(o.Buffer);
            return true;
        }

        foreach (TurnClient t in _turnClients)
        {
            if (t.TryPollTransmit(buffer, out int n))
            {
                InvalidateTimeout();
                transmit = new IceTransmit(t.LocalBase, t.Server, n, t.Transport);
                return true;
            }
        }

        transmit = default;
        return false;
    }

    /// <summary>Gets the next event.</summary>
    public bool TryPollEvent(out IceEvent? iceEvent) => _events.TryDequeue(out iceEvent);

    /// <summary>
    /// The driver's TCP or TLS connection to TURN server <paramref name="server"/> for host address <paramref name="local"/>
    /// closed, or could not be opened: that relay is gone with it (RFC 8656 §3.1), its pairs fail, and gathering does
    /// not wait for it any longer.
    /// </summary>
    public void HandleTurnConnectionClosed(TransportAddress local, TransportAddress server, TurnTransport transport, string reason, TimeSpan now)
    {
        InvalidateTimeout();
        if (_closed || transport == TurnTransport.Udp)
        {
            return;
        }

        _now = now;
        TurnClient? turn = FindTurn(local.UnmapIPv4(), server.UnmapIPv4(), transport);
        if (turn is null)
        {
            return;
        }

        turn.HandleConnectionClosed(reason, now);
        PumpTurn(now);
        UpdateConnectionState(now);
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
    }

    private ulong NextUInt64()
    {
        Span<byte> b = stackalloc byte[8];
        if (_random is null)
        {
            RandomNumberGenerator.Fill(b);
        }
        else
        {
            _random.NextBytes(b);
        }

        return ReadUInt64(b);
    }

    private static ulong ReadUInt64(ReadOnlySpan<byte> b) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b);

    private double NextJitter() => _random is null ? 0.8 + (RandomNumberGenerator.GetInt32(0, 40001) / 100000.0) : 0.8 + (_random.NextDouble() * 0.4);

    private void SetConnectionState(IceConnectionState state)
    {
        if (ConnectionState == state)
        {
            return;
        }

        _logger.LogDebug("ICE connection state {Old} -> {New}", ConnectionState, state);
        ConnectionState = state;
        _events.Enqueue(new IceConnectionStateChangedEvent(state));
    }

    private void SetGatheringState(IceGatheringState state)
    {
        if (GatheringState == state)
        {
            return;
        }

        GatheringState = state;
        _events.Enqueue(new IceGatheringStateChangedEvent(state));
    }

    private void Enqueue(LocalCandidate from, TransportAddress to, ReadOnlySpan<byte> datagram)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(BufferSize);
        if (from.Turn is { } turn)
        {
            if (turn.State != TurnClientState.Allocated)
            {
                ArrayPool<byte>.Shared.Return(buf);
                return;
            }

            int n = turn.WrapSend(to, datagram, buf);
            _outgoing.Enqueue(new Outgoing(turn.LocalBase, turn.Server, buf, n, turn.Transport));
        }
        else
        {
            datagram.CopyTo(buf);
            _outgoing.Enqueue(new Outgoing(from.Socket, to, buf, datagram.Length));
        }
    }

    private readonly record struct Outgoing(TransportAddress Source, TransportAddress Destination, byte[] Buffer, int Length, TurnTransport Transport = TurnTransport.Udp);
}
