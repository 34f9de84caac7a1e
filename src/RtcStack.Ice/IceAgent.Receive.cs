using System.Text;
using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <content>Incoming datagrams: STUN requests and responses, TURN, application data.</content>
public sealed partial class IceAgent
{
    /// <summary>
    /// Handles one datagram received on the socket bound to <paramref name="local"/> from
    /// <paramref name="remote"/>. STUN for the agent is consumed; TURN traffic is unwrapped;
    /// anything else arriving on a valid pair comes back as <see cref="IceDatagramKind.ApplicationData"/>
    /// with <paramref name="applicationData"/> pointing into <paramref name="datagram"/>. Never throws
    /// on malformed input; unauthenticated requests get an error response and change no state.
    /// </summary>
    public IceDatagramKind HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now, out ReadOnlySpan<byte> applicationData)
        => HandleDatagram(local, remote, datagram, now, out applicationData, out _);

    /// <summary>As the other overload, also telling which component the application data belongs to.</summary>
    public IceDatagramKind HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now, out ReadOnlySpan<byte> applicationData, out int component)
        => HandleDatagram(local, remote, datagram, now, TurnTransport.Udp, out applicationData, out component);

    /// <summary>
    /// As the other overloads, for a message that arrived over <paramref name="transport"/>: with
    /// <see cref="TurnTransport.Tcp"/> or <see cref="TurnTransport.Tls"/> it is one whole STUN or ChannelData message from
    /// the connection to TURN server <paramref name="remote"/> opened for host address <paramref name="local"/> (see
    /// <see cref="IceTransmit.Transport"/>); only that server's TURN client looks at it.
    /// </summary>
    public IceDatagramKind HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now, TurnTransport transport, out ReadOnlySpan<byte> applicationData, out int component)
    {
        applicationData = default;
        component = 0;
        if (_closed)
        {
            return IceDatagramKind.Ignored;
        }

        _now = now;
        local = local.UnmapIPv4();
        remote = remote.UnmapIPv4();
        IceDatagramKind result;
        TurnClient? turn = _turnClients.Count == 0 ? null : FindTurn(local, remote, transport);
        if (turn is null && transport != TurnTransport.Udp)
        {
            return IceDatagramKind.Ignored;
        }
        if (turn is null && PacketDemultiplexer.Classify(datagram) != PacketKind.Stun)
        {
            // Application data on a direct path (the media hot path): it changes no check, pair or consent state
            // (only STUN responses refresh consent, RFC 7675), so neither the deadline nor the connection state
            // can change; the disconnection instant is the timer's to find.
            return HandleDirect(local, remote, datagram, now, out applicationData, out component);
        }

        InvalidateTimeout();
        if (turn is not null)
        {
            TurnDataResult r = turn.HandleDatagram(datagram, now, out TransportAddress peer, out ReadOnlySpan<byte> inner);
            PumpTurn(now);
            if (r == TurnDataResult.PeerData)
            {
                result = HandleDirect(turn.RelayedAddress, peer, inner, now, out applicationData, out component);
                UpdateConnectionState(now);
                return result;
            }

            if (r == TurnDataResult.Consumed)
            {
                UpdateConnectionState(now);
                return IceDatagramKind.Stun;
            }

            if (transport != TurnTransport.Udp)
            {
                return IceDatagramKind.Ignored; // nothing else travels on a TURN server's connection
            }
        }

        result = HandleDirect(local, remote, datagram, now, out applicationData, out component);
        if (result == IceDatagramKind.Stun)
        {
            MaybeNominate(now);
        }

        UpdateConnectionState(now);
        return result;
    }

    /// <summary>
    /// Says which component application data belongs to without looking at its bytes: for a datagram the caller has
    /// already told apart from STUN and TURN ChannelData by its first byte (RFC 7983 §7: DTLS, RTP or RTCP) and that
    /// arrived directly, not through a TURN server, on <paramref name="local"/> from <paramref name="remote"/>. True with
    /// the component of the selected (or, during a restart, previously selected) or valid pair of that route, the one
    /// <see cref="HandleDatagram(TransportAddress, TransportAddress, ReadOnlySpan{byte}, TimeSpan, out ReadOnlySpan{byte}, out int)"/>
    /// would report with <see cref="IceDatagramKind.ApplicationData"/>; false when the route has no such pair (data is
    /// accepted only where ICE validated the path, RFC 8445 §12.1) or the agent is closed. Changes no state and
    /// allocates nothing, so a caller that classifies a datagram once need not have it classified again here.
    /// </summary>
    public bool TryGetApplicationDataComponent(TransportAddress local, TransportAddress remote, out int component)
    {
        component = 0;
        if (_closed)
        {
            return false;
        }

        IceCandidatePair? pair = FindDataPair(local.UnmapIPv4(), remote.UnmapIPv4());
        if (pair is null)
        {
            return false;
        }

        component = pair.Component;
        return true;
    }

    /// <summary>
    /// Gets a value indicating whether <paramref name="remote"/> is the address of a remote candidate (signalled,
    /// trickled or peer-reflexive) or the remote end of the selected or previously selected pair, or of a pair of the
    /// generation before a restart the peer had checked (which keep carrying data through an ICE restart, RFC 8445 §9), so a shared socket can route to this agent. Allocates nothing.
    /// </summary>
    public bool IsKnownRemoteAddress(TransportAddress remote)
    {
        remote = remote.UnmapIPv4();
        foreach (IceCandidate r in _remotes)
        {
            if (r.Address == remote)
            {
                return true;
            }
        }

        foreach (IceCandidatePair p in _selected.Values)
        {
            if (p.Remote.Address == remote)
            {
                return true;
            }
        }

        foreach (IceCandidatePair p in _previousSelected.Values)
        {
            if (p.Remote.Address == remote)
            {
                return true;
            }
        }

        foreach (IceCandidatePair p in _previousReceiving)
        {
            if (p.Remote.Address == remote)
            {
                return true;
            }
        }

        return false;
    }

    private TurnClient? FindTurn(TransportAddress local, TransportAddress remote, TurnTransport transport)
    {
        foreach (TurnClient t in _turnClients)
        {
            if (t.Server == remote && t.LocalBase == local && t.Transport == transport)
            {
                return t;
            }
        }

        return null;
    }

    private IceDatagramKind HandleDirect(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now, out ReadOnlySpan<byte> applicationData, out int component)
    {
        applicationData = default;
        component = 0;
        if (PacketDemultiplexer.Classify(datagram) != PacketKind.Stun)
        {
            IceCandidatePair? pair = FindDataPair(local, remote);
            if (pair is null)
            {
                return IceDatagramKind.Ignored;
            }

            applicationData = datagram;
            component = pair.Component;
            return IceDatagramKind.ApplicationData;
        }

        if (StunMessageReader.TryParse(datagram, out StunMessageReader msg) != StunParseStatus.Ok)
        {
            return IceDatagramKind.Ignored;
        }

        // RFC 8445 §7.3 / §7.2.5: ICE messages carry FINGERPRINT; a bad one means not ours.
        if (msg.HasFingerprint && !msg.VerifyFingerprint())
        {
            return IceDatagramKind.Ignored;
        }

        switch (msg.Class)
        {
            case StunClass.Request when msg.Method == StunMethod.Binding:
                HandleRequest(local, remote, msg, now);
                return IceDatagramKind.Stun;
            case StunClass.SuccessResponse:
            case StunClass.ErrorResponse:
                return HandleResponse(local, remote, msg, now) ? IceDatagramKind.Stun : IceDatagramKind.Ignored;
            case StunClass.Indication when msg.Method == StunMethod.Binding:
                return IceDatagramKind.Stun; // RFC 8445 §11 keepalive: nothing to do.
            default:
                return IceDatagramKind.Ignored;
        }
    }

    private IceCandidatePair? FindDataPair(TransportAddress local, TransportAddress remote)
    {
        foreach (IceCandidatePair s in _selected.Values)
        {
            if (s.LocalEntry.Base == local && s.Remote.Address == remote)
            {
                return s;
            }
        }

        foreach (IceCandidatePair s in _previousSelected.Values)
        {
            if (s.LocalEntry.Base == local && s.Remote.Address == remote)
            {
                return s;
            }
        }

        foreach (IceCandidatePair s in _previousReceiving)
        {
            if (s.LocalEntry.Base == local && s.Remote.Address == remote)
            {
                return s;
            }
        }

        if (_pairsByRoute.TryGetValue((local, remote), out IceCandidatePair? p)
            && (p.State == IceCandidatePairState.Succeeded || p.RequestsReceived > 0))
        {
            return p;
        }

        return null;
    }

    private LocalCandidate? FindLocal(TransportAddress baseAddress)
    {
        foreach (LocalCandidate l in _locals)
        {
            if (l.Base == baseAddress && l.Candidate.Type is IceCandidateType.Host or IceCandidateType.Relayed)
            {
                return l;
            }
        }

        return null;
    }

    private void HandleRequest(TransportAddress local, TransportAddress remote, StunMessageReader msg, TimeSpan now)
    {
        LocalCandidate? localCandidate = FindLocal(local);
        if (localCandidate is null || !localCandidate.Usable || !msg.HasFingerprint)
        {
            return;
        }

        // RFC 8489 §9.1.3 / RFC 8445 §7.3: USERNAME must be "our-ufrag:their-ufrag" and MESSAGE-INTEGRITY must verify with our password.
        if (!msg.TryGetAttribute(StunAttributeType.Username, out ReadOnlySpan<byte> username)
            || !(msg.HasMessageIntegrity || msg.HasMessageIntegritySha256))
        {
            SendError(localCandidate, remote, msg, StunErrorCode.BadRequest, authenticated: false);
            return;
        }

        if (!UsernameMatches(username) || !msg.VerifyIntegrity(_localKey))
        {
            SendError(localCandidate, remote, msg, StunErrorCode.Unauthenticated, authenticated: false);
            return;
        }

        Span<ushort> unknown = stackalloc ushort[8];
        int unknownCount = msg.GetUnknownComprehensionRequired(unknown);
        if (unknownCount > 0)
        {
            SendError(localCandidate, remote, msg, StunErrorCode.UnknownAttribute, authenticated: true, unknown[..Math.Min(unknownCount, unknown.Length)]);
            return;
        }

        if (!msg.TryGetUInt32(StunAttributeType.Priority, out uint priority))
        {
            SendError(localCandidate, remote, msg, StunErrorCode.BadRequest, authenticated: true);
            return;
        }

        // RFC 8445 §7.3.1.1: role conflict.
        bool theyControl = msg.TryGetUInt64(StunAttributeType.IceControlling, out ulong theirTieBreaker);
        bool theyAreControlled = !theyControl && msg.TryGetUInt64(StunAttributeType.IceControlled, out theirTieBreaker);
        if (theyControl && Role == IceRole.Controlling)
        {
            // Against a lite peer we keep the controlling role whatever its tie-breaker (§6.1.1).
            if (TieBreaker >= theirTieBreaker || (Mode == IceMode.Full && RemoteMode == IceMode.Lite))
            {
                SendError(localCandidate, remote, msg, StunErrorCode.RoleConflict, authenticated: true);
                return;
            }

            SwitchRole(IceRole.Controlled);
        }
        else if (theyAreControlled && Role == IceRole.Controlled)
        {
            if (TieBreaker >= theirTieBreaker)
            {
                SwitchRole(IceRole.Controlling);
            }
            else
            {
                SendError(localCandidate, remote, msg, StunErrorCode.RoleConflict, authenticated: true);
                return;
            }
        }

        SendSuccess(localCandidate, remote, msg);

        // RFC 8445 §7.3.1.3: an unknown source is a peer-reflexive remote candidate.
        int component = localCandidate.Candidate.Component;
        IceCandidate? remoteCandidate = null;
        foreach (IceCandidate r in _remotes)
        {
            if (r.Address == remote && r.Component == component)
            {
                remoteCandidate = r;
                break;
            }
        }

        if (remoteCandidate is null)
        {
            remoteCandidate = new IceCandidate(
                "prflx" + (++_prflxCounter).ToString(System.Globalization.CultureInfo.InvariantCulture),
                component,
                IceTransportProtocol.Udp,
                priority,
                remote,
                IceCandidateType.PeerReflexive);
            _remotes.Add(remoteCandidate);
        }

        IceCandidatePair? pair = TryAddPair(localCandidate, remoteCandidate, now);
        if (pair is null)
        {
            return;
        }

        pair.RequestsReceived++;
        pair.LastSentAt = now; // our response counts as traffic on the pair (RFC 8445 §11)
        bool useCandidate = msg.HasAttribute(StunAttributeType.UseCandidate) && Role == IceRole.Controlled;
        _logger.LogCheckReceived(now, remote, useCandidate, pair.State);
        if (Mode == IceMode.Lite)
        {
            // RFC 8445 §7.3.1.4 (lite): no checks of our own; the pair is valid, nominated by USE-CANDIDATE.
            OnPairSucceeded(pair, useCandidate, now);
            return;
        }

        // RFC 8445 §7.3.1.4: triggered checks.
        switch (pair.State)
        {
            case IceCandidatePairState.Succeeded:
                if (useCandidate)
                {
                    OnPairSucceeded(pair, nominated: true, now);
                }
                else if (pair.UseCandidateInFlight && Role == IceRole.Controlling)
                {
                    // Our nominating check is still unanswered while the peer's checks get through:
                    // treat it like an in-progress check and send a fresh one.
                    CancelChecks(pair, now);
                    EnqueueTriggered(pair, front: true);
                }

                break;
            case IceCandidatePairState.InProgress:
                if (useCandidate)
                {
                    pair.NominateOnSuccess = true;
                }

                CancelChecks(pair, now);
                EnqueueTriggered(pair, front: false);
                break;
            default:
                pair.State = IceCandidatePairState.Waiting;
                if (useCandidate)
                {
                    pair.NominateOnSuccess = true;
                }

                EnqueueTriggered(pair, front: false);
                break;
        }

        if (_remoteCredentials is not null)
        {
            StartChecks(now);
        }
    }

    private bool UsernameMatches(ReadOnlySpan<byte> username)
    {
        string ufrag = _localCredentials.Ufrag;
        Span<byte> expected = stackalloc byte[Encoding.UTF8.GetMaxByteCount(ufrag.Length) + 1];
        int n = Encoding.UTF8.GetBytes(ufrag, expected);
        expected[n++] = (byte)':';
        return username.Length > n && username.StartsWith(expected[..n]);
    }

    private void SendSuccess(LocalCandidate from, TransportAddress to, StunMessageReader request)
    {
        Span<byte> buf = stackalloc byte[128];
        var w = new StunMessageWriter(buf, StunMessageType.BindingSuccess, request.TransactionId);
        w.AddXorAddress(StunAttributeType.XorMappedAddress, to);
        w.AddMessageIntegrity(_localKey);
        w.AddFingerprint();
        Enqueue(from, to, w.Written);
    }

    private void SendError(LocalCandidate from, TransportAddress to, StunMessageReader request, int code, bool authenticated, ReadOnlySpan<ushort> unknown = default)
    {
        Span<byte> buf = stackalloc byte[160];
        var w = new StunMessageWriter(buf, StunMessageType.BindingError, request.TransactionId);
        w.AddErrorCode(code);
        if (!unknown.IsEmpty)
        {
            w.AddUnknownAttributes(unknown);
        }

        if (authenticated)
        {
            w.AddMessageIntegrity(_localKey);
        }

        w.AddFingerprint();
        Enqueue(from, to, w.Written);
    }

    private bool HandleResponse(TransportAddress local, TransportAddress remote, StunMessageReader msg, TimeSpan now)
    {
        if (!_transactions.TryGetValue(msg.TransactionId, out IceTransaction? tx) || msg.Method != StunMethod.Binding)
        {
            return false;
        }

        if (tx.Purpose == IceTransaction.Kind.Gather)
        {
            _transactions.Remove(tx.Id);
            _pendingGathers--;
            if (msg.Class == StunClass.SuccessResponse
                && (msg.TryGetXorAddress(StunAttributeType.XorMappedAddress, out TransportAddress mapped)
                    || msg.TryGetAddress(StunAttributeType.MappedAddress, out mapped)))
            {
                OnServerReflexive(tx, mapped, now);
            }

            UpdateGatheringState();
            return true;
        }

        // RFC 8445 §7.2.5.1: responses are authenticated with the remote password.
        if (tx.Key is null || !msg.VerifyIntegrity(tx.Key))
        {
            return false;
        }

        _transactions.Remove(tx.Id);
        IceCandidatePair pair = tx.Pair!;

        // RFC 8445 §7.2.5.2.1: the response must come back on the same addresses (symmetric).
        if (remote != tx.To || local != tx.From.Base)
        {
            if (tx.Purpose == IceTransaction.Kind.Check)
            {
                pair.State = IceCandidatePairState.Failed;
            }

            return true;
        }

        if (msg.Class == StunClass.ErrorResponse)
        {
            msg.TryGetErrorCode(out int code, out _);
            if (code == StunErrorCode.RoleConflict && !(Mode == IceMode.Full && RemoteMode == IceMode.Lite))
            {
                // RFC 8445 §7.2.5.1: switch to the other role than the one the request claimed, and retry. (Against a
                // lite peer the role is not negotiable, §6.1.1: the full agent MUST control, so a 487 fails the pair.)
                SwitchRole(tx.Role == IceRole.Controlling ? IceRole.Controlled : IceRole.Controlling);
                if (pair.State != IceCandidatePairState.Succeeded)
                {
                    pair.State = IceCandidatePairState.Waiting;
                }

                pair.UseCandidateInFlight = false;
                EnqueueTriggered(pair, front: true);
            }
            else if (tx.Purpose == IceTransaction.Kind.Check)
            {
                pair.State = IceCandidatePairState.Failed;
                pair.UseCandidateInFlight = false;
            }

            return true;
        }

        pair.ResponsesReceived++;
        if (tx.Sent == 1)
        {
            pair.RoundTripTime = now - tx.StartedAt;
        }

        pair.LastResponseAt = now;
        if (tx.Purpose == IceTransaction.Kind.Consent)
        {
            return true;
        }

        bool nominated = tx.UseCandidate && tx.Role == IceRole.Controlling && Role == IceRole.Controlling;
        if (tx.UseCandidate)
        {
            pair.UseCandidateInFlight = false;
        }

        _logger.LogCheckSucceeded(now, pair);
        OnPairSucceeded(pair, nominated, now);
        return true;
    }
}
