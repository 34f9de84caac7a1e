using Microsoft.Extensions.Logging;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Srtp;

namespace RtcStack.WebRtc.Transport;

/// <content>ICE events, the DTLS handshake (RFC 6347, RFC 5764) and keying SRTP from it (RFC 5764 §4.2).</content>
public sealed partial class WebRtcTransport
{
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
                    _events.Enqueue(new TransportCandidateEvent(g.Candidate));
                    break;
                case IceGatheringStateChangedEvent { State: IceGatheringState.Complete }:
                    _events.Enqueue(new TransportGatheringCompleteEvent());
                    break;
                case IceConnectionStateChangedEvent s:
                    _events.Enqueue(new TransportIceStateEvent(s.State));
                    if (s.State == IceConnectionState.Failed)
                    {
                        _events.Enqueue(new TransportFailedEvent(TransportFailure.IceFailed, null, "ICE failed: no candidate pair works (RFC 8445 §8.1.2) or consent was lost (RFC 7675 §5.1)"));
                    }

                    break;
                case IceSelectedPairChangedEvent p when p.Component == 1:
                    // A pair selected after a restart ends it: requests for the old ufrag are no longer ours.
                    _previousUfrag = null;
                    _events.Enqueue(new TransportSelectedPairEvent(p.Pair));
                    OnSelectedPair(now);
                    break;
                default:
                    break;
            }
        }
    }

    private void OnSelectedPair(TimeSpan now)
    {
        if (_dtls is not null && _dtls.State == DtlsState.New && _dtlsRole == DtlsRole.Client)
        {
            StartHandshake(now);
        }

        while (_heldDtlsTransmits.TryPeek(out byte[]? held))
        {
            if (!TrySendViaIce(held, now))
            {
                break;
            }

            _heldDtlsTransmits.Dequeue();
        }
    }

    private void CreateDtls(TransportParameters remote, TimeSpan now)
    {
        var dtlsOptions = new DtlsOptions
        {
            Certificate = _certificate,
            RequireCookie = _options.DtlsRequireCookie,
            Mtu = _options.DtlsMtu,
            InitialRetransmitTimeout = _options.DtlsInitialRetransmitTimeout,
            HandshakeTimeout = _options.DtlsHandshakeTimeout,
            MaxVersion = _options.DtlsMaxVersion,
            MinVersion = _options.DtlsMinVersion,
            Logger = _options.Logger,
        };
        dtlsOptions.Dtls13Groups.Clear();
        foreach (DtlsNamedGroup g in _options.Dtls13Groups)
        {
            dtlsOptions.Dtls13Groups.Add(g);
        }

        dtlsOptions.SrtpProfiles.Clear();
        foreach (SrtpProfile p in _options.SrtpProfiles)
        {
            dtlsOptions.SrtpProfiles.Add(p);
        }

        foreach (DtlsFingerprint fp in remote.RemoteFingerprints)
        {
            dtlsOptions.RemoteFingerprints.Add(fp);
        }

        _dtlsRole = remote.LocalDtlsRole;
        _dtls = new DtlsEndpoint(remote.LocalDtlsRole, dtlsOptions);

        // The server waits for a ClientHello from the start; the client speaks once ICE has a pair to send on.
        if (_dtlsRole == DtlsRole.Server || _ice!.GetSelectedPair() is not null)
        {
            StartHandshake(now);
        }
    }

    private void StartHandshake(TimeSpan now)
    {
        _dtls!.Start(now);

        // The peer's ClientHello can arrive before we know our role (its answer is still on its way) or before our ICE
        // selected a pair: it was held, and is replayed now.
        foreach (byte[] early in _earlyDtls)
        {
            _dtls.HandleDatagram(early, now);
        }

        _earlyDtls.Clear();
        PumpDtls(now);
    }

    private TransportReceive HandleDtls(ReadOnlySpan<byte> data, TimeSpan now)
    {
        Counters.DtlsReceived();
        if (_dtls is null || _dtls.State == DtlsState.New)
        {
            if (_earlyDtls.Count >= MaxHeldDtlsDatagrams)
            {
                return Drop(TransportDropReason.HoldQueueFull);
            }

            _earlyDtls.Add(data.ToArray());
            return TransportReceive.Consumed();
        }

        _dtls.HandleDatagram(data, now);
        PumpDtls(now);
        UpdateState(now);
        return TransportReceive.Consumed();
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
                    OnDtlsConnected(c);
                    break;
                case DtlsFailedEvent f:
                    _dtlsFailed = true;
                    _logger.LogWarning("DTLS failed: {Error} {Message}", f.Error, f.Message);
                    _events.Enqueue(new TransportFailedEvent(
                        f.Error == DtlsError.NoCommonSrtpProfile ? TransportFailure.NoCommonSrtpProfile : TransportFailure.DtlsFailed, f.Error, f.Message));
                    break;
                case DtlsApplicationDataEvent a when !_closed && !_dtlsFailed:
                    _events.Enqueue(new TransportApplicationDataEvent(a.Data));
                    break;
                case DtlsClosedEvent { ByPeer: true }:
                    // RFC 5246 §7.2.1: the peer closed the association. Nothing more is sent or received; ICE stops
                    // (releasing TURN allocations) so no timer keeps running for a dead transport.
                    _closedByPeer = true;
                    _closed = true;
                    _ice?.Close(now);
                    _events.Enqueue(new TransportClosedByPeerEvent());
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
            if (_heldDtlsTransmits.Count > 0 || !TrySendViaIce(d.Span, now))
            {
                // No pair yet (a server's flight before ICE selected one): keep it, in order, for OnSelectedPair.
                if (_heldDtlsTransmits.Count >= MaxHeldDtlsDatagrams)
                {
                    _heldDtlsTransmits.Dequeue();
                }

                _heldDtlsTransmits.Enqueue(d.ToArray());
            }
        }
    }

    private void OnDtlsConnected(DtlsConnectedEvent c)
    {
        if (c.SrtpKeys is not DtlsSrtpKeyingMaterial keys)
        {
            _dtlsFailed = true;
            _events.Enqueue(new TransportFailedEvent(TransportFailure.NoCommonSrtpProfile, DtlsError.NoCommonSrtpProfile,
                "DTLS connected without an SRTP profile both sides support (RFC 5764 §4.1.2)"));
            return;
        }

        _srtp = new SrtpSession(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt, keys.RemoteMasterKey, keys.RemoteMasterSalt, _srtpOptions);
        _srtpProfile = keys.Profile;
        _cipherSuite = c.CipherSuite;
        _dtlsVersion = c.Version;
        _dtlsGroup = c.Group;
        _events.Enqueue(new TransportDtlsConnectedEvent(_dtlsRole!.Value, c.CipherSuite, keys.Profile) { Version = c.Version, Group = c.Group });
    }
}
