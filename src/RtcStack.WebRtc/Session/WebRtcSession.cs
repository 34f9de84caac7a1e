using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Rtp.Bundle;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.Stun;
using RtcStack.Stun.Turn;
using RtcStack.WebRtc.Io;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Transport;
using SdpType = RtcStack.WebRtc.Jsep.SdpType;

namespace RtcStack.WebRtc;

/// <summary>
/// A WebRTC peer connection, sans-IO (session core v2, docs/session-v2.md): a <see cref="WebRtcTransport"/> (ICE, DTLS,
/// SRTP), a <see cref="JsepSession"/> (offer/answer for any number of audio and video sections in one BUNDLE group),
/// and per media section the send and receive streams (RTCP statistics, NACK, RTX, key frames, video frame buffer).
/// Datagrams and time go in; <see cref="PollOutput"/> gives the next transmit, event, media or timeout.
/// </summary>
/// <remarks>
/// The straight path: a datagram is classified once by the transport; RTP is routed by MID, then RID, then SSRC
/// (RFC 8843 §9.2) to its section and stream; RTCP is split per packet to the stream it names. Nothing here opens a
/// socket, starts a thread or reads a clock.
/// </remarks>
public sealed partial class WebRtcSession : IIceDatagramEndpoint, ITurnStreamEndpoint, Signalling.ISignalledSession, IDisposable
{
    /// <summary>The largest datagram handled (the transport's limit).</summary>
    public const int MaxDatagramSize = WebRtcTransport.MaxDatagramSize;

    /// <summary>The smallest buffer <see cref="PollOutput"/> takes (a datagram plus TURN framing).</summary>
    public const int MinOutputBuffer = WebRtcTransport.MaxTransmitSize;

    private readonly WebRtcSessionOptions _options;
    private readonly WebRtcTransport _transport;
    private readonly JsepSession _jsep;
    private readonly Random _random;
    private readonly Queue<SessionEvent> _events = new();
    private readonly byte[] _plaintext = new byte[MaxDatagramSize + 64];
    private bool _transportStarted;
    private bool _localIceRestartPending;
    private bool _closed;
    private bool _disposed;
    private TimeSpan _now;

    /// <summary>Creates a session; its transport gathers candidates once the first description is set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (named in the exception).</exception>
    public WebRtcSession(WebRtcSessionOptions? options = null)
    {
        _options = options ?? new WebRtcSessionOptions();
        _options.Validate();
        _random = _options.Random ?? new Random(RandomNumberGenerator.GetInt32(int.MaxValue));
        _transport = new WebRtcTransport(_options.Transport);
        IceCredentials ice = _transport.LocalCredentials;
        DtlsFingerprint fp = _transport.LocalFingerprint;
        _jsep = new JsepSession(new JsepOptions
        {
            IceUfrag = ice.Ufrag,
            IcePwd = ice.Password,
            Fingerprints = [SdpFingerprint.FromHash(fp.Algorithm, fp.Value)],
            AnswerSetup = _options.AnswerSetup,
            OfferSetup = _options.OfferSetup,
            IceLite = _options.Transport.IceLite,
            CName = _options.CName,
            AudioCodecs = _options.AudioCodecs,
            VideoCodecs = _options.VideoCodecs,
            HeaderExtensions = _options.HeaderExtensions,
            SctpPort = _options.SctpPort,
            MaxMessageSize = _options.MaxMessageSize,
            Random = _options.Random,
        });
        _router = new RtpStreamRouter();
        _ntpWallClockAtZero = _options.WallClockAtZero;
        _controller = _options.CongestionController;
    }

    /// <summary>Gets the aggregate connection state (W3C <c>RTCPeerConnectionState</c>).</summary>
    public PeerConnectionState State { get; private set; } = PeerConnectionState.New;

    /// <summary>Gets when the session first connected, on the caller's clock.</summary>
    public TimeSpan? ConnectedAt => _transport.ConnectedAt;

    /// <summary>Gets the transport (ICE, DTLS, SRTP) for its state and counters.</summary>
    public WebRtcTransport Transport => _transport;

    /// <summary>Gets the offer/answer state machine, its transceivers and the negotiated sections.</summary>
    public JsepSession Jsep => _jsep;

    /// <inheritdoc/>
    public string LocalIceUfrag => _transport.LocalCredentials.Ufrag;

    /// <summary>Gets the local certificate's fingerprint (a=fingerprint).</summary>
    public DtlsFingerprint LocalFingerprint => _transport.LocalFingerprint;

    /// <summary>Gets a value indicating whether media can be sent now (DTLS-SRTP is up).</summary>
    public bool CanSendMedia => _transport.CanSendMedia && !_closed;

    /// <summary>Adds a transceiver (RFC 8829 §5.2.1: it gets a section in the next offer).</summary>
    public Transceiver AddTransceiver(MediaKind kind, MediaDirection direction = MediaDirection.SendRecv) => _jsep.AddTransceiver(kind, direction);

    /// <inheritdoc cref="JsepSession.AddSimulcastTransceiver"/>
    public Transceiver AddSimulcastTransceiver(IReadOnlyList<SendEncoding> sendEncodings, MediaDirection direction = MediaDirection.SendRecv) => _jsep.AddSimulcastTransceiver(sendEncodings, direction);

    /// <summary>Adds our local address: the transport gathers host candidates on it (trickled when gathering runs).</summary>
    public void AddLocalAddress(TransportAddress address) => _transport.AddLocalAddress(address);

    /// <summary>
    /// Creates an offer (RFC 8829 §5.2) and sets it as the local description; it carries the candidates gathered so far
    /// (more come as <see cref="SessionCandidateEvent"/>s).
    /// </summary>
    public string CreateOffer(TimeSpan now) => CreateOffer(now, iceRestart: false);

    /// <summary>
    /// Creates an offer (RFC 8829 §5.2) and sets it as the local description; with <paramref name="iceRestart"/> (RFC 8829
    /// §5.2.1, the "IceRestart" option) ICE restarts first (RFC 8445 §9): the offer carries new ICE credentials and the
    /// candidates are gathered again, the peer's answer brings its new credentials and candidates, and DTLS and SRTP carry
    /// on over the current pair until checks with the new credentials select a new one.
    /// </summary>
    /// <remarks>An offer that restarts ICE and is then rolled back leaves the restart in place: the next offer carries the
    /// new credentials (JSEP would restore the old ones; our ICE agent has already forgotten them).</remarks>
    public string CreateOffer(TimeSpan now, bool iceRestart)
    {
        _now = now;
        if (iceRestart && _transportStarted)
        {
            IceCredentials fresh = _transport.RestartIce(now);
            _jsep.SetLocalIceCredentials(fresh.Ufrag, fresh.Password);
            _localIceRestartPending = true;
        }

        EnsureGathering(controlling: true, now);
        SyncLocalIceCredentials();
        SessionDescription offer = _jsep.CreateOffer();
        _jsep.SetLocalDescription(SdpType.Offer, offer);
        AfterSignalling(now);
        return WithCandidates(offer);
    }

    /// <summary>
    /// Takes the peer's offer and answers it (RFC 8829 §5.3); both descriptions are applied and the transport starts.
    /// </summary>
    /// <returns>False, with the typed reason, when the offer cannot be answered; nothing changes then.</returns>
    public bool TryAcceptOffer(string offerSdp, TimeSpan now, [NotNullWhen(true)] out string? answerSdp, [NotNullWhen(false)] out JsepError? error)
    {
        _now = now;
        answerSdp = null;
        if (!TryParse(offerSdp, out SessionDescription? offer, out error))
        {
            return false;
        }

        if (!_jsep.TrySetRemoteDescription(SdpType.Offer, offer, out JsepError? remoteError))
        {
            error = remoteError;
            return false;
        }

        RestartIceIfTheOfferDoes(offer, now);
        EnsureGathering(controlling: false, now);
        SyncLocalIceCredentials();
        SessionDescription answer = _jsep.CreateAnswer();
        if (!_jsep.TrySetLocalDescription(SdpType.Answer, answer, out JsepError? localError))
        {
            error = localError;
            return false;
        }

        AfterSignalling(now);
        answerSdp = WithCandidates(answer);
        return true;
    }

    /// <summary>Takes the peer's answer to our offer (RFC 8829 §5.10); the negotiated sections are applied and the transport starts.</summary>
    /// <returns>False, with the typed reason, when the answer does not fit the offer; nothing changes then.</returns>
    public bool TryApplyAnswer(string answerSdp, TimeSpan now, [NotNullWhen(false)] out JsepError? error)
    {
        _now = now;
        if (!TryParse(answerSdp, out SessionDescription? answer, out error))
        {
            return false;
        }

        if (!_jsep.TrySetRemoteDescription(SdpType.Answer, answer, out JsepError? remoteError))
        {
            error = remoteError;
            return false;
        }

        AfterSignalling(now);
        return true;
    }

    /// <summary>Takes the peer's offer without answering yet (glare handling and subsequent offers go through <see cref="Jsep"/>).</summary>
    public bool TrySetRemoteOffer(string offerSdp, TimeSpan now, [NotNullWhen(false)] out JsepError? error)
    {
        _now = now;
        if (!TryParse(offerSdp, out SessionDescription? offer, out error))
        {
            return false;
        }

        if (!_jsep.TrySetRemoteDescription(SdpType.Offer, offer, out JsepError? remoteError))
        {
            error = remoteError;
            return false;
        }

        RestartIceIfTheOfferDoes(offer, now);
        EnsureGathering(controlling: false, now);
        return true;
    }

    /// <summary>
    /// Our descriptions carry the ICE credentials the transport uses now, also after a restart made on the transport
    /// directly (a WHIP client's PATCH, RFC 9725 §4.3.2), so that a later offer or answer is not taken for another restart.
    /// </summary>
    private void SyncLocalIceCredentials()
    {
        IceCredentials local = _transport.LocalCredentials;
        if (local.Ufrag != _jsep.LocalIceUfrag || local.Password != _jsep.LocalIcePwd)
        {
            _jsep.SetLocalIceCredentials(local.Ufrag, local.Password);
        }
    }

    /// <summary>
    /// A subsequent offer with ICE credentials other than the peer's current ones restarts ICE (RFC 8445 §9); RFC 8839
    /// §4.4.1.1.1 has the answerer restart too, so our answer carries new credentials of ours (RFC 8829 §5.3.1).
    /// </summary>
    private void RestartIceIfTheOfferDoes(SessionDescription offer, TimeSpan now)
    {
        if (!_transportStarted || _transport.IceAgent?.RemoteCredentials is not IceCredentials current)
        {
            return;
        }

        MediaDescription? tagged = null;
        foreach (MediaDescription m in offer.MediaDescriptions)
        {
            if (!m.IsRejected)
            {
                tagged = m;
                break;
            }
        }

        if (tagged is null || offer.GetEffectiveIceUfrag(tagged) is not string ufrag || offer.GetEffectiveIcePwd(tagged) is not string pwd
            || (ufrag == current.Ufrag && pwd == current.Password))
        {
            return;
        }

        IceCredentials fresh = _transport.RestartIce(now, new IceCredentials(ufrag, pwd));
        _jsep.SetLocalIceCredentials(fresh.Ufrag, fresh.Password);
    }

    /// <summary>Creates and applies the answer to a remote offer set with <see cref="TrySetRemoteOffer"/>.</summary>
    public string CreateAnswer(TimeSpan now)
    {
        _now = now;
        SyncLocalIceCredentials();
        SessionDescription answer = _jsep.CreateAnswer();
        _jsep.SetLocalDescription(SdpType.Answer, answer);
        AfterSignalling(now);
        return WithCandidates(answer);
    }

    /// <summary>Adds a remote candidate (trickle ICE, RFC 8838 §11): the a=candidate value with or without its "candidate:" prefix.</summary>
    public bool AddRemoteCandidate(string candidate, TimeSpan now)
    {
        _now = now;
        bool added = _transport.AddRemoteCandidate(candidate.StartsWith("candidate:", StringComparison.Ordinal) ? candidate : "candidate:" + candidate, now);
        PumpTransport(now);
        return added;
    }

    /// <summary>
    /// Adds a STUN or TURN server after the session was made (RFC 9725 §4.6: a WHIP endpoint may name them only on its
    /// 201): once gathering has started, the candidates gathered from it arrive as <see cref="SessionCandidateEvent"/>s,
    /// then <see cref="SessionGatheringCompleteEvent"/> again. See <see cref="WebRtcTransport.AddIceServer"/>.
    /// </summary>
    public void AddIceServer(IceServer server, TimeSpan now)
    {
        _now = now;
        _transport.AddIceServer(server, now);
        PumpTransport(now);
    }

    /// <summary>The peer signalled end-of-candidates (RFC 8838 §14).</summary>
    public void AddRemoteEndOfCandidates(TimeSpan now)
    {
        _now = now;
        _transport.EndOfRemoteCandidates(now);
        PumpTransport(now);
    }

    /// <inheritdoc/>
    public bool Accepts(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram) => !_closed && _transport.Accepts(local, remote, datagram);

    /// <inheritdoc/>
    public void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now)
    {
        _now = now;
        if (_closed)
        {
            return;
        }

        TransportReceive r = _transport.HandleDatagram(local, remote, datagram, _plaintext, now);
        HandleTransportReceive(r, now);
    }

    /// <inheritdoc/>
    public void HandleTurnStreamMessage(TransportAddress local, TransportAddress server, TurnTransport transport, ReadOnlySpan<byte> message, TimeSpan now)
    {
        _now = now;
        if (_closed)
        {
            return;
        }

        TransportReceive r = _transport.HandleTurnStreamMessage(local, server, transport, message, _plaintext, now);
        HandleTransportReceive(r, now);
    }

    /// <inheritdoc/>
    public void HandleTurnStreamClosed(TransportAddress local, TransportAddress server, TurnTransport transport, string reason, TimeSpan now)
    {
        _now = now;
        _transport.HandleTurnStreamClosed(local, server, transport, reason, now);
        PumpTransport(now);
    }

    /// <inheritdoc/>
    public string? GetTurnServerName(TransportAddress server, TurnTransport transport) => _transport.GetTurnServerName(server, transport);

    /// <inheritdoc/>
    public void HandleTimeout(TimeSpan now)
    {
        _now = now;
        if (_closed)
        {
            return;
        }

        if (_transport.PollTimeout() is TransportTimeout t && t.At <= now)
        {
            _transport.HandleTimeout(now);
        }

        PumpTransport(now);
        RunMediaTimers(now);
        RunDataChannelTimers(now);
    }

    /// <summary>
    /// Returns the next output: a datagram to send (written into <paramref name="buffer"/>, which must hold
    /// <see cref="MinOutputBuffer"/> bytes), an event, a received media unit (written into <paramref name="buffer"/> when it
    /// fits), or the next timeout with its reason. Call it until it returns <see cref="SessionOutputKind.Timeout"/>.
    /// </summary>
    public SessionOutput PollOutput(Span<byte> buffer)
    {
        if (_transport.TryPollTransmit(buffer, out DatagramTransmit transmit))
        {
            return SessionOutput.ForTransmit(transmit);
        }

        PumpTransport(_now);
        if (_events.TryDequeue(out SessionEvent? e))
        {
            return SessionOutput.ForEvent(e);
        }

        if (TryPollMedia(buffer, out ReceivedMedia media, out bool fits))
        {
            return SessionOutput.ForMedia(media, fits);
        }

        return SessionOutput.ForTimeout(NextTimeout());
    }

    /// <inheritdoc/>
    public bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit) => _transport.TryPollTransmit(buffer, out transmit);

    /// <summary>Takes the next event, if any (the event part of <see cref="PollOutput"/>).</summary>
    public bool TryPollEvent([NotNullWhen(true)] out SessionEvent? sessionEvent)
    {
        PumpTransport(_now);
        return _events.TryDequeue(out sessionEvent);
    }

    /// <summary>
    /// Takes the next received audio packet or video frame into <paramref name="destination"/> (the media part of
    /// <see cref="PollOutput"/>, for hosts whose socket loop takes the transmits). False when none is waiting, or when it
    /// does not fit: then <paramref name="media"/> says how long it is and it stays queued.
    /// </summary>
    public bool TryPollMedia(Span<byte> destination, out ReceivedMedia media) => TryPollMedia(destination, out media, out bool fits) && fits;

    /// <inheritdoc/>
    public TimeSpan? PollTimeout() => NextTimeout()?.At;

    /// <summary>Gets the next timeout and its reason, or null when the session is closed.</summary>
    public SessionTimeout? NextTimeout()
    {
        if (_closed)
        {
            return null;
        }

        SessionTimeout? next = null;
        if (_transport.PollTimeout() is TransportTimeout t)
        {
            next = new SessionTimeout(t.At, SessionTimerReason.Transport);
        }

        return Earliest(Earliest(next, NextMediaTimeout()), NextDataChannelTimeout());
    }

    /// <summary>Ends the session: RTCP BYE for our streams, DTLS close_notify, no more output after what is queued.</summary>
    public void Close(TimeSpan now)
    {
        if (_closed)
        {
            return;
        }

        _now = now;
        if (_transport.CanSendMedia)
        {
            SendReport(now, goodbye: true);
        }

        CloseDataChannels(now);
        _transport.Close(now);
        PumpTransport(now);
        _closed = true;
        SetState(PeerConnectionState.Closed, now);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _closed = true;
        _transport.Dispose();
        DisposeAudio();
        while (_media.TryDequeue(out QueuedMedia q))
        {
            ArrayPool<byte>.Shared.Return(q.Buffer);
        }
    }

    private static SessionTimeout? Earliest(SessionTimeout? a, SessionTimeout? b) =>
        a is null ? b : b is null ? a : (a.Value.At <= b.Value.At ? a : b);

    private static bool TryParse(string sdp, [NotNullWhen(true)] out SessionDescription? description, [NotNullWhen(false)] out JsepError? error)
    {
        if (SessionDescription.TryParse(sdp, out description, out SdpParseError parseError))
        {
            error = null;
            return true;
        }

        error = new JsepError(JsepErrorCode.InvalidSdp, $"the description is not valid SDP: {parseError}");
        return false;
    }

    private void EnsureGathering(bool controlling, TimeSpan now)
    {
        if (_transport.IceAgent is null)
        {
            _transport.StartGathering(controlling, now);
            PumpTransport(now);
        }
    }

    /// <summary>After a description was set: when an exchange completed, start the transport and (re)build the sections.</summary>
    private void AfterSignalling(TimeSpan now)
    {
        if (_jsep.SignalingState != SignalingState.Stable || _jsep.NegotiatedTransport is not NegotiatedTransport nt)
        {
            return;
        }

        if (!_transportStarted)
        {
            var fingerprints = new List<DtlsFingerprint>();
            foreach (SdpFingerprint f in nt.RemoteFingerprints)
            {
                if (DtlsFingerprint.TryParse(f.ToString(), out DtlsFingerprint? parsed))
                {
                    fingerprints.Add(parsed!);
                }
            }

            var candidates = new List<IceCandidate>();
            foreach (string c in nt.RemoteCandidates)
            {
                if (IceCandidate.TryParse(c.StartsWith("candidate:", StringComparison.Ordinal) ? c : "candidate:" + c, out IceCandidate? candidate) && candidate!.Component == 1)
                {
                    candidates.Add(candidate);
                }
            }

            _transport.Start(
                new TransportParameters
                {
                    RemoteIce = new IceCredentials(nt.RemoteIceUfrag, nt.RemoteIcePwd),
                    RemoteIceLite = nt.RemoteIceLite,
                    RemoteFingerprints = fingerprints,
                    LocalDtlsRole = nt.IsDtlsClient ? DtlsRole.Client : DtlsRole.Server,
                    IceControlling = nt.IceControlling,
                    RemoteCandidates = candidates,
                    RemoteEndOfCandidates = nt.RemoteEndOfCandidates,
                },
                now);
            _transportStarted = true;
        }
        else if (nt.IceRestart || _localIceRestartPending)
        {
            // A restart (theirs, or ours answered): the peer's new credentials and the candidates of its description.
            _localIceRestartPending = false;
            _transport.SetRemoteIceCredentials(new IceCredentials(nt.RemoteIceUfrag, nt.RemoteIcePwd), now);
            foreach (string c in nt.RemoteCandidates)
            {
                if (IceCandidate.TryParse(c.StartsWith("candidate:", StringComparison.Ordinal) ? c : "candidate:" + c, out IceCandidate? candidate) && candidate!.Component == 1)
                {
                    _transport.AddRemoteCandidate(candidate, now);
                }
            }
        }

        ConfigureSections(now);
        ConfigureDataChannels(now);
        PumpTransport(now);
    }

    /// <summary>Adds the gathered local candidates (and end-of-candidates once complete) to the first bundled section.</summary>
    private string WithCandidates(SessionDescription description)
    {
        AddReceiverRttAttributes(description);
        AddCcfbAttributes(description);
        IceAgent? ice = _transport.IceAgent;
        if (ice is null)
        {
            return description.ToString();
        }

        MediaDescription? first = null;
        foreach (MediaDescription m in description.MediaDescriptions)
        {
            if (m.IsRejected)
            {
                continue;
            }

            if (first is not null)
            {
                CopyTransportAttributes(first, m);
                continue;
            }

            first = m;
            m.RemoveAttributes(SdpAttributeNames.Candidate);
            m.RemoveAttributes(SdpAttributeNames.EndOfCandidates);
            foreach (IceCandidate c in ice.LocalCandidates)
            {
                m.AddAttribute(SdpAttributeNames.Candidate, c.ToString()["candidate:".Length..]);
            }

            if (ice.GatheringState == IceGatheringState.Complete)
            {
                m.AddAttribute(SdpAttributeNames.EndOfCandidates);
            }
        }

        return description.ToString();
    }

    /// <summary>
    /// Repeats the tagged section's ICE and DTLS attributes in another bundled section that has none. Browsers write them
    /// in every section; Firefox 153's content process crashed on an answer whose bundled video section had none.
    /// </summary>
    private static void CopyTransportAttributes(MediaDescription from, MediaDescription to)
    {
        foreach (string name in s_transportAttributes)
        {
            if (!to.HasAttribute(name) && from.GetAttribute(name) is string value)
            {
                to.AddAttribute(name, value);
            }
        }
    }

    private static readonly string[] s_transportAttributes =
        [SdpAttributeNames.IceUfrag, SdpAttributeNames.IcePwd, SdpAttributeNames.IceOptions, SdpAttributeNames.Fingerprint, SdpAttributeNames.Setup];

    private void HandleTransportReceive(TransportReceive r, TimeSpan now)
    {
        switch (r.Kind)
        {
            case TransportReceiveKind.Rtp:
                HandleRtp(_plaintext.AsSpan(0, r.Length), now);
                break;
            case TransportReceiveKind.Rtcp:
                HandleRtcp(_plaintext.AsSpan(0, r.Length), now);
                break;
            default:
                break;
        }

        PumpTransport(now);
        RunMediaTimers(now);
    }

    private void PumpTransport(TimeSpan now)
    {
        while (_transport.TryPollEvent(out TransportEvent? e))
        {
            switch (e)
            {
                case TransportCandidateEvent c:
                    _events.Enqueue(new SessionCandidateEvent(c.Candidate, _jsep.NegotiatedTransport?.TaggedMid ?? FirstMid()));
                    break;
                case TransportGatheringCompleteEvent:
                    _events.Enqueue(new SessionGatheringCompleteEvent());
                    break;
                case TransportDtlsConnectedEvent d:
                    _events.Enqueue(new SessionDtlsConnectedEvent(d));
                    OnMediaReady(now);
                    StartDataChannels(now);
                    break;
                case TransportApplicationDataEvent a:
                    HandleSctpPacket(a.Data.Span, now);
                    break;
                case TransportFailedEvent f:
                    _events.Enqueue(new SessionTransportFailedEvent(f));
                    break;
                default:
                    break;
            }
        }

        PumpDataChannels(now);
        SetState(MapState(_transport.State), now);
    }

    private string? FirstMid()
    {
        foreach (Transceiver t in _jsep.Transceivers)
        {
            if (t.Mid is not null)
            {
                return t.Mid;
            }
        }

        return null;
    }

    private PeerConnectionState MapState(TransportState s) => _closed ? PeerConnectionState.Closed : s switch
    {
        TransportState.New => PeerConnectionState.New,
        TransportState.Connecting => PeerConnectionState.Connecting,
        TransportState.Connected => PeerConnectionState.Connected,
        TransportState.Disconnected => PeerConnectionState.Disconnected,
        TransportState.Failed => PeerConnectionState.Failed,
        _ => PeerConnectionState.Closed,
    };

    private void SetState(PeerConnectionState s, TimeSpan now)
    {
        if (s == State)
        {
            return;
        }

        State = s;
        _events.Enqueue(new SessionStateChangedEvent(s, now));
    }
}
