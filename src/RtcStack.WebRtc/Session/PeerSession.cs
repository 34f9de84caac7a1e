using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Srtp;
using RtcStack.Stun;
using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc;

/// <summary>
/// One WebRTC peer connection for audio, sans-IO (docs/ARCHITECTURE.md): ICE (RFC 8445), DTLS-SRTP (RFC 5763,
/// RFC 5764), SRTP (RFC 3711, RFC 7714), RTP/RTCP (RFC 3550, RFC 4585) and the JSEP offer/answer
/// (RFC 8829) composed on one UDP 5-tuple with BUNDLE (RFC 8843) and rtcp-mux (RFC 5761), demultiplexed
/// as RFC 7983 §7 says.
/// </summary>
/// <remarks>
/// <para>The driver binds sockets and registers their addresses (<see cref="AddLocalAddress"/>), then feeds
/// datagrams (<see cref="HandleDatagram"/>) and time (<see cref="HandleTimeout"/>), sends what
/// <see cref="TryPollTransmit"/> yields, reads <see cref="TryPollEvent"/> and <see cref="TryPollMedia"/>, and
/// sleeps until <see cref="PollTimeout"/>. No socket, thread, timer or clock is used here, and one thread
/// at a time may call in.</para>
/// <para>Signalling: <see cref="CreateOffer"/> then <see cref="TryApplyAnswer"/>, or <see cref="TryAcceptOffer"/>;
/// trickle with <see cref="AddRemoteCandidate"/> and <see cref="LocalCandidateEvent"/>; restart ICE with
/// <see cref="RestartIce"/> / <see cref="SetRemoteIceCredentials"/>.</para>
/// <para>Media: <see cref="SendRtp"/> sends an Opus payload (header extensions from the negotiated extmap ids);
/// <see cref="TryPollMedia"/> returns received payloads with timing and loss. RTCP (SR/RR, SDES, BYE, NACK,
/// TWCC, XR) runs by itself. <see cref="GetStats"/> returns an <see cref="RtcStatsReport"/>.</para>
/// </remarks>
public sealed partial class PeerSession : IIceDatagramEndpoint, ITurnStreamEndpoint, Signalling.ISignalledSession, IDisposable
{
    /// <summary>The largest datagram the session builds or accepts.</summary>
    public const int MaxDatagramSize = 1500;

    private const int MaxHeldDtlsDatagrams = 32;

    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly PeerSessionOptions _options;
    private readonly ILogger _logger;
    private readonly DtlsCertificate _certificate;
    private readonly bool _ownsCertificate;
    private readonly Random _random;
    private readonly List<TransportAddress> _hostAddresses = [];
    private readonly Queue<PeerSessionEvent> _events = new();
    private readonly Queue<Outgoing> _transmit = new();
    private readonly Queue<byte[]> _heldDtls = new();
    private readonly List<byte[]> _earlyDtls = [];
    private readonly string _streamId;
    private readonly string _trackId;

    private IceCredentials _initialCredentials;
    private IceAgent? _ice;
    private DtlsEndpoint? _dtls;
    private DtlsRole? _dtlsRole;
    private SrtpSession? _srtp;
    private SrtpProfile? _srtpProfile;
    private DtlsCipherSuite? _dtlsCipher;
    private bool _dtlsFailed;
    private bool _dtlsClosedByPeer;
    private SessionDescription? _localDescription;
    private SessionDescription? _pendingOffer;
    private NegotiatedAudio? _negotiated;
    private List<DtlsFingerprint> _remoteFingerprints = [];
    private bool _closed;
    private bool _disposed;
    private ulong _sessionVersion = 2;
    private TimeSpan _now;
    private readonly DateTimeOffset _wallClockAtZero;
    private readonly RetransmissionBudget _retransmissionBudget;

    /// <summary>Gets the DTLS certificate this session presents (RFC 8827 §6.5): the one from the options, or one generated for it.</summary>
    public X509Certificate2 LocalCertificate => _certificate.Certificate;

    /// <summary>Creates a session. Nothing is sent until an offer or answer exists and the driver runs it.</summary>
    public PeerSession(PeerSessionOptions? options = null)
    {
        _options = options ?? new PeerSessionOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        _random = _options.Random ?? new Random(RandomNumberGenerator.GetInt32(int.MaxValue));
        _wallClockAtZero = _options.WallClockAtZero ?? (_options.WallClock ?? TimeProvider.System).GetUtcNow();
        _retransmissionBudget = new RetransmissionBudget(_options.RetransmissionBudgetFraction);
        if (_options.Certificate is null)
        {
            _certificate = DtlsCertificate.Generate(_wallClockAtZero);
            _ownsCertificate = true;
        }
        else
        {
            _certificate = _options.Certificate;
        }

        if (_options.SendHistorySize < 0 || (_options.SendHistorySize & (_options.SendHistorySize - 1)) != 0)
        {
            throw new ArgumentException("SendHistorySize must be 0 or a power of two", nameof(options));
        }

        _initialCredentials = IceCredentials.Generate(_options.Random);
        Ssrc = _options.Ssrc ?? NextNonZeroUInt32();
        CName = _options.CName ?? RandomToken(16);
        _streamId = RandomToken(12);
        _trackId = RandomToken(12);
        _sendSequence = (ushort)_random.Next(0, 0x8000);
        _history = _options.SendHistorySize > 0 ? new SendHistory(_options.SendHistorySize) : null;
    }

    /// <summary>Gets the aggregate state (W3C RTCPeerConnectionState).</summary>
    public PeerConnectionState State { get; private set; } = PeerConnectionState.New;

    /// <summary>Gets the SSRC of the audio stream we send.</summary>
    public uint Ssrc { get; }

    /// <summary>Gets our RTCP CNAME (RFC 3550 §6.5.1).</summary>
    public string CName { get; }

    /// <summary>Gets the fingerprint of our DTLS certificate (RFC 8122 §5).</summary>
    public DtlsFingerprint LocalFingerprint => _certificate.Fingerprint;

    /// <summary>Gets our current ICE username fragment (it changes on an ICE restart).</summary>
    public string LocalIceUfrag => _ice?.LocalCredentials.Ufrag ?? _initialCredentials.Ufrag;

    /// <summary>Gets our current ICE password.</summary>
    public string LocalIcePassword => _ice?.LocalCredentials.Password ?? _initialCredentials.Password;

    /// <summary>Gets what the offer/answer negotiated, once it has.</summary>
    public NegotiatedAudio? Negotiated => _negotiated;

    /// <summary>Gets our DTLS role once negotiated (RFC 8842 §5: active is the client).</summary>
    public DtlsRole? LocalDtlsRole => _dtlsRole;

    /// <summary>Gets the negotiated SRTP protection profile once DTLS connected.</summary>
    public SrtpProfile? NegotiatedSrtpProfile => _srtpProfile;

    /// <summary>Gets the negotiated DTLS cipher suite once connected.</summary>
    public DtlsCipherSuite? NegotiatedCipherSuite => _dtlsCipher;

    /// <summary>Gets the session time of the first offer or answer.</summary>
    public TimeSpan? StartedAt { get; private set; }

    /// <summary>Gets the session time the state first became <see cref="PeerConnectionState.Connected"/>.</summary>
    public TimeSpan? ConnectedAt { get; private set; }

    /// <summary>Gets the ICE agent (null before the first offer or answer), for inspection.</summary>
    public IceAgent? IceAgent => _ice;

    /// <summary>Gets the number of frames waiting for <see cref="TryPollMedia"/>.</summary>
    public int QueuedMediaFrames => _media.Count;

    /// <summary>
    /// Registers the address of a bound local UDP socket as a host candidate base (RFC 8445 §5.1.1.1).
    /// The driver calls it before signalling; addresses added later are gathered at once (trickle).
    /// </summary>
    public void AddLocalAddress(TransportAddress address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_hostAddresses.Contains(address))
        {
            return;
        }

        _hostAddresses.Add(address);
        if (_ice is not null && !_closed)
        {
            _ice.AddHostAddress(address);
            PumpIce(_now);
        }
    }

    /// <inheritdoc/>
    public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
        => HandleInput(local, remote, datagram, now, Stun.Turn.TurnTransport.Udp);

    /// <inheritdoc/>
    public void HandleTurnStreamMessage(TransportAddress local, TransportAddress server, Stun.Turn.TurnTransport transport, ReadOnlySpan<byte> message, TimeSpan now)
        => HandleInput(local, server, message, now, transport);

    /// <inheritdoc/>
    public void HandleTurnStreamClosed(TransportAddress local, TransportAddress server, Stun.Turn.TurnTransport transport, string reason, TimeSpan now)
    {
        _now = now;
        if (_closed || _ice is null)
        {
            return;
        }

        _ice.HandleTurnConnectionClosed(local, server, transport, reason, now);
        PumpIce(now);
        UpdateState(now);
    }

    /// <inheritdoc/>
    public string? GetTurnServerName(TransportAddress server, Stun.Turn.TurnTransport transport)
    {
        foreach (IceServer s in _options.IceServers)
        {
            if (s.Address == server && s.Transport == transport)
            {
                return s.ServerName;
            }
        }

        return null;
    }

    private void HandleInput(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now, Stun.Turn.TurnTransport transport)
    {
        _now = now;

        // A message from a TCP/TLS TURN connection may hold a whole datagram plus TURN framing.
        if (_closed || _ice is null || datagram.Length > MaxDatagramSize + (transport == Stun.Turn.TurnTransport.Udp ? 0 : Stun.Turn.TurnClient.MaxWrapOverhead))
        {
            return;
        }

        IceDatagramKind kind = _ice.HandleDatagram(local, remote, datagram, now, transport, out ReadOnlySpan<byte> data, out int component);
        if (kind == IceDatagramKind.ApplicationData && component == 1)
        {
            _transportPacketsReceived++;
            _transportBytesReceived += data.Length;
            switch (PacketDemultiplexer.Classify(data))
            {
                case PacketKind.Dtls:
                    HandleDtls(data, now);
                    break;
                case PacketKind.Rtp:
                    HandleSrtp(data, now);
                    break;
                case PacketKind.Rtcp:
                    HandleSrtcp(data, now);
                    break;
                default:
                    _unknownDatagrams++;
                    break;
            }
        }

        PumpIce(now);
        PumpDtls(now);
        UpdateState(now);
    }

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        _now = now;
        if (_closed || _ice is null)
        {
            return;
        }

        if (_ice.PollTimeout() is TimeSpan iceDue && iceDue <= now)
        {
            _ice.HandleTimeout(now);
        }

        PumpIce(now);
        if (_dtls?.PollTimeout() is TimeSpan dtlsDue && dtlsDue <= now)
        {
            _dtls.HandleTimeout(now);
        }

        PumpDtls(now);
        if (_srtp is not null)
        {
            RunRtcpTimers(now);
        }

        UpdateState(now);
    }

    /// <inheritdoc/>
    public TimeSpan? PollTimeout()
    {
        if (_closed || _ice is null)
        {
            return null;
        }

        TimeSpan? next = _ice.PollTimeout();
        next = Min(next, _dtls?.PollTimeout());
        if (_srtp is not null)
        {
            next = Min(next, NextRtcpDeadline());
        }

        return next;
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
    {
        if (_ice is not null && _ice.TryPollTransmit(buffer, out IceTransmit t))
        {
            transmit = new DatagramTransmit(t.Source, t.Destination, t.Length, t.Transport);
            return true;
        }

        if (_transmit.TryDequeue(out Outgoing o))
        {
            o.Buffer.AsSpan(0, o.Length).CopyTo(buffer);
            ArrayPool<byte>.Shared.Return(o.Buffer);
            transmit = new DatagramTransmit(o.Source, o.Destination, o.Length, o.Transport);
            return true;
        }

        transmit = default;
        return false;
    }

    /// <summary>Takes the next event, if any.</summary>
    public bool TryPollEvent(out PeerSessionEvent? sessionEvent) => _events.TryDequeue(out sessionEvent);

    /// <summary>
    /// Closes the session (webrtc-pc <c>close()</c>): an RTCP BYE for our stream (RFC 3550 §6.6), a DTLS
    /// close_notify (RFC 5246 §7.2.1), then ICE stops. The datagrams are still returned by
    /// <see cref="TryPollTransmit"/>; nothing is received afterwards.
    /// </summary>
    public void Close(TimeSpan now)
    {
        _now = now;
        if (_closed)
        {
            return;
        }

        if (_srtp is not null)
        {
            SendGoodbye(now);
        }

        if (_dtls is not null)
        {
            _dtls.Close();
            DrainDtlsTransmit(now);
        }

        _ice?.Close(now);
        _closed = true;
        UpdateState(now);
    }

    /// <summary>Releases keys and native state; call after <see cref="Close"/> and a last drain.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _closed = true;
        _dtls?.Dispose();
        _srtp?.Dispose();
        while (_transmit.TryDequeue(out Outgoing o))
        {
            ArrayPool<byte>.Shared.Return(o.Buffer);
        }

        while (_media.TryDequeue(out QueuedFrame f))
        {
            ArrayPool<byte>.Shared.Return(f.Buffer);
        }

        if (_ownsCertificate)
        {
            _certificate.Dispose();
        }
    }

    private static byte[] Scratch => t_scratch ??= new byte[MaxDatagramSize + 512];

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private void PumpIce(TimeSpan now)
    {
        if (_ice is null)
        {
            return;
        }

        while (_ice.TryPollEvent(out IceEvent? e))
        {
            switch (e)
            {
                case IceCandidateGatheredEvent g:
                    _events.Enqueue(new LocalCandidateEvent(g.Candidate));
                    break;
                case IceGatheringStateChangedEvent { State: IceGatheringState.Complete }:
                    _events.Enqueue(new GatheringCompleteEvent());
                    break;
                case IceConnectionStateChangedEvent s:
                    _events.Enqueue(new IceStateChangedEvent(s.State));
                    break;
                case IceSelectedPairChangedEvent p when p.Component == 1:
                    _events.Enqueue(new SelectedPairChangedEvent(p.Pair));
                    OnSelectedPair(now);
                    break;
                default:
                    break;
            }
        }
    }

    private void OnSelectedPair(TimeSpan now)
    {
        if (_dtls is not null && _dtls.State == DtlsState.New && _dtlsRole == Dtls.DtlsRole.Client)
        {
            _dtls.Start(now);
            PumpDtls(now);
        }

        while (_heldDtls.TryPeek(out byte[]? held))
        {
            if (!TrySendViaIce(held, now))
            {
                break;
            }

            _heldDtls.Dequeue();
        }
    }

    private void HandleDtls(ReadOnlySpan<byte> data, TimeSpan now)
    {
        if (_dtls is null || _dtls.State == DtlsState.New)
        {
            // The peer's ClientHello can arrive before we know our role (its answer is still on its way)
            // or before our own ICE selected a pair: keep a few datagrams and replay them.
            if (_earlyDtls.Count < MaxHeldDtlsDatagrams)
            {
                _earlyDtls.Add(data.ToArray());
            }

            return;
        }

        _dtls.HandleDatagram(data, now);
    }

    private void PumpDtls(TimeSpan now)
    {
        if (_dtls is null)
        {
            return;
        }

        DrainDtlsTransmit(now);
        while (_dtls.TryPollEvent(out DtlsEvent? e))
        {
            switch (e)
            {
                case DtlsConnectedEvent c:
                    OnDtlsConnected(c, now);
                    break;
                case DtlsFailedEvent f:
                    _dtlsFailed = true;
                    _logger.LogWarning("DTLS failed: {Error} {Message}", f.Error, f.Message);
                    _events.Enqueue(new DtlsFailedSessionEvent(f.Error, f.Message));
                    break;
                case DtlsClosedEvent { ByPeer: true }:
                    _dtlsClosedByPeer = true;
                    break;
                default:
                    break;
            }
        }
    }

    private void DrainDtlsTransmit(TimeSpan now)
    {
        while (_dtls!.TryPollTransmit(out ReadOnlyMemory<byte> d))
        {
            if (!TrySendViaIce(d.Span, now))
            {
                if (_heldDtls.Count >= MaxHeldDtlsDatagrams)
                {
                    _heldDtls.Dequeue();
                }

                _heldDtls.Enqueue(d.ToArray());
            }
        }
    }

    private void StartDtls(TimeSpan now)
    {
        var dtlsOptions = new DtlsOptions
        {
            Certificate = _certificate,
            RequireCookie = _options.DtlsRequireCookie,
            Mtu = _options.DtlsMtu,
            InitialRetransmitTimeout = _options.DtlsInitialRetransmitTimeout,
            Logger = _options.Logger,
        };
        dtlsOptions.SrtpProfiles.Clear();
        foreach (SrtpProfile p in _options.SrtpProfiles)
        {
            dtlsOptions.SrtpProfiles.Add(p);
        }

        foreach (DtlsFingerprint fp in _remoteFingerprints)
        {
            dtlsOptions.RemoteFingerprints.Add(fp);
        }

        _dtlsRole = _negotiated!.LocalSetup == SetupRole.Active ? Dtls.DtlsRole.Client : Dtls.DtlsRole.Server;
        _dtls = new DtlsEndpoint(_dtlsRole.Value, dtlsOptions);
        if (_dtlsRole == Dtls.DtlsRole.Server || _ice!.GetSelectedPair() is not null)
        {
            _dtls.Start(now);
        }

        foreach (byte[] early in _earlyDtls)
        {
            if (_dtls.State == DtlsState.New)
            {
                break;
            }

            _dtls.HandleDatagram(early, now);
        }

        _earlyDtls.Clear();
        PumpDtls(now);
    }

    private void OnDtlsConnected(DtlsConnectedEvent c, TimeSpan now)
    {
        if (c.SrtpKeys is not DtlsSrtpKeyingMaterial keys)
        {
            _dtlsFailed = true;
            _events.Enqueue(new DtlsFailedSessionEvent(DtlsError.NoCommonSrtpProfile, "DTLS connected without an SRTP profile both sides support (RFC 5764 §4.1.2)"));
            return;
        }

        _srtp = new SrtpSession(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt, keys.RemoteMasterKey, keys.RemoteMasterSalt,
            new SrtpOptions { ReplayWindowSize = _options.SrtpReplayWindow });
        _srtpProfile = keys.Profile;
        _dtlsCipher = c.CipherSuite;
        _events.Enqueue(new DtlsConnectedSessionEvent(_dtlsRole!.Value, c.CipherSuite, keys.Profile));
        OnSrtpReady(now);
    }

    private void UpdateState(TimeSpan now)
    {
        PeerConnectionState s;
        IceConnectionState ice = _ice?.ConnectionState ?? IceConnectionState.New;
        if (_closed || _dtlsClosedByPeer)
        {
            s = PeerConnectionState.Closed;
        }
        else if (_dtlsFailed || ice == IceConnectionState.Failed)
        {
            s = PeerConnectionState.Failed;
        }
        else if (ice == IceConnectionState.Disconnected)
        {
            s = PeerConnectionState.Disconnected;
        }
        else if (_srtp is not null && (ice is IceConnectionState.Connected or IceConnectionState.Completed || (ice == IceConnectionState.Checking && ConnectedAt is not null)))
        {
            // During an ICE restart the old pair keeps carrying media: stay connected (webrtc-pc §4.3.3).
            s = PeerConnectionState.Connected;
        }
        else if (ice == IceConnectionState.New && (_dtls is null || _dtls.State == DtlsState.New))
        {
            s = PeerConnectionState.New;
        }
        else
        {
            s = PeerConnectionState.Connecting;
        }

        if (s == State)
        {
            return;
        }

        State = s;
        if (s == PeerConnectionState.Connected && ConnectedAt is null)
        {
            ConnectedAt = now;
        }

        _logger.LogDebug("peer connection state {State} at {Now}", s, now);
        _events.Enqueue(new PeerConnectionStateChangedEvent(s, now));
    }

    /// <summary>Wraps <paramref name="payload"/> for the selected pair and queues it; false when ICE has no usable pair.</summary>
    private bool TrySendViaIce(ReadOnlySpan<byte> payload, TimeSpan now)
    {
        if (_ice is null)
        {
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(payload.Length + RtcStack.Stun.Turn.TurnClient.MaxWrapOverhead);
        if (!_ice.TryPrepareSend(payload, buffer, now, out IceTransmit t))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        _transmit.Enqueue(new Outgoing(buffer, t.Length, t.Source, t.Destination, t.Transport));
        _transportPacketsSent++;
        _transportBytesSent += payload.Length;
        return true;
    }

    private uint NextNonZeroUInt32()
    {
        uint v;
        do
        {
            v = _options.Random is null ? (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue) : (uint)_random.Next(int.MinValue, int.MaxValue);
        }
        while (v == 0);
        return v;
    }

    private string RandomToken(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> c = stackalloc char[length];
        for (int i = 0; i < length; i++)
        {
            c[i] = alphabet[_options.Random is null ? RandomNumberGenerator.GetInt32(alphabet.Length) : _random.Next(alphabet.Length)];
        }

        return new string(c);
    }

    private readonly record struct Outgoing(byte[] Buffer, int Length, TransportAddress Source, TransportAddress Destination, Stun.Turn.TurnTransport Transport);
}
