using RtcStack.Stun;

namespace RtcStack.Ice;

/// <content>The checklist: pairs, pacing, checks, retransmissions, nomination, consent, state.</content>
public sealed partial class IceAgent
{
    /// <summary>
    /// Advances timers: paced checks (one new check per Ta, RFC 8445 §6.1.4.2), retransmissions
    /// (RFC 8445 §14.3), nomination, consent freshness (RFC 7675), keepalives (RFC 8445 §11),
    /// and the TURN clients' refreshes.
    /// </summary>
    public void HandleTimeout(TimeSpan now)
    {
        InvalidateTimeout();
        if (_closed)
        {
            foreach (Stun.Turn.TurnClient t in _turnClients)
            {
                t.HandleTimeout(now);
            }

            return;
        }

        _now = now;
        foreach (Stun.Turn.TurnClient t in _turnClients)
        {
            t.HandleTimeout(now);
        }

        PumpTurn(now);
        RetransmitDue(now);
        MaybeNominate(now);
        if (now >= _nextPaceAt && SendNextCheck(now))
        {
            _nextPaceAt = now + _options.Ta;
        }

        RunConsent(now);
        UpdateConnectionState(now);
    }

    /// <summary>
    /// Gets the next instant the agent wants <see cref="HandleTimeout"/>, or null when idle. The value is computed once
    /// per state change and cached: sending data (<see cref="TryPrepareSend"/>) and receiving it only move the keepalive
    /// and disconnection instants later, so the cached one may then be early, which costs one call to
    /// <see cref="HandleTimeout"/> that finds nothing to do; it is never late.
    /// </summary>
    public TimeSpan? PollTimeout()
    {
        if (!_timeoutValid)
        {
            _timeout = ComputeTimeout(out _timeoutReason);
            _timeoutValid = true;
        }

        return _timeout;
    }

    /// <summary>
    /// Gets which timer <see cref="PollTimeout"/> names (<see cref="IceTimerReason.None"/> when it returns null): a check
    /// or its retransmission, gathering, nomination, consent freshness (RFC 7675), a keepalive (RFC 8445 §11) or a TURN
    /// client's refresh. For a driver's logs and a session's timeout reasons; computed with the deadline, at no extra cost.
    /// </summary>
    public IceTimerReason PollTimeoutReason
    {
        get
        {
            PollTimeout();
            return _timeoutReason;
        }
    }

    // Every entry point that can make a deadline earlier calls this first.
    private void InvalidateTimeout() => _timeoutValid = false;

    /// <summary>The deadline from the current state, uncached (tests compare it with <see cref="PollTimeout"/>).</summary>
    internal TimeSpan? ComputeTimeout() => ComputeTimeout(out _);

    private TimeSpan? ComputeTimeout(out IceTimerReason reason)
    {
        TimeSpan t = TimeSpan.MaxValue;
        reason = IceTimerReason.None;
        if (!_closed)
        {
            foreach (IceTransaction tx in _transactions.Values)
            {
                t = Min(t, tx.NextAt, ref reason, tx.Purpose switch
                {
                    IceTransaction.Kind.Gather => IceTimerReason.Gathering,
                    IceTransaction.Kind.Consent => IceTimerReason.Consent,
                    _ => IceTimerReason.Check,
                });
            }

            if (HasCheckWork())
            {
                t = Min(t, _nextPaceAt, ref reason, IceTimerReason.Check);
            }

            if (Role == IceRole.Controlling && Mode == IceMode.Full && _options.Nomination == IceNominationMode.Regular)
            {
                foreach (KeyValuePair<int, TimeSpan> kv in _firstValidAt)
                {
                    if (!_selected.ContainsKey(kv.Key) && !NominationInFlight(kv.Key) && HasSucceededPair(kv.Key))
                    {
                        t = Min(t, kv.Value + _options.NominationTimeout, ref reason, IceTimerReason.Nomination);
                    }
                }
            }

            foreach (IceCandidatePair p in _selected.Values)
            {
                if (_consentLost.Contains(p.Component))
                {
                    continue;
                }

                if (Mode == IceMode.Full && _remoteKey is not null)
                {
                    t = Min(t, p.NextConsentAt, ref reason, IceTimerReason.Consent);
                }

                t = Min(t, p.LastResponseAt + _options.ConsentTimeout, ref reason, IceTimerReason.Consent);

                // Only a state change hangs on this instant: once passed, it needs no more wake-ups.
                if (p.LastResponseAt + _options.DisconnectedTimeout > _now)
                {
                    t = Min(t, p.LastResponseAt + _options.DisconnectedTimeout, ref reason, IceTimerReason.Consent);
                }

                t = Min(t, p.LastSentAt + _options.KeepaliveInterval, ref reason, IceTimerReason.Keepalive);
            }
        }

        foreach (IceCandidatePair p in _previousSelected.Values)
        {
            t = Min(t, p.LastResponseAt + _options.ConsentTimeout, ref reason, IceTimerReason.Consent);
        }

        foreach (Stun.Turn.TurnClient turn in _turnClients)
        {
            if (turn.PollTimeout() is TimeSpan tt)
            {
                t = Min(t, tt, ref reason, IceTimerReason.Turn);
            }
        }

        if (t == TimeSpan.MaxValue)
        {
            reason = IceTimerReason.None;
            return null;
        }

        return t;
    }

    private static TimeSpan Min(TimeSpan current, TimeSpan candidate, ref IceTimerReason reason, IceTimerReason candidateReason)
    {
        if (candidate < current)
        {
            reason = candidateReason;
            return candidate;
        }

        return current;
    }

    private bool HasSucceededPair(int component)
    {
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.Component == component && p.State == IceCandidatePairState.Succeeded)
            {
                return true;
            }
        }

        return false;
    }

    private bool CanSendChecks => Mode == IceMode.Full && _remoteKey is not null && !_closed;

    private bool HasCheckWork()
    {
        if (!CanSendChecks)
        {
            return false;
        }

        if (_triggered.Count > 0)
        {
            return true;
        }

        foreach (IceCandidatePair p in _pairs)
        {
            if ((p.State is IceCandidatePairState.Waiting or IceCandidatePairState.Frozen) && !_selected.ContainsKey(p.Component))
            {
                return true;
            }
        }

        return false;
    }

    private void StartChecks(TimeSpan now)
    {
        if (_checksStarted || Mode == IceMode.Lite)
        {
            return;
        }

        _checksStarted = true;
        _nextPaceAt = now;
        UpdateConnectionState(now);
    }

    private void ResetChecks()
    {
        // Keep the selected pairs routing data until a new nomination (RFC 8445 §9); stop their consent
        // checks, which would use the old credentials. Consent still expires if nothing replaces them.
        foreach (KeyValuePair<int, IceCandidatePair> kv in _selected)
        {
            kv.Value.NextConsentAt = TimeSpan.MaxValue;
            kv.Value.LastResponseAt = _now;
            _previousSelected[kv.Key] = kv.Value;
        }

        _selected.Clear();

        foreach (IceCandidatePair p in _pairs)
        {
            if ((p.State == IceCandidatePairState.Succeeded || p.RequestsReceived > 0) && !_previousSelected.ContainsValue(p))
            {
                _previousReceiving.Add(p);
            }
        }

        _remotes.Clear();
        _pairs.Clear();
        _pairsByRoute.Clear();
        _triggered.Clear();
        _firstValidAt.Clear();
        _remoteEndOfCandidates = false;
        _checksStarted = false;
        var stale = new List<StunTransactionId>();
        foreach (KeyValuePair<StunTransactionId, IceTransaction> kv in _transactions)
        {
            if (kv.Value.Purpose != IceTransaction.Kind.Gather)
            {
                stale.Add(kv.Key);
            }
        }

        foreach (StunTransactionId id in stale)
        {
            _transactions.Remove(id);
        }

        if (ConnectionState is IceConnectionState.Failed or IceConnectionState.Completed or IceConnectionState.Connected or IceConnectionState.Disconnected)
        {
            SetConnectionState(IceConnectionState.Checking);
        }
    }

    private IceCandidatePair? TryAddPair(LocalCandidate local, IceCandidate remote, TimeSpan now)
    {
        if (!local.Usable || local.Candidate.Type == IceCandidateType.ServerReflexive
            || local.Candidate.Component != remote.Component
            || local.Base.AddressFamily != remote.Address.AddressFamily
            || local.Base.IsLinkLocal != remote.Address.IsLinkLocal
            || _pairs.Count >= _options.MaxPairs)
        {
            return null;
        }

        (TransportAddress, TransportAddress) route = (local.Base, remote.Address);
        if (_pairsByRoute.TryGetValue(route, out IceCandidatePair? existing))
        {
            return existing;
        }

        var pair = new IceCandidatePair(local, remote);
        pair.Priority = ComputePairPriority(pair);

        // RFC 8445 §6.1.2.6 / RFC 8838 §11: the first pair of a foundation starts Waiting, the others Frozen.
        bool foundationActive = false;
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.Foundation == pair.Foundation && p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress or IceCandidatePairState.Frozen)
            {
                foundationActive = true;
                break;
            }
        }

        pair.State = foundationActive ? IceCandidatePairState.Frozen : IceCandidatePairState.Waiting;
        InsertByPriority(pair);
        _pairsByRoute[route] = pair;
        if (local.Turn is { } turn)
        {
            turn.CreatePermission(remote.Address, now);
        }

        return pair;
    }

    private void InsertByPriority(IceCandidatePair pair)
    {
        int i = 0;
        while (i < _pairs.Count && _pairs[i].Priority >= pair.Priority)
        {
            i++;
        }

        _pairs.Insert(i, pair);
    }

    private ulong ComputePairPriority(IceCandidatePair pair)
    {
        uint local = pair.Local.Priority;
        uint remote = pair.Remote.Priority;
        return Role == IceRole.Controlling ? IceCandidatePair.ComputePriority(local, remote) : IceCandidatePair.ComputePriority(remote, local);
    }

    private void SwitchRole(IceRole role)
    {
        if (Role == role)
        {
            return;
        }

        Role = role;
        _logger.LogRoleChanged(role);
        foreach (IceCandidatePair p in _pairs)
        {
            p.Priority = ComputePairPriority(p);
        }

        _pairs.Sort((a, b) => b.Priority.CompareTo(a.Priority));
        _events.Enqueue(new IceRoleChangedEvent(role));
    }

    // RFC 8445 §6.1.4.2: a triggered check if any, else the highest-priority Waiting pair, else unfreeze one.
    private bool SendNextCheck(TimeSpan now)
    {
        if (!CanSendChecks)
        {
            return false;
        }

        IceCandidatePair? pair = null;
        bool triggered = false;
        while (_triggered.First is { } node)
        {
            _triggered.RemoveFirst();
            if (node.Value.State != IceCandidatePairState.Failed || node.Value.NominateOnSuccess)
            {
                pair = node.Value;
                triggered = true;
                break;
            }
        }

        if (pair is null)
        {
            foreach (IceCandidatePair p in _pairs)
            {
                if (p.State == IceCandidatePairState.Waiting && !_selected.ContainsKey(p.Component))
                {
                    pair = p;
                    break;
                }
            }
        }

        if (pair is null)
        {
            foreach (IceCandidatePair p in _pairs)
            {
                if (p.State == IceCandidatePairState.Frozen && !_selected.ContainsKey(p.Component))
                {
                    pair = p;
                    break;
                }
            }
        }

        if (pair is null)
        {
            return false;
        }

        bool useCandidate = Role == IceRole.Controlling && (_options.Nomination == IceNominationMode.Aggressive || pair.UseCandidateInFlight);
        SendCheck(pair, IceTransaction.Kind.Check, useCandidate, now);
        _logger.LogCheckSent(now, pair, useCandidate, triggered);
        return true;
    }

    private void SendCheck(IceCandidatePair pair, IceTransaction.Kind purpose, bool useCandidate, TimeSpan now)
    {
        StunTransactionId id = StunTransactionId.NewRandom();
        Span<byte> buf = stackalloc byte[256];
        var w = new StunMessageWriter(buf, StunMessageType.BindingRequest, id);
        w.AddString(StunAttributeType.Username, _outgoingUsername);

        // RFC 8445 §7.1.1: PRIORITY is what the local candidate would have as peer-reflexive.
        w.AddUInt32(StunAttributeType.Priority, ((uint)IceCandidate.PeerReflexiveTypePreference << 24) | (pair.Local.Priority & 0x00FF_FFFF));
        if (Role == IceRole.Controlling)
        {
            w.AddUInt64(StunAttributeType.IceControlling, TieBreaker);
            if (useCandidate)
            {
                w.AddFlag(StunAttributeType.UseCandidate);
            }
        }
        else
        {
            w.AddUInt64(StunAttributeType.IceControlled, TieBreaker);
        }

        w.AddMessageIntegrity(_remoteKey!);
        w.AddFingerprint();

        // RFC 8445 §14.3: RTO = MAX(500 ms, Ta * (Num-Waiting + Num-In-Progress)).
        int active = 0;
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress)
            {
                active++;
            }
        }

        TimeSpan rto = purpose == IceTransaction.Kind.Check ? Max(_options.MinRto, _options.Ta * active) : _options.MinRto;
        var tx = new IceTransaction
        {
            Purpose = purpose,
            Id = id,
            From = pair.LocalEntry,
            To = pair.Remote.Address,
            Bytes = w.Written.ToArray(),
            Pair = pair,
            UseCandidate = useCandidate,
            Role = Role,
            Key = _remoteKey,
            // RFC 7675 §5.1: consent requests are retransmitted like any STUN request, but only
            // until the next consent check is due (0, 0.5, 1.5, 3.5 s with the defaults).
            MaxSent = purpose == IceTransaction.Kind.Check ? _options.MaxTransmissions : 4,
            Rto = rto,
            FinalWait = purpose == IceTransaction.Kind.Check ? rto * _options.FinalWaitMultiplier : rto * 2,
            StartedAt = now,
        };
        if (purpose == IceTransaction.Kind.Check && pair.State != IceCandidatePairState.Succeeded)
        {
            pair.State = IceCandidatePairState.InProgress;
        }

        pair.RequestsSent++;
        pair.LastSentAt = now;
        StartTransaction(tx, now);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void StartTransaction(IceTransaction tx, TimeSpan now)
    {
        tx.Sent = 1;
        tx.NextAt = now + (tx.MaxSent <= 1 ? tx.FinalWait : tx.Rto);
        _transactions[tx.Id] = tx;
        Enqueue(tx.From, tx.To, tx.Bytes);
    }

    // RFC 8489 §6.2.1: resend with doubling RTO until Rc transmissions, then wait Rm*RTO and give up.
    private void RetransmitDue(TimeSpan now)
    {
        List<IceTransaction>? expired = null;
        foreach (IceTransaction tx in _transactions.Values)
        {
            if (now < tx.NextAt)
            {
                continue;
            }

            if (tx.Sent >= tx.MaxSent || tx.Cancelled)
            {
                (expired ??= []).Add(tx);
                continue;
            }

            tx.Sent++;
            tx.Rto *= 2;
            tx.NextAt = now + (tx.Sent >= tx.MaxSent ? tx.FinalWait : tx.Rto);
            if (tx.Pair is not null)
            {
                tx.Pair.RequestsSent++;
                tx.Pair.LastSentAt = now;
            }

            Enqueue(tx.From, tx.To, tx.Bytes);
        }

        if (expired is null)
        {
            return;
        }

        foreach (IceTransaction tx in expired)
        {
            _transactions.Remove(tx.Id);
            switch (tx.Purpose)
            {
                case IceTransaction.Kind.Gather:
                    _pendingGathers--;
                    UpdateGatheringState();
                    break;
                case IceTransaction.Kind.Check when !tx.Cancelled && tx.Pair is { } pair && !HasOtherCheck(pair):
                    if (pair.State == IceCandidatePairState.InProgress)
                    {
                        pair.State = IceCandidatePairState.Failed;
                    }
                    else if (tx.UseCandidate && pair.State == IceCandidatePairState.Succeeded && ++pair.NominationAttempts >= 3)
                    {
                        // The pair worked once but three nominations went unanswered: give it up.
                        pair.State = IceCandidatePairState.Failed;
                    }

                    pair.UseCandidateInFlight = false;
                    break;
            }
        }
    }

    // RFC 8445 §7.3.1.4: stop retransmitting the pair's running check (a response is still
    // accepted for a while) because a fresh triggered check replaces it.
    private void CancelChecks(IceCandidatePair pair, TimeSpan now)
    {
        foreach (IceTransaction tx in _transactions.Values)
        {
            if (tx.Pair == pair && tx.Purpose == IceTransaction.Kind.Check && !tx.Cancelled)
            {
                tx.Cancelled = true;
                tx.NextAt = now + (_options.MinRto * 4);
            }
        }
    }

    private bool HasOtherCheck(IceCandidatePair pair)
    {
        foreach (IceTransaction tx in _transactions.Values)
        {
            if (tx.Pair == pair && tx.Purpose == IceTransaction.Kind.Check)
            {
                return true;
            }
        }

        return false;
    }

    private void EnqueueTriggered(IceCandidatePair pair, bool front)
    {
        foreach (IceCandidatePair p in _triggered)
        {
            if (p == pair)
            {
                return;
            }
        }

        if (front)
        {
            _triggered.AddFirst(pair);
        }
        else
        {
            _triggered.AddLast(pair);
        }
    }

    private bool NominationInFlight(int component)
    {
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.Component == component && p.UseCandidateInFlight)
            {
                return true;
            }
        }

        return false;
    }

    // RFC 8445 §8.1.1: with regular nomination the controlling agent picks the best valid pair once
    // no better pair can still succeed (or after NominationTimeout) and repeats its check with USE-CANDIDATE.
    private void MaybeNominate(TimeSpan now)
    {
        if (Mode != IceMode.Full || Role != IceRole.Controlling || _options.Nomination != IceNominationMode.Regular || !CanSendChecks)
        {
            return;
        }

        foreach (int component in _components)
        {
            if (_selected.TryGetValue(component, out IceCandidatePair? sel) && sel.Nominated || NominationInFlight(component))
            {
                continue;
            }

            IceCandidatePair? best = null;
            bool betterPending = false;
            foreach (IceCandidatePair p in _pairs)
            {
                if (p.Component != component)
                {
                    continue;
                }

                if (p.State == IceCandidatePairState.Succeeded)
                {
                    best = p;
                    break;
                }

                if (p.State is IceCandidatePairState.Waiting or IceCandidatePairState.InProgress or IceCandidatePairState.Frozen)
                {
                    betterPending = true;
                }
            }

            if (best is null)
            {
                continue;
            }

            if (betterPending && _firstValidAt.TryGetValue(component, out TimeSpan first) && now < first + _options.NominationTimeout)
            {
                continue;
            }

            best.UseCandidateInFlight = true;
            EnqueueTriggered(best, front: true);
        }
    }

    private void OnPairSucceeded(IceCandidatePair pair, bool nominated, TimeSpan now)
    {
        bool wasSucceeded = pair.State == IceCandidatePairState.Succeeded;
        pair.State = IceCandidatePairState.Succeeded;
        pair.LastResponseAt = now;
        if (!_firstValidAt.ContainsKey(pair.Component))
        {
            _firstValidAt[pair.Component] = now;
        }

        if (!wasSucceeded)
        {
            // RFC 8445 §7.2.5.3.3: unfreeze pairs of the same foundation.
            foreach (IceCandidatePair p in _pairs)
            {
                if (p.State == IceCandidatePairState.Frozen && p.Foundation == pair.Foundation)
                {
                    p.State = IceCandidatePairState.Waiting;
                }
            }
        }

        if (nominated || pair.NominateOnSuccess)
        {
            pair.Nominated = true;
            pair.NominateOnSuccess = false;
        }

        UpdateSelected(pair.Component, now);
    }

    private void UpdateSelected(int component, TimeSpan now)
    {
        IceCandidatePair? best = null;
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.Component == component && p.Nominated && p.State == IceCandidatePairState.Succeeded)
            {
                best = p;
                break;
            }
        }

        if (best is null || (_selected.TryGetValue(component, out IceCandidatePair? current) && current == best))
        {
            return;
        }

        _selected[component] = best;
        _previousSelected.Remove(component);
        _previousReceiving.RemoveAll(p => p.Component == component);
        _consentLost.Remove(component);
        best.LastResponseAt = now;
        if (best.LastSentAt == TimeSpan.MinValue)
        {
            best.LastSentAt = now;
        }

        best.NextConsentAt = now + (_options.ConsentInterval * NextJitter());
        if (best.LocalEntry.Turn is { } turn)
        {
            turn.BindChannel(best.Remote.Address, now);
        }

        _logger.LogSelected(component, best);
        _events.Enqueue(new IceSelectedPairChangedEvent(component, best));
    }

    // RFC 7675 §5.1 consent checks, RFC 8445 §11 keepalives, and the disconnected/failed timeouts.
    private void RunConsent(TimeSpan now)
    {
        // Pairs kept from before a restart carry data until a new pair is selected, for at most the consent timeout.
        List<int>? expired = null;
        foreach (KeyValuePair<int, IceCandidatePair> kv in _previousSelected)
        {
            if (now - kv.Value.LastResponseAt >= _options.ConsentTimeout)
            {
                (expired ??= []).Add(kv.Key);
            }
        }

        if (expired is not null)
        {
            foreach (int c in expired)
            {
                _previousSelected.Remove(c);
                _previousReceiving.RemoveAll(p => p.Component == c);
                _consentLost.Add(c);
                _logger.LogConsentLost(c);
                _events.Enqueue(new IceConsentLostEvent(c));
            }
        }

        Span<byte> indication = stackalloc byte[28];
        foreach (IceCandidatePair p in _selected.Values)
        {
            if (_consentLost.Contains(p.Component))
            {
                continue;
            }

            if (now - p.LastResponseAt >= _options.ConsentTimeout)
            {
                _consentLost.Add(p.Component);
                _logger.LogConsentLost(p.Component);
                _events.Enqueue(new IceConsentLostEvent(p.Component));
                continue;
            }

            if (Mode == IceMode.Full && now >= p.NextConsentAt && _remoteKey is not null)
            {
                p.NextConsentAt = now + (_options.ConsentInterval * NextJitter());
                SendCheck(p, IceTransaction.Kind.Consent, useCandidate: false, now);
            }

            if (now - p.LastSentAt >= _options.KeepaliveInterval)
            {
                // RFC 8445 §11: a Binding indication keeps NAT bindings open when nothing else was sent.
                var w = new StunMessageWriter(indication, StunMessageType.BindingIndication, StunTransactionId.NewRandom());
                w.AddFingerprint();
                p.LastSentAt = now;
                Enqueue(p.LocalEntry, p.Remote.Address, w.Written);
            }
        }
    }

    private void UpdateConnectionState(TimeSpan now)
    {
        if (_closed)
        {
            return;
        }

        if (_consentLost.Count > 0)
        {
            SetConnectionState(IceConnectionState.Failed);
            return;
        }

        bool allSelected = _components.Count > 0;
        foreach (int c in _components)
        {
            if (!_selected.ContainsKey(c))
            {
                allSelected = false;
                break;
            }
        }

        if (allSelected && _remoteCredentials is not null)
        {
            foreach (IceCandidatePair p in _selected.Values)
            {
                if (now - p.LastResponseAt >= _options.DisconnectedTimeout)
                {
                    SetConnectionState(IceConnectionState.Disconnected);
                    return;
                }
            }

            bool checking = HasCheckWork() || HasPendingChecks();
            bool complete = !checking && _remoteEndOfCandidates && GatheringState != IceGatheringState.Gathering;
            SetConnectionState(complete ? IceConnectionState.Completed : IceConnectionState.Connected);
            return;
        }

        if (!_checksStarted && Mode == IceMode.Full)
        {
            return;
        }

        if (Mode == IceMode.Lite)
        {
            if (_pairs.Count > 0)
            {
                SetConnectionState(IceConnectionState.Checking);
            }

            return;
        }

        bool anyAlive = false;
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.State != IceCandidatePairState.Failed)
            {
                anyAlive = true;
                break;
            }
        }

        bool failed = _pairs.Count > 0 && !anyAlive && _triggered.Count == 0 && !HasPendingChecks()
            && GatheringState != IceGatheringState.Gathering;
        SetConnectionState(failed ? IceConnectionState.Failed : IceConnectionState.Checking);
    }

    private bool HasPendingChecks()
    {
        foreach (IceTransaction tx in _transactions.Values)
        {
            if (tx.Purpose == IceTransaction.Kind.Check)
            {
                return true;
            }
        }

        return false;
    }
}
