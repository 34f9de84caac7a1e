using System.Buffers.Binary;
using System.Text;

namespace RtcStack.Stun.Turn;

/// <summary>
/// A sans-IO TURN client for one allocation (RFC 8656), over UDP, TCP or TLS to the server
/// (<see cref="TurnClientOptions.Transport"/>; the driver owns the connection). It never touches a socket or a
/// clock: the driver feeds it datagrams received from the server (<see cref="HandleDatagram"/>)
/// and the time (<see cref="HandleTimeout"/>), and sends what <see cref="TryPollTransmit"/> yields
/// from <see cref="LocalBase"/> to <see cref="Server"/>.
/// </summary>
/// <remarks>
/// Covers Allocate with the 401 realm/nonce challenge (RFC 8656 §7.2, RFC 8489 §9.2), 438 Stale
/// Nonce, Refresh before expiry (§8), CreatePermission (§9) with refresh, ChannelBind (§12) with
/// refresh, Send/Data indications (§11), ChannelData (§12.4) and Deallocate (Refresh, lifetime 0).
/// </remarks>
public sealed class TurnClient
{
    private const int MaxAuthRetries = 3;
    private static readonly TimeSpan s_permissionRefresh = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan s_channelRefresh = TimeSpan.FromMinutes(9);

    private readonly string _username;
    private readonly string _password;
    private readonly TurnClientOptions _options;
    private readonly Dictionary<StunTransactionId, Transaction> _transactions = [];
    private readonly Dictionary<TransportAddress, Permission> _permissions = [];
    private readonly Dictionary<TransportAddress, Channel> _channelsByPeer = [];
    private readonly Dictionary<ushort, TransportAddress> _peersByChannel = [];
    private readonly Queue<byte[]> _outgoing = new();
    private readonly Queue<TurnEvent> _events = new();

    private string? _realm;
    private byte[]? _nonce;
    private byte[]? _key;
    private byte[]? _passwordAlgorithms;
    private StunPasswordAlgorithm _passwordAlgorithm = StunPasswordAlgorithm.Md5;
    private ushort _nextChannel = ChannelData.MinChannel;
    private TimeSpan _refreshAt = TimeSpan.MaxValue;
    private TimeSpan _expiresAt = TimeSpan.MaxValue;

    /// <summary>Initializes a new client for <paramref name="server"/>, sending from <paramref name="localBase"/>.</summary>
    public TurnClient(TransportAddress server, TransportAddress localBase, string username, string password, TurnClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        Server = server;
        LocalBase = localBase;
        _username = username;
        _password = password;
        _options = options ?? new TurnClientOptions();
    }

    /// <summary>Gets the TURN server's transport address.</summary>
    public TransportAddress Server { get; }

    /// <summary>Gets the local (host) address the client's datagrams are sent from.</summary>
    public TransportAddress LocalBase { get; }

    /// <summary>Gets the transport to the server (<see cref="TurnClientOptions.Transport"/>).</summary>
    public TurnTransport Transport => _options.Transport;

    /// <summary>Gets the state of the allocation.</summary>
    public TurnClientState State { get; private set; } = TurnClientState.New;

    /// <summary>Gets the relayed transport address once allocated.</summary>
    public TransportAddress RelayedAddress { get; private set; }

    /// <summary>Gets the server-reflexive address reported in the Allocate response.</summary>
    public TransportAddress MappedAddress { get; private set; }

    /// <summary>Gets the lifetime the server granted last.</summary>
    public TimeSpan Lifetime { get; private set; }

    /// <summary>Gets the last error code received (0 if none).</summary>
    public int LastErrorCode { get; private set; }

    /// <summary>RFC 8656 §7.2: sends an Allocate request (first without credentials, expecting 401).</summary>
    public void Allocate(TimeSpan now)
    {
        if (State != TurnClientState.New)
        {
            throw new InvalidOperationException("Allocate was already called");
        }

        State = TurnClientState.Allocating;
        StartTransaction(new Transaction(StunMethod.Allocate), now);
    }

    /// <summary>RFC 8656 §9: installs (and keeps refreshing) a permission for <paramref name="peer"/>'s IP address.</summary>
    public void CreatePermission(TransportAddress peer, TimeSpan now)
    {
        TransportAddress key = peer.WithPort(0);
        if (_permissions.ContainsKey(key))
        {
            return;
        }

        _permissions[key] = new Permission { RefreshAt = TimeSpan.MaxValue };
        if (State == TurnClientState.Allocated)
        {
            StartTransaction(new Transaction(StunMethod.CreatePermission) { Peer = peer }, now);
        }
    }

    /// <summary>Gets a value indicating whether a permission for <paramref name="peer"/>'s IP is installed.</summary>
    public bool HasPermission(TransportAddress peer) => _permissions.TryGetValue(peer.WithPort(0), out Permission? p) && p.Installed;

    /// <summary>RFC 8656 §12.1: binds a channel to <paramref name="peer"/> (also installing its permission); returns the channel number.</summary>
    public ushort BindChannel(TransportAddress peer, TimeSpan now)
    {
        if (_channelsByPeer.TryGetValue(peer, out Channel? existing))
        {
            return existing.Number;
        }

        if (_nextChannel > ChannelData.MaxChannel)
        {
            throw new InvalidOperationException("no channel numbers left");
        }

        var ch = new Channel { Number = _nextChannel++, RefreshAt = TimeSpan.MaxValue };
        _channelsByPeer[peer] = ch;
        _peersByChannel[ch.Number] = peer;
        if (State == TurnClientState.Allocated)
        {
            StartTransaction(new Transaction(StunMethod.ChannelBind) { Peer = peer, Channel = ch.Number }, now);
        }

        return ch.Number;
    }

    /// <summary>Gets the channel bound (confirmed by the server) to <paramref name="peer"/>.</summary>
    public bool TryGetChannel(TransportAddress peer, out ushort channel)
    {
        if (_channelsByPeer.TryGetValue(peer, out Channel? ch) && ch.Bound)
        {
            channel = ch.Number;
            return true;
        }

        channel = 0;
        return false;
    }

    /// <summary>RFC 8656 §8: releases the allocation (Refresh with LIFETIME 0).</summary>
    public void Deallocate(TimeSpan now)
    {
        if (State != TurnClientState.Allocated)
        {
            State = TurnClientState.Closed;
            _transactions.Clear();
            return;
        }

        State = TurnClientState.Deallocating;
        _refreshAt = TimeSpan.MaxValue;
        StartTransaction(new Transaction(StunMethod.Refresh) { Lifetime = 0 }, now);
    }

    /// <summary>
    /// Wraps <paramref name="payload"/> for <paramref name="peer"/> into <paramref name="destination"/>:
    /// ChannelData when a channel is bound (RFC 8656 §12.4), a Send indication otherwise (§11.1).
    /// Returns the number of bytes to send to <see cref="Server"/>. Allocation-free.
    /// </summary>
    public int WrapSend(TransportAddress peer, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (TryGetChannel(peer, out ushort channel))
        {
            int n = ChannelData.Write(destination, channel, payload);
            if (_options.Transport != TurnTransport.Udp)
            {
                // RFC 8656 §12.5: over TCP and TLS-over-TCP the message MUST be padded to a multiple of four bytes.
                int padded = (n + 3) & ~3;
                destination[n..padded].Clear();
                n = padded;
            }

            return n;
        }

        var w = new StunMessageWriter(destination, new StunMessageType(StunMethod.Send, StunClass.Indication), StunTransactionId.NewRandom());
        w.AddXorAddress(StunAttributeType.XorPeerAddress, peer);
        w.AddAttribute(StunAttributeType.Data, payload);
        return w.Length;
    }

    /// <summary>The most bytes <see cref="WrapSend"/> adds around a payload (Send indication with an IPv6 peer).</summary>
    public const int MaxWrapOverhead = StunMessageReader.HeaderLength + 24 + 4 + 3;

    /// <summary>
    /// Handles a datagram received on <see cref="LocalBase"/> from <see cref="Server"/>. Responses
    /// advance the state machine; Data indications and ChannelData yield the peer and a slice of
    /// <paramref name="datagram"/> holding its data. Never throws on malformed input.
    /// </summary>
    public TurnDataResult HandleDatagram(ReadOnlySpan<byte> datagram, TimeSpan now, out TransportAddress peer, out ReadOnlySpan<byte> data)
    {
        peer = default;
        data = default;
        if (datagram.Length >= 4 && (datagram[0] & 0xF0) == 0x40)
        {
            if (ChannelData.TryParse(datagram, out ushort channel, out data) && _peersByChannel.TryGetValue(channel, out peer))
            {
                return TurnDataResult.PeerData;
            }

            data = default;
            return TurnDataResult.NotHandled;
        }

        if (StunMessageReader.TryParse(datagram, out StunMessageReader msg) != StunParseStatus.Ok)
        {
            return TurnDataResult.NotHandled;
        }

        if (msg.Class == StunClass.Indication)
        {
            if (msg.Method == StunMethod.Data
                && msg.TryGetXorAddress(StunAttributeType.XorPeerAddress, out peer)
                && msg.TryGetAttribute(StunAttributeType.Data, out data))
            {
                return TurnDataResult.PeerData;
            }

            return TurnDataResult.NotHandled;
        }

        if (msg.Class == StunClass.Request || !_transactions.TryGetValue(msg.TransactionId, out Transaction? tx) || msg.Method != tx.Method)
        {
            return TurnDataResult.NotHandled;
        }

        if (msg.HasMessageIntegrity && _key is not null && !msg.VerifyMessageIntegrity(_key))
        {
            // A forged or corrupted response: ignore it and let the transaction retransmit.
            return TurnDataResult.Consumed;
        }

        _transactions.Remove(msg.TransactionId);
        if (msg.Class == StunClass.ErrorResponse)
        {
            HandleError(tx, msg, now);
        }
        else
        {
            HandleSuccess(tx, msg, now);
        }

        return TurnDataResult.Consumed;
    }

    /// <summary>
    /// The TCP or TLS connection to the server closed or could not be made: the server deletes the allocation with its
    /// connection (RFC 8656 §3.1, the 5-tuple is gone), so the client fails (<see cref="TurnFailedEvent"/>), or is
    /// closed if it was deallocating. Nothing more is sent.
    /// </summary>
    public void HandleConnectionClosed(string reason, TimeSpan now)
    {
        _ = now;
        _transactions.Clear();
        _outgoing.Clear();
        _refreshAt = _expiresAt = TimeSpan.MaxValue;
        switch (State)
        {
            case TurnClientState.Closed or TurnClientState.Failed:
                return;
            case TurnClientState.Deallocating:
                State = TurnClientState.Closed;
                _events.Enqueue(new TurnDeallocatedEvent());
                return;
            default:
                State = TurnClientState.Failed;
                _events.Enqueue(new TurnFailedEvent(0, "connection to the server closed: " + reason));
                return;
        }
    }

    /// <summary>Retransmits, refreshes the allocation, permissions and channels as due.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        List<StunTransactionId>? expired = null;
        foreach (KeyValuePair<StunTransactionId, Transaction> kv in _transactions)
        {
            Transaction tx = kv.Value;
            if (now < tx.NextAt)
            {
                continue;
            }

            // RFC 8489 §6.2.2: over a reliable transport the request is not retransmitted; it times out after Ti.
            if (tx.Sent >= _options.MaxTransmissions || _options.Transport != TurnTransport.Udp)
            {
                (expired ??= []).Add(kv.Key);
                continue;
            }

            _outgoing.Enqueue(tx.Bytes);
            tx.Sent++;
            tx.Rto *= 2;
            tx.NextAt = now + (tx.Sent >= _options.MaxTransmissions ? _options.InitialRto * _options.FinalWaitMultiplier : tx.Rto);
        }

        if (expired is not null)
        {
            foreach (StunTransactionId id in expired)
            {
                Transaction tx = _transactions[id];
                _transactions.Remove(id);
                Fail(tx, 0, "timeout");
            }
        }

        if (State == TurnClientState.Allocated)
        {
            if (now >= _expiresAt)
            {
                State = TurnClientState.Failed;
                _events.Enqueue(new TurnFailedEvent(0, "allocation expired"));
                return;
            }

            if (now >= _refreshAt)
            {
                _refreshAt = TimeSpan.MaxValue;
                StartTransaction(new Transaction(StunMethod.Refresh) { Lifetime = (uint)_options.RequestedLifetime.TotalSeconds }, now);
            }

            foreach (KeyValuePair<TransportAddress, Permission> kv in _permissions)
            {
                if (now >= kv.Value.RefreshAt)
                {
                    kv.Value.RefreshAt = TimeSpan.MaxValue;
                    StartTransaction(new Transaction(StunMethod.CreatePermission) { Peer = kv.Key }, now);
                }
            }

            foreach (KeyValuePair<TransportAddress, Channel> kv in _channelsByPeer)
            {
                if (now >= kv.Value.RefreshAt)
                {
                    kv.Value.RefreshAt = TimeSpan.MaxValue;
                    StartTransaction(new Transaction(StunMethod.ChannelBind) { Peer = kv.Key, Channel = kv.Value.Number }, now);
                }
            }
        }
    }

    /// <summary>Gets the next instant the client wants <see cref="HandleTimeout"/>, or null.</summary>
    public TimeSpan? PollTimeout()
    {
        TimeSpan t = TimeSpan.MaxValue;
        foreach (Transaction tx in _transactions.Values)
        {
            t = Min(t, tx.NextAt);
        }

        if (State == TurnClientState.Allocated)
        {
            t = Min(t, Min(_refreshAt, _expiresAt));
            foreach (Permission p in _permissions.Values)
            {
                t = Min(t, p.RefreshAt);
            }

            foreach (Channel c in _channelsByPeer.Values)
            {
                t = Min(t, c.RefreshAt);
            }
        }

        return t == TimeSpan.MaxValue ? null : t;
    }

    /// <summary>Copies the next control datagram (to <see cref="Server"/>) into <paramref name="buffer"/>.</summary>
    public bool TryPollTransmit(Span<byte> buffer, out int length)
    {
        if (_outgoing.TryDequeue(out byte[]? bytes))
        {
            bytes.CopyTo(buffer);
            length = bytes.Length;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>Gets the next event.</summary>
    public bool TryPollEvent(out TurnEvent? turnEvent) => _events.TryDequeue(out turnEvent);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void StartTransaction(Transaction tx, TimeSpan now)
    {
        tx.Id = StunTransactionId.NewRandom();
        tx.Bytes = BuildRequest(tx);
        tx.Sent = 1;
        tx.Rto = _options.InitialRto;
        tx.NextAt = now + (_options.Transport == TurnTransport.Udp ? tx.Rto : _options.ReliableTransactionTimeout);
        _transactions[tx.Id] = tx;
        _outgoing.Enqueue(tx.Bytes);
    }

    private byte[] BuildRequest(Transaction tx)
    {
        Span<byte> buf = stackalloc byte[512];
        var w = new StunMessageWriter(buf, new StunMessageType(tx.Method, StunClass.Request), tx.Id);
        switch (tx.Method)
        {
            case StunMethod.Allocate:
                w.AddRequestedTransport(17);
                w.AddUInt32(StunAttributeType.Lifetime, (uint)_options.RequestedLifetime.TotalSeconds);
                if (_options.DontFragment)
                {
                    w.AddFlag(StunAttributeType.DontFragment);
                }

                break;
            case StunMethod.Refresh:
                w.AddUInt32(StunAttributeType.Lifetime, tx.Lifetime);
                break;
            case StunMethod.CreatePermission:
                w.AddXorAddress(StunAttributeType.XorPeerAddress, tx.Peer);
                break;
            case StunMethod.ChannelBind:
                w.AddChannelNumber(tx.Channel);
                w.AddXorAddress(StunAttributeType.XorPeerAddress, tx.Peer);
                break;
        }

        if (_options.Software is not null)
        {
            w.AddString(StunAttributeType.Software, _options.Software);
        }

        if (_key is not null && _realm is not null && _nonce is not null)
        {
            w.AddString(StunAttributeType.Username, _username);
            w.AddString(StunAttributeType.Realm, _realm);
            w.AddAttribute(StunAttributeType.Nonce, _nonce);
            if (_passwordAlgorithms is not null)
            {
                // RFC 8489 §9.2.4: echo PASSWORD-ALGORITHMS and name the one used.
                w.AddAttribute(StunAttributeType.PasswordAlgorithms, _passwordAlgorithms);
                Span<byte> alg = stackalloc byte[4];
                BinaryPrimitives.WriteUInt16BigEndian(alg, (ushort)_passwordAlgorithm);
                BinaryPrimitives.WriteUInt16BigEndian(alg[2..], 0);
                w.AddAttribute(StunAttributeType.PasswordAlgorithm, alg);
            }

            w.AddMessageIntegrity(_key);
            tx.Authenticated = true;
        }

        w.AddFingerprint();
        return w.Written.ToArray();
    }

    private void HandleError(Transaction tx, StunMessageReader msg, TimeSpan now)
    {
        msg.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reasonBytes);
        LastErrorCode = code;
        string reason = Encoding.UTF8.GetString(reasonBytes);
        bool challenge = code == StunErrorCode.Unauthenticated && !tx.Authenticated;
        bool stale = code == StunErrorCode.StaleNonce;
        if ((challenge || stale) && tx.AuthRetries < MaxAuthRetries
            && msg.TryGetString(StunAttributeType.Realm, out string realm) | _realm is not null
            && msg.TryGetAttribute(StunAttributeType.Nonce, out ReadOnlySpan<byte> nonce))
        {
            if (realm.Length > 0)
            {
                _realm = realm;
            }

            _nonce = nonce.ToArray();
            if (challenge || _key is null)
            {
                if (msg.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out ReadOnlySpan<byte> algs))
                {
                    _passwordAlgorithms = algs.ToArray();
                    _passwordAlgorithm = ChooseAlgorithm(algs);
                }

                try
                {
                    _key = StunCredentials.LongTermKey(_username, _realm!, _password, _passwordAlgorithm);
                }
                catch (ArgumentException)
                {
                    Fail(tx, code, "credentials cannot be prepared");
                    return;
                }
            }

            var retry = new Transaction(tx.Method) { Peer = tx.Peer, Channel = tx.Channel, Lifetime = tx.Lifetime, AuthRetries = tx.AuthRetries + 1 };
            StartTransaction(retry, now);
            return;
        }

        Fail(tx, code, reason);
    }

    private static StunPasswordAlgorithm ChooseAlgorithm(ReadOnlySpan<byte> algorithms)
    {
        for (int i = 0; i + 4 <= algorithms.Length;)
        {
            ushort alg = BinaryPrimitives.ReadUInt16BigEndian(algorithms[i..]);
            int paramLength = BinaryPrimitives.ReadUInt16BigEndian(algorithms[(i + 2)..]);
            if (alg == (ushort)StunPasswordAlgorithm.Sha256)
            {
                return StunPasswordAlgorithm.Sha256;
            }

            i += 4 + ((paramLength + 3) & ~3);
        }

        return StunPasswordAlgorithm.Md5;
    }

    private void Fail(Transaction tx, int code, string reason)
    {
        switch (tx.Method)
        {
            case StunMethod.Allocate:
                State = TurnClientState.Failed;
                _events.Enqueue(new TurnFailedEvent(code, reason));
                break;
            case StunMethod.Refresh when State == TurnClientState.Deallocating:
                State = TurnClientState.Closed;
                _events.Enqueue(new TurnDeallocatedEvent());
                break;
            case StunMethod.Refresh:
                State = TurnClientState.Failed;
                _events.Enqueue(new TurnFailedEvent(code, "refresh failed: " + reason));
                break;
            case StunMethod.CreatePermission:
                _permissions.Remove(tx.Peer.WithPort(0));
                _events.Enqueue(new TurnRequestFailedEvent(tx.Method, tx.Peer, code));
                break;
            case StunMethod.ChannelBind:
                if (_channelsByPeer.Remove(tx.Peer, out Channel? ch))
                {
                    _peersByChannel.Remove(ch.Number);
                }

                _events.Enqueue(new TurnRequestFailedEvent(tx.Method, tx.Peer, code));
                break;
        }
    }

    private void HandleSuccess(Transaction tx, StunMessageReader msg, TimeSpan now)
    {
        switch (tx.Method)
        {
            case StunMethod.Allocate:
                if (!msg.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out TransportAddress relayed))
                {
                    Fail(tx, 0, "Allocate success without XOR-RELAYED-ADDRESS");
                    return;
                }

                msg.TryGetXorAddress(StunAttributeType.XorMappedAddress, out TransportAddress mapped);
                RelayedAddress = relayed;
                MappedAddress = mapped;
                State = TurnClientState.Allocated;
                SetLifetime(msg, now);
                _events.Enqueue(new TurnAllocatedEvent(relayed, mapped, Lifetime));

                // Permissions and channels asked for before the allocation existed.
                foreach (KeyValuePair<TransportAddress, Permission> kv in _permissions)
                {
                    StartTransaction(new Transaction(StunMethod.CreatePermission) { Peer = kv.Key }, now);
                }

                foreach (KeyValuePair<TransportAddress, Channel> kv in _channelsByPeer)
                {
                    StartTransaction(new Transaction(StunMethod.ChannelBind) { Peer = kv.Key, Channel = kv.Value.Number }, now);
                }

                break;
            case StunMethod.Refresh:
                if (tx.Lifetime == 0)
                {
                    State = TurnClientState.Closed;
                    _refreshAt = _expiresAt = TimeSpan.MaxValue;
                    _events.Enqueue(new TurnDeallocatedEvent());
                }
                else
                {
                    SetLifetime(msg, now);
                    _events.Enqueue(new TurnRefreshedEvent(Lifetime));
                }

                break;
            case StunMethod.CreatePermission:
                if (_permissions.TryGetValue(tx.Peer.WithPort(0), out Permission? p))
                {
                    p.Installed = true;
                    p.RefreshAt = now + s_permissionRefresh;
                }

                _events.Enqueue(new TurnPermissionCreatedEvent(tx.Peer));
                break;
            case StunMethod.ChannelBind:
                if (_channelsByPeer.TryGetValue(tx.Peer, out Channel? ch))
                {
                    ch.Bound = true;
                    ch.RefreshAt = now + s_channelRefresh;
                }

                // RFC 8656 §12.1: a channel binding also installs or refreshes the permission.
                TransportAddress key = tx.Peer.WithPort(0);
                if (!_permissions.TryGetValue(key, out Permission? perm))
                {
                    _permissions[key] = perm = new Permission();
                }

                perm.Installed = true;
                perm.RefreshAt = now + s_permissionRefresh;
                _events.Enqueue(new TurnChannelBoundEvent(tx.Peer, tx.Channel));
                break;
        }
    }

    private void SetLifetime(StunMessageReader msg, TimeSpan now)
    {
        Lifetime = msg.TryGetUInt32(StunAttributeType.Lifetime, out uint seconds) ? TimeSpan.FromSeconds(seconds) : _options.RequestedLifetime;
        _expiresAt = now + Lifetime;

        // Refresh a minute before expiry, or at half the lifetime when it is short.
        TimeSpan margin = Lifetime > TimeSpan.FromMinutes(2) ? TimeSpan.FromMinutes(1) : Lifetime / 2;
        _refreshAt = now + Lifetime - margin;
    }

    private sealed class Transaction(StunMethod method)
    {
        public StunMethod Method { get; } = method;

        public StunTransactionId Id { get; set; }

        public byte[] Bytes { get; set; } = [];

        public TransportAddress Peer { get; init; }

        public ushort Channel { get; init; }

        public uint Lifetime { get; init; }

        public int Sent { get; set; }

        public TimeSpan Rto { get; set; }

        public TimeSpan NextAt { get; set; }

        public bool Authenticated { get; set; }

        public int AuthRetries { get; init; }
    }

    private sealed class Permission
    {
        public bool Installed { get; set; }

        public TimeSpan RefreshAt { get; set; } = TimeSpan.MaxValue;
    }

    private sealed class Channel
    {
        public ushort Number { get; init; }

        public bool Bound { get; set; }

        public TimeSpan RefreshAt { get; set; } = TimeSpan.MaxValue;
    }
}
