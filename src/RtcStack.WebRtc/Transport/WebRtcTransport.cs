using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;
using RtcStack.Stun;
using RtcStack.Stun.Turn;
using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Transport;

/// <summary>
/// The transport of a WebRTC session, sans-IO (docs/session-v2.md §1): one ICE agent (RFC 8445), one DTLS endpoint
/// (RFC 6347, DTLS-SRTP RFC 5764) and, once DTLS connects, one SRTP session (RFC 3711, RFC 7714), over one 5-tuple
/// with BUNDLE (RFC 8843) and rtcp-mux (RFC 5761). Each datagram is classified once, at the boundary, by the RFC 7983
/// §7 first-byte rule, and given to exactly one owner: STUN and TURN to ICE, DTLS to DTLS, SRTP and SRTCP to SRTP.
/// </summary>
/// <remarks>
/// <para>The driver registers its socket addresses (<see cref="AddLocalAddress"/>), starts gathering
/// (<see cref="StartGathering"/>) when the first description is made, and <see cref="Start"/>s the transport with what
/// offer/answer negotiated. It then feeds datagrams (<see cref="HandleDatagram"/>) and time
/// (<see cref="HandleTimeout"/>), sends what <see cref="TryPollTransmit"/> yields, reads <see cref="TryPollEvent"/>,
/// and sleeps until <see cref="PollTimeout"/>. No socket, thread, timer or clock is used here; one thread at a time
/// may call in.</para>
/// <para>Media: <see cref="SendRtp"/> and <see cref="SendRtcp"/> protect plaintext packets and queue them for the
/// selected pair; <see cref="HandleDatagram"/> returns received SRTP and SRTCP as plaintext in the caller's buffer.
/// Both allocate nothing once connected.</para>
/// </remarks>
public sealed partial class WebRtcTransport : IDisposable
{
    /// <summary>The largest datagram (without TURN framing) the transport builds or accepts.</summary>
    public const int MaxDatagramSize = 1500;

    /// <summary>The smallest buffer <see cref="TryPollTransmit"/> accepts: a datagram with TURN framing (RFC 8656 §12).</summary>
    public const int MaxTransmitSize = MaxDatagramSize + TurnClient.MaxWrapOverhead;

    /// <summary>How many protected datagrams may wait for <see cref="TryPollTransmit"/> before sending reports <see cref="TransportSendStatus.QueueFull"/>.</summary>
    public const int MaxQueuedTransmits = 1024;

    private const int MaxHeldDtlsDatagrams = 32;
    private const int MaxFreeBuffers = 64;

    private readonly WebRtcTransportOptions _options;
    private readonly ILogger _logger;
    private readonly DtlsCertificate _certificate;
    private readonly bool _ownsCertificate;
    private readonly SrtpOptions _srtpOptions;
    private readonly IceCredentials _initialCredentials;
    private TransportAddress[] _turnUdpServers;
    private readonly List<TransportAddress> _hostAddresses = [];
    private readonly Queue<TransportEvent> _events = new();
    private readonly Queue<Outgoing> _transmit = new();
    private readonly Stack<byte[]> _freeBuffers = new();
    private readonly Queue<byte[]> _heldDtlsTransmits = new();
    private readonly List<byte[]> _earlyDtls = [];
    private readonly byte[] _protectBuffer = new byte[MaxTransmitSize];

    private IceAgent? _ice;
    private bool _iceControlling;
    private DtlsEndpoint? _dtls;
    private DtlsRole? _dtlsRole;
    private SrtpSession? _srtp;
    private SrtpProfile? _srtpProfile;
    private DtlsCipherSuite? _cipherSuite;
    private DtlsVersion? _dtlsVersion;
    private DtlsNamedGroup? _dtlsGroup;
    private string? _previousUfrag;
    private bool _started;
    private bool _closed;
    private bool _closedByPeer;
    private bool _dtlsFailed;
    private bool _disposed;
    private TimeSpan _now;

    /// <summary>Creates a transport. Nothing is sent until <see cref="StartGathering"/> or <see cref="Start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The SRTP replay window is outside RFC 3711 §3.3.2's bounds.</exception>
    public WebRtcTransport(WebRtcTransportOptions? options = null)
    {
        _options = options ?? new WebRtcTransportOptions();
        ValidateDtlsVersionOptions(_options);
        _logger = _options.Logger ?? NullLogger.Instance;
        _srtpOptions = new SrtpOptions { ReplayWindowSize = _options.SrtpReplayWindow };
        var turn = new List<TransportAddress>();
        foreach (IceServer s in _options.IceServers)
        {
            if (s.IsTurn && s.Transport == TurnTransport.Udp)
            {
                turn.Add(s.Address.UnmapIPv4());
            }
        }

        _turnUdpServers = [.. turn];
        _initialCredentials = IceCredentials.Generate(_options.Random);
        if (_options.Certificate is null)
        {
            _certificate = DtlsCertificate.Generate(_options.WallClock.GetUtcNow());
            _ownsCertificate = true;
        }
        else
        {
            _certificate = _options.Certificate;
        }
    }

    /// <summary>Gets the aggregate state (ICE and DTLS together).</summary>
    public TransportState State { get; private set; } = TransportState.New;

    /// <summary>Gets the time of the input that first made the state <see cref="TransportState.Connected"/>.</summary>
    public TimeSpan? ConnectedAt { get; private set; }

    /// <summary>Gets our current ICE ufrag and password (RFC 8839 §5.4); they change on <see cref="RestartIce"/>.</summary>
    public IceCredentials LocalCredentials => _ice?.LocalCredentials ?? _initialCredentials;

    /// <summary>Gets the fingerprint of our DTLS certificate for a=fingerprint (RFC 8122 §5).</summary>
    public DtlsFingerprint LocalFingerprint => _certificate.Fingerprint;

    /// <summary>Gets our DTLS certificate (RFC 8827 §6.5).</summary>
    public X509Certificate2 LocalCertificate => _certificate.Certificate;

    /// <summary>Gets the counters (W3C transport and candidate-pair packet and byte counts, drops by reason).</summary>
    public TransportCounters Counters { get; } = new();

    /// <summary>Gets the ICE agent once gathering or <see cref="Start"/> created it, for inspection.</summary>
    public IceAgent? IceAgent => _ice;

    /// <summary>Gets the ICE connection state.</summary>
    public IceConnectionState IceState => _ice?.ConnectionState ?? IceConnectionState.New;

    /// <summary>Gets the ICE pair data goes over, or null (RFC 8445 §8.1.1).</summary>
    public IceCandidatePair? SelectedPair => _ice?.GetSelectedPair();

    /// <summary>Gets the DTLS state (<see cref="DtlsState.New"/> before <see cref="Start"/>).</summary>
    public DtlsState DtlsState => _dtls?.State ?? DtlsState.New;

    /// <summary>Gets our DTLS role once started (RFC 8842 §5: active is the client).</summary>
    public DtlsRole? LocalDtlsRole => _dtlsRole;

    /// <summary>Gets the DTLS cipher suite once connected.</summary>
    public DtlsCipherSuite? CipherSuite => _cipherSuite;

    // A bad DTLS version setting used to surface only when the handshake was created (at Start, or once the peer's
    // answer came): refuse it when the transport is made, naming the option.
    private static void ValidateDtlsVersionOptions(WebRtcTransportOptions options)
    {
        if (options.DtlsMaxVersion is not (DtlsVersion.Dtls12 or DtlsVersion.Dtls13))
        {
            throw new ArgumentOutOfRangeException(nameof(WebRtcTransportOptions.DtlsMaxVersion), options.DtlsMaxVersion, "DtlsMaxVersion must be Dtls12 or Dtls13.");
        }

        if (options.DtlsMinVersion is not (DtlsVersion.Dtls12 or DtlsVersion.Dtls13))
        {
            throw new ArgumentOutOfRangeException(nameof(WebRtcTransportOptions.DtlsMinVersion), options.DtlsMinVersion, "DtlsMinVersion must be Dtls12 or Dtls13.");
        }

        if (options.DtlsMinVersion > options.DtlsMaxVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(WebRtcTransportOptions.DtlsMinVersion), options.DtlsMinVersion, $"DtlsMinVersion ({options.DtlsMinVersion}) is above DtlsMaxVersion ({options.DtlsMaxVersion}).");
        }

        if (options.DtlsMaxVersion == DtlsVersion.Dtls13 && options.Dtls13Groups.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WebRtcTransportOptions.Dtls13Groups), "DTLS 1.3 needs at least one key share group (RFC 8446 §4.2.7).");
        }

        foreach (DtlsNamedGroup g in options.Dtls13Groups)
        {
            if (g is not (DtlsNamedGroup.X25519MlKem768 or DtlsNamedGroup.X25519 or DtlsNamedGroup.Secp256r1))
            {
                throw new ArgumentOutOfRangeException(nameof(WebRtcTransportOptions.Dtls13Groups), g, "Dtls13Groups holds a group the DTLS layer does not implement.");
            }
        }
    }

    /// <summary>Gets the negotiated DTLS version once connected: 1.3 (RFC 9147) or 1.2 (RFC 6347).</summary>
    public DtlsVersion? NegotiatedDtlsVersion => _dtlsVersion;

    /// <summary>
    /// Gets the negotiated key exchange group once connected (the DTLS 1.3 key_share group, RFC 8446 §4.2.8, or the
    /// DTLS 1.2 ECDHE curve, RFC 8422 §5.1.1), or null when the DTLS layer did not say.
    /// </summary>
    public DtlsNamedGroup? NegotiatedDtlsGroup => _dtlsGroup;

    /// <summary>Gets the SRTP protection profile once connected (RFC 5764 §4.1.2).</summary>
    public SrtpProfile? SrtpProfile => _srtpProfile;

    /// <summary>Gets a value indicating whether the peer closed the transport with a DTLS close_notify (RFC 5246 §7.2.1).</summary>
    public bool ClosedByPeer => _closedByPeer;

    /// <summary>Gets a value indicating whether SRTP keys exist and the transport is not closed or failed, so media can be sent.</summary>
    public bool CanSendMedia => _srtp is not null && !_closed && !_dtlsFailed;

    /// <summary>
    /// Registers the address of a bound local UDP socket as a host candidate base (RFC 8445 §5.1.1.1). Call it before
    /// gathering starts; an address added later is gathered from at once (trickle).
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
            UpdateState(_now);
        }
    }

    /// <summary>
    /// Creates the ICE agent and starts gathering (RFC 8445 §5.1.1), so the first offer or answer can carry candidates;
    /// <paramref name="controlling"/> is the role JSEP gives (the offerer controls, RFC 8445 §6.1.1). Candidates come as
    /// <see cref="TransportCandidateEvent"/>s. <see cref="Start"/> does this itself when it was not called.
    /// </summary>
    /// <exception cref="InvalidOperationException">Gathering already started in the other role, or the transport is closed.</exception>
    public void StartGathering(bool controlling, TimeSpan now)
    {
        ThrowIfUnusable();
        _now = now;
        EnsureIce(controlling, now);
        UpdateState(now);
    }

    /// <summary>
    /// Starts the transport with what offer/answer negotiated (docs/session-v2.md §1): the peer's ICE credentials,
    /// implementation and candidates, and our DTLS role. The DTLS server starts at once and waits for the ClientHello;
    /// the client sends its ClientHello when ICE selects a pair. DTLS datagrams that arrived earlier on a valid route
    /// are replayed into the handshake.
    /// </summary>
    /// <exception cref="ArgumentException">No remote fingerprint (RFC 8827 §6.5 requires one).</exception>
    /// <exception cref="InvalidOperationException">Already started (an ICE restart goes through <see cref="RestartIce"/>), closed, or gathering started in the other ICE role.</exception>
    public void Start(TransportParameters remote, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ThrowIfUnusable();
        _now = now;
        if (_started)
        {
            throw new InvalidOperationException("the transport has started; new remote ICE credentials go through RestartIce or SetRemoteIceCredentials");
        }

        if (remote.RemoteFingerprints.Count == 0)
        {
            throw new ArgumentException("at least one remote certificate fingerprint is required (RFC 8827 §6.5)", nameof(remote));
        }

        // When either side is lite, the role JSEP computed (RFC 8445 §6.1.1: a full agent controls) may differ from
        // the role gathering began with (the offerer's or the answerer's): SetRemoteMode below takes the required role.
        EnsureIce(remote.IceControlling, now, roleMayChange: remote.RemoteIceLite || _options.IceLite);
        IceAgent ice = _ice!;
        _started = true;

        // RFC 8445 §6.1.1: against a lite peer a full agent controls, whatever JSEP said.
        ice.SetRemoteMode(remote.RemoteIceLite ? IceMode.Lite : IceMode.Full);
        ice.SetRemoteCredentials(remote.RemoteIce);
        foreach (IceCandidate c in remote.RemoteCandidates)
        {
            if (c.Component == 1)
            {
                ice.AddRemoteCandidate(c, now);
            }
        }

        if (remote.RemoteEndOfCandidates)
        {
            ice.AddRemoteEndOfCandidates(now);
        }

        PumpIce(now);
        CreateDtls(remote, now);
        UpdateState(now);
    }

    /// <summary>
    /// Adds a remote candidate (trickle, RFC 8838 §11). Component-2 candidates are ignored: rtcp-mux is required
    /// (RFC 8829 §4.1.1). False when ignored or when ICE has not started.
    /// </summary>
    public bool AddRemoteCandidate(IceCandidate candidate, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (_ice is null || _closed || candidate.Component != 1)
        {
            return false;
        }

        _now = now;
        bool added = _ice.AddRemoteCandidate(candidate, now);
        PumpIce(now);
        UpdateState(now);
        return added;
    }

    /// <summary>Adds a remote candidate given as a <c>candidate:</c> attribute (with or without <c>a=</c>); false when malformed or ignored.</summary>
    public bool AddRemoteCandidate(string candidate, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        string text = candidate.Trim();
        if (text.StartsWith("a=", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (!text.StartsWith("candidate:", StringComparison.OrdinalIgnoreCase))
        {
            text = "candidate:" + text;
        }

        return IceCandidate.TryParse(text, out IceCandidate? c) && AddRemoteCandidate(c!, now);
    }

    /// <summary>The peer signalled a=end-of-candidates (RFC 8838 §14): ICE may now conclude it failed.</summary>
    public void EndOfRemoteCandidates(TimeSpan now)
    {
        _now = now;
        if (_ice is null || _closed)
        {
            return;
        }

        _ice.AddRemoteEndOfCandidates(now);
        PumpIce(now);
        UpdateState(now);
    }

    /// <summary>
    /// Restarts ICE (RFC 8445 §9, RFC 8839 §4.4.1.1.1): new local credentials, returned for the new offer or answer;
    /// local candidates are reported again. <paramref name="remote"/> gives the peer's new credentials when they are
    /// already known (we answer its restart); otherwise <see cref="SetRemoteIceCredentials"/> follows with its answer.
    /// DTLS and SRTP carry on over the old pair until ICE selects a new one, and until then STUN requests for our
    /// previous ufrag are still <see cref="Accepts"/>ed.
    /// </summary>
    /// <exception cref="InvalidOperationException">ICE has not started, or the transport is closed.</exception>
    public IceCredentials RestartIce(TimeSpan now, IceCredentials? remote = null)
    {
        ThrowIfUnusable();
        _now = now;
        if (_ice is null)
        {
            throw new InvalidOperationException("ICE has not started");
        }

        string previous = _ice.LocalCredentials.Ufrag;
        IceCredentials fresh = _ice.Restart(now);
        _previousUfrag = previous;
        if (remote is not null)
        {
            _ice.SetRemoteCredentials(remote);
        }

        PumpIce(now);
        UpdateState(now);
        return fresh;
    }

    /// <summary>
    /// Adds a STUN or TURN server after the transport was made (one the signalling named late: RFC 9725 §4.6 ICE-server
    /// links on a WHIP 201). Once gathering has started, candidates are gathered from it and reported like the others
    /// (trickle ICE); a TURN server over UDP is recognised as such for incoming datagrams from then on. A TURN server over
    /// TCP or TLS needs its connection made by the I/O layer, as for the servers given in the options.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The transport is closed.</exception>
    public void AddIceServer(IceServer server, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(server);
        ThrowIfUnusable();
        _now = now;
        if (_options.IceServers.Contains(server))
        {
            return;
        }

        _options.IceServers.Add(server);
        if (server.IsTurn && server.Transport == TurnTransport.Udp)
        {
            _turnUdpServers = [.. _turnUdpServers, server.Address.UnmapIPv4()];
        }

        if (_ice is not null)
        {
            _ice.AddServer(server, now);
            PumpIce(now);
            UpdateState(now);
        }
    }

    /// <summary>
    /// Sets the peer's ICE credentials (RFC 8839 §5.4): different ones than before mean the peer restarted ICE
    /// (RFC 8445 §9); its old candidates are forgotten and its new ones follow with <see cref="AddRemoteCandidate(IceCandidate, TimeSpan)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">ICE has not started, or the transport is closed.</exception>
    public void SetRemoteIceCredentials(IceCredentials remote, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ThrowIfUnusable();
        _now = now;
        if (_ice is null)
        {
            throw new InvalidOperationException("ICE has not started");
        }

        _ice.SetRemoteCredentials(remote);
        PumpIce(now);
        UpdateState(now);
    }

    /// <summary>Runs the timers that are due (ICE checks, consent, keepalives, TURN; DTLS retransmissions and limit).</summary>
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
        UpdateState(now);
    }

    /// <summary>Gets the next instant <see cref="HandleTimeout"/> is wanted and whose timer it is, or null when none runs.</summary>
    public TransportTimeout? PollTimeout()
    {
        if (_closed || _ice is null)
        {
            return null;
        }

        TransportTimeout? next = null;
        if (_ice.PollTimeout() is TimeSpan ice)
        {
            next = new TransportTimeout(ice, _ice.PollTimeoutReason switch
            {
                IceTimerReason.Gathering => TransportTimerReason.IceGathering,
                IceTimerReason.Nomination => TransportTimerReason.IceNomination,
                IceTimerReason.Consent => TransportTimerReason.IceConsent,
                IceTimerReason.Keepalive => TransportTimerReason.IceKeepalive,
                IceTimerReason.Turn => TransportTimerReason.TurnRefresh,
                _ => TransportTimerReason.IceCheck,
            });
        }

        if (_dtls?.PollTimeout() is TimeSpan dtls && (next is null || dtls < next.Value.At))
        {
            next = new TransportTimeout(dtls, TransportTimerReason.DtlsRetransmit);
        }

        return next;
    }

    /// <summary>
    /// Copies the next datagram to send into <paramref name="buffer"/> (at least <see cref="MaxTransmitSize"/> bytes):
    /// ICE's own messages first, then protected media and DTLS in the order they were queued.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is shorter than <see cref="MaxTransmitSize"/>.</exception>
    public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit)
    {
        if (buffer.Length < MaxTransmitSize)
        {
            throw new ArgumentException($"the buffer must hold at least {MaxTransmitSize} bytes", nameof(buffer));
        }

        if (_ice is not null && _ice.TryPollTransmit(buffer, out IceTransmit t))
        {
            transmit = new DatagramTransmit(t.Source, t.Destination, t.Length, t.Transport);
            return true;
        }

        if (_transmit.TryDequeue(out Outgoing o))
        {
            o.Buffer.AsSpan(0, o.Length).CopyTo(buffer);
            ReturnBuffer(o.Buffer);
            transmit = new DatagramTransmit(o.Source, o.Destination, o.Length, o.Transport);
            return true;
        }

        transmit = default;
        return false;
    }

    /// <summary>Takes the next event, if any.</summary>
    public bool TryPollEvent(out TransportEvent? transportEvent) => _events.TryDequeue(out transportEvent);

    /// <summary>
    /// Closes the transport: a DTLS close_notify (RFC 5246 §7.2.1) goes out over the selected pair, then ICE stops (and
    /// releases TURN allocations). The datagrams are still returned by <see cref="TryPollTransmit"/>; nothing is
    /// received afterwards.
    /// </summary>
    public void Close(TimeSpan now)
    {
        _now = now;
        if (_closed)
        {
            return;
        }

        if (_dtls is not null)
        {
            _dtls.Close();
            DrainDtlsTransmit(now);
            while (_dtls.TryPollEvent(out _))
            {
            }
        }

        _ice?.Close(now);
        _closed = true;
        UpdateState(now);
    }

    /// <summary>Releases keys and a generated certificate; call after <see cref="Close"/> and a last drain.</summary>
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
        _transmit.Clear();
        _freeBuffers.Clear();
        if (_ownsCertificate)
        {
            _certificate.Dispose();
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_closed)
        {
            throw new InvalidOperationException("the transport is closed");
        }
    }

    private void EnsureIce(bool controlling, TimeSpan now, bool roleMayChange = false)
    {
        if (_ice is not null)
        {
            if (controlling != _iceControlling && !roleMayChange)
            {
                throw new InvalidOperationException($"ICE gathering started as {(_iceControlling ? "controlling" : "controlled")}; the transport cannot start as the other role");
            }

            return;
        }

        var iceOptions = new IceAgentOptions
        {
            Role = controlling ? IceRole.Controlling : IceRole.Controlled,
            Mode = _options.IceLite ? IceMode.Lite : IceMode.Full,
            NatCandidateType = _options.NatCandidateType,
            LocalCredentials = _initialCredentials,
            Policy = _options.IceTransportPolicy,
            Random = _options.Random,
            Logger = _options.Logger,
        };
        if (_options.IceConsentInterval is TimeSpan consent)
        {
            iceOptions.ConsentInterval = consent;
        }

        if (_options.IceDisconnectedTimeout is TimeSpan disconnected)
        {
            iceOptions.DisconnectedTimeout = disconnected;
        }

        foreach (IceServer s in _options.IceServers)
        {
            iceOptions.Servers.Add(s);
        }

        foreach (IceNatMapping m in _options.NatMappings)
        {
            iceOptions.NatMappings.Add(m);
        }

        _iceControlling = controlling;
        _ice = new IceAgent(iceOptions);
        foreach (TransportAddress a in _hostAddresses)
        {
            _ice.AddHostAddress(a);
        }

        _ice.StartGathering(now);
        PumpIce(now);
    }

    private void UpdateState(TimeSpan now)
    {
        IceConnectionState ice = _ice?.ConnectionState ?? IceConnectionState.New;
        TransportState s;
        if (_closed)
        {
            s = TransportState.Closed;
        }
        else if (_dtlsFailed || ice == IceConnectionState.Failed)
        {
            s = TransportState.Failed;
        }
        else if (ice == IceConnectionState.Disconnected)
        {
            s = TransportState.Disconnected;
        }
        else if (_srtp is not null && (ice is IceConnectionState.Connected or IceConnectionState.Completed
            || (ice is IceConnectionState.Checking or IceConnectionState.New && ConnectedAt is not null)))
        {
            // During an ICE restart the old pair keeps carrying media: stay connected (webrtc-pc §4.3.3).
            s = TransportState.Connected;
        }
        else if (ice == IceConnectionState.New && (_dtls is null || _dtls.State == DtlsState.New))
        {
            s = TransportState.New;
        }
        else
        {
            s = TransportState.Connecting;
        }

        if (s == State)
        {
            return;
        }

        State = s;
        if (s == TransportState.Connected && ConnectedAt is null)
        {
            ConnectedAt = now;
        }

        _logger.LogDebug("transport state {State} at {Now}", s, now);
        _events.Enqueue(new TransportStateChangedEvent(s, now));
    }

    private readonly record struct Outgoing(byte[] Buffer, int Length, TransportAddress Source, TransportAddress Destination, TurnTransport Transport);
}
