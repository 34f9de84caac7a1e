using System.Diagnostics.CodeAnalysis;
using RtcStack.Dtls;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;

namespace RtcStack.WebRtc;

/// <content>Offer/answer (RFC 8829), trickle ICE (RFC 8838) and ICE restarts (RFC 8445 §9).</content>
public sealed partial class PeerSession
{
    private const string RtcpXrAttribute = "rtcp-xr";
    private const string ReceiverRttValue = "rcvr-rtt=all";

    /// <summary>
    /// Creates our offer (RFC 8829 §5.2.1): one audio section, Opus, BUNDLE, rtcp-mux, our ICE
    /// credentials and host candidates gathered so far, the certificate fingerprint and a=setup from
    /// <see cref="PeerSessionOptions.OfferSetup"/>. We take the ICE controlling role (RFC 8445 §6.1.1).
    /// </summary>
    public string CreateOffer(TimeSpan now)
    {
        ThrowIfUnusable();
        if (_ice is not null)
        {
            throw new InvalidOperationException("the session already has an offer or answer; renegotiation is not supported");
        }

        _now = now;
        CreateIce(IceRole.Controlling, now);
        SessionDescription offer = AudioJsep.CreateOffer(BuildEndpointOptions());
        MediaDescription media = offer.MediaDescriptions[0];
        if (_options.OfferSetup != SetupRole.ActPass)
        {
            media.Setup = _options.OfferSetup;
        }

        if (_options.RtcpXrReceiverRtt)
        {
            media.AddAttribute(RtcpXrAttribute, ReceiverRttValue);
        }

        _localDescription = offer;
        _pendingOffer = offer;
        StartedAt = now;
        UpdateState(now);
        return offer.ToString();
    }

    /// <summary>
    /// Applies the peer's answer to our offer (RFC 8829 §5.10): ICE credentials and candidates, DTLS
    /// fingerprint and role (RFC 8842 §5.3), extension ids, feedback. Starts DTLS (as server at once,
    /// as client once ICE selects a pair).
    /// </summary>
    public bool TryApplyAnswer(string answerSdp, TimeSpan now, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(answerSdp);
        ThrowIfUnusable();
        _now = now;
        if (_pendingOffer is null)
        {
            error = "there is no offer of ours to answer";
            return false;
        }

        if (!SessionDescription.TryParse(answerSdp, out SessionDescription? answer, out SdpParseError parseError))
        {
            error = "the answer is not valid SDP: " + parseError;
            return false;
        }

        if (!AudioJsep.TryApplyAnswer(_pendingOffer, answer, out NegotiatedAudio? negotiated, out JsepError? jsepError))
        {
            error = jsepError.ToString();
            return false;
        }

        if (!TryReadRemoteFingerprints(negotiated.Remote.Fingerprints, out _remoteFingerprints, out error))
        {
            return false;
        }

        _pendingOffer = null;
        _remoteXrRtt = _options.RtcpXrReceiverRtt && HasReceiverRtt(answer.MediaDescriptions[negotiated.MediaIndex]);
        Negotiate(negotiated, now);
        error = null;
        return true;
    }

    /// <summary>
    /// Answers the peer's offer (RFC 8829 §5.3.1) and returns the answer SDP; we take the ICE controlled
    /// role, unless the offer carries a=ice-lite and we are full (RFC 8445 §6.1.1: then we control). The answer
    /// carries the candidates gathered so far; <see cref="GetLocalDescription"/> gives it again later with every candidate.
    /// </summary>
    public bool TryAcceptOffer(string offerSdp, TimeSpan now, [NotNullWhen(true)] out string? answerSdp, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(offerSdp);
        ThrowIfUnusable();
        answerSdp = null;
        _now = now;
        if (_ice is not null)
        {
            error = "the session already has an offer or answer; renegotiation is not supported";
            return false;
        }

        if (!SessionDescription.TryParse(offerSdp, out SessionDescription? offer, out SdpParseError parseError))
        {
            error = "the offer is not valid SDP: " + parseError;
            return false;
        }

        // Parse and check before touching ICE, so a refused offer leaves the session unused.
        if (!AudioJsep.TryCreateAnswer(offer, BuildEndpointOptions(), out AudioAnswer? probe, out JsepError? jsepError))
        {
            error = jsepError.ToString();
            return false;
        }

        if (!TryReadRemoteFingerprints(probe.Negotiated.Remote.Fingerprints, out _remoteFingerprints, out error))
        {
            return false;
        }

        CreateIce(IceRole.Controlled, now);
        AudioJsep.TryCreateAnswer(offer, BuildEndpointOptions(), out AudioAnswer? answer, out _);
        answer ??= probe;
        MediaDescription media = answer.Description.MediaDescriptions[answer.Negotiated.MediaIndex];
        _remoteXrRtt = _options.RtcpXrReceiverRtt && HasReceiverRtt(offer.MediaDescriptions[answer.Negotiated.MediaIndex]);
        if (_remoteXrRtt)
        {
            media.AddAttribute(RtcpXrAttribute, ReceiverRttValue);
        }

        _localDescription = answer.Description;
        StartedAt = now;
        Negotiate(answer.Negotiated, now);
        answerSdp = answer.Description.ToString();
        error = null;
        return true;
    }

    /// <summary>
    /// Gets the <c>a=ice-options</c> tags of our offer or answer (e.g. "trickle"), space-separated, or null when it
    /// has none or none was created yet: RFC 9725 §4.3.3 wants them repeated in an ICE restart's PATCH response.
    /// </summary>
    public string? LocalIceOptions
    {
        get
        {
            if (_localDescription is null || _localDescription.MediaDescriptions.Count == 0)
            {
                return null;
            }

            MediaDescription media = _localDescription.MediaDescriptions[Math.Min(_negotiated?.MediaIndex ?? 0, _localDescription.MediaDescriptions.Count - 1)];
            IReadOnlyList<string> tags = _localDescription.GetEffectiveIceOptions(media);
            return tags.Count == 0 ? null : string.Join(' ', tags);
        }
    }

    /// <summary>
    /// Gets our current description (offer or answer) with every local candidate gathered so far and
    /// a=end-of-candidates once gathering finished (RFC 8829 §5.2.1, §4.1.9 "currentLocalDescription").
    /// </summary>
    public string GetLocalDescription()
    {
        if (_localDescription is null || _ice is null)
        {
            throw new InvalidOperationException("no offer or answer has been created");
        }

        SessionDescription sdp = SessionDescription.Parse(_localDescription.ToString());
        int index = _negotiated?.MediaIndex ?? 0;
        MediaDescription media = sdp.MediaDescriptions[index];
        media.IceUfrag = _ice.LocalCredentials.Ufrag;
        media.IcePwd = _ice.LocalCredentials.Password;
        media.RemoveAttributes(SdpAttributeNames.Candidate);
        media.RemoveAttributes(SdpAttributeNames.EndOfCandidates);
        foreach (string c in LocalCandidateValues())
        {
            media.AddAttribute(SdpAttributeNames.Candidate, c);
        }

        if (_ice.GatheringState == IceGatheringState.Complete)
        {
            media.AddAttribute(SdpAttributeNames.EndOfCandidates);
        }

        return sdp.ToString();
    }

    /// <summary>Gets our local candidates as <c>a=candidate</c> values (without the <c>candidate:</c> prefix).</summary>
    public IReadOnlyList<string> LocalCandidateValues()
    {
        var list = new List<string>();
        if (_ice is null)
        {
            return list;
        }

        foreach (IceCandidate c in _ice.LocalCandidates)
        {
            list.Add(c.ToString()["candidate:".Length..]);
        }

        return list;
    }

    /// <summary>Gets a value indicating whether local gathering finished.</summary>
    public bool IsGatheringComplete => _ice?.GatheringState == IceGatheringState.Complete;

    /// <summary>
    /// Adds a remote candidate (RFC 8838 §11), as a <c>candidate:...</c> attribute with or without <c>a=</c>.
    /// Component-2 candidates are ignored: rtcp-mux is required (RFC 8829 §4.1.1). False when ignored or malformed.
    /// </summary>
    public bool AddRemoteCandidate(string candidate, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        _now = now;
        if (_ice is null || _closed)
        {
            return false;
        }

        string text = candidate.Trim();
        if (text.StartsWith("a=", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (!text.StartsWith("candidate:", StringComparison.OrdinalIgnoreCase))
        {
            text = "candidate:" + text;
        }

        if (!IceCandidate.TryParse(text, out IceCandidate? c) || c!.Component != 1)
        {
            return false;
        }

        bool added = _ice.AddRemoteCandidate(c, now);
        PumpIce(now);
        UpdateState(now);
        return added;
    }

    /// <summary>The peer sent a=end-of-candidates (RFC 8838 §14).</summary>
    public void AddRemoteEndOfCandidates(TimeSpan now)
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
    /// Restarts ICE locally (RFC 8445 §9, RFC 8839 §4.4.1.1.1): new local credentials, returned for the
    /// signalling (a new offer, or a WHIP PATCH answer). DTLS and SRTP carry on over the old pair until a
    /// new one is selected. Local candidates are reported again as <see cref="LocalCandidateEvent"/>s.
    /// </summary>
    public IceCredentials RestartIce(TimeSpan now)
    {
        ThrowIfUnusable();
        _now = now;
        if (_ice is null)
        {
            throw new InvalidOperationException("ICE has not started");
        }

        IceCredentials c = _ice.Restart(now);
        PumpIce(now);
        return c;
    }

    /// <summary>
    /// Sets the peer's ICE credentials: new ones mean the peer restarted ICE (RFC 8445 §9); its old
    /// candidates are forgotten and its new ones follow with <see cref="AddRemoteCandidate"/>.
    /// </summary>
    public void SetRemoteIceCredentials(string ufrag, string password, TimeSpan now)
    {
        ThrowIfUnusable();
        _now = now;
        if (_ice is null)
        {
            throw new InvalidOperationException("ICE has not started");
        }

        _ice.SetRemoteCredentials(ufrag, password);
        PumpIce(now);
        UpdateState(now);
    }

    private static bool HasReceiverRtt(MediaDescription media)
    {
        foreach (string v in media.GetAttributeValues(RtcpXrAttribute))
        {
            foreach (string part in v.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("rcvr-rtt=", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 8122 §5: the fingerprints DTLS can check the peer's certificate against. A fingerprint for a hash function
    /// we know must have that function's length; fingerprints for others (MD2 and MD5, which RFC 8122 §5 forbids,
    /// sha-224, unregistered tokens) are left aside, and at least one usable one must remain (RFC 8827 §6.5).
    /// </summary>
    private static bool TryReadRemoteFingerprints(IReadOnlyList<SdpFingerprint> signalled, out List<DtlsFingerprint> usable, [NotNullWhen(false)] out string? error)
    {
        usable = [];
        foreach (SdpFingerprint fp in signalled)
        {
            if (DtlsFingerprint.TryParse(fp.ToString(), out DtlsFingerprint? parsed))
            {
                usable.Add(parsed!);
                continue;
            }

            int bytes = (fp.Value.Length + 1) / 3;
            int? expected = fp.HashFunction.ToLowerInvariant() switch
            {
                "sha-1" => 20,
                "sha-256" => 32,
                "sha-384" => 48,
                "sha-512" => 64,
                _ => null,
            };
            if (expected is int length)
            {
                error = $"a=fingerprint:{fp.HashFunction} has {bytes} bytes where a {fp.HashFunction} hash has {length} (RFC 8122 §5: the fingerprint is the hash of the certificate)";
                return false;
            }
        }

        if (usable.Count == 0)
        {
            string named = signalled.Count == 0 ? "none" : string.Join(", ", signalled.Select(f => f.HashFunction));
            error = $"no a=fingerprint uses a hash function DTLS can verify (sha-256, sha-384, sha-512 or sha-1; given: {named}); RFC 8122 §5 rules out MD2 and MD5, and RFC 8827 §6.5 needs a fingerprint the certificate can be checked against";
            return false;
        }

        error = null;
        return true;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_closed)
        {
            throw new InvalidOperationException("the session is closed");
        }
    }

    private void CreateIce(IceRole role, TimeSpan now)
    {
        var iceOptions = new IceAgentOptions
        {
            Role = role,
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

        _ice = new IceAgent(iceOptions);
        foreach (Stun.TransportAddress a in _hostAddresses)
        {
            _ice.AddHostAddress(a);
        }

        _ice.StartGathering(now);
        PumpIce(now);
    }

    private AudioEndpointOptions BuildEndpointOptions()
    {
        IceCredentials creds = _ice?.LocalCredentials ?? _initialCredentials;
        IReadOnlyList<string> candidates = LocalCandidateValues();
        string? defaultAddress = null;
        int defaultPort = 9;
        if (_ice is not null && _ice.LocalCandidates.Count > 0)
        {
            IceCandidate first = _ice.LocalCandidates[0];
            defaultAddress = first.Address.AddressToString();
            defaultPort = first.Address.Port;
        }

        var feedback = new List<string>(_options.RtcpFeedback);
        return new AudioEndpointOptions
        {
            IceUfrag = creds.Ufrag,
            IcePwd = creds.Password,
            Fingerprints = [SdpFingerprint.FromHash(LocalFingerprint.Algorithm, LocalFingerprint.Value)],
            Ssrc = Ssrc,
            CName = CName,
            StreamId = _streamId,
            TrackId = _trackId,
            SessionId = (ulong)(Ssrc & 0x7FFFFFFF) * 1000,
            SessionVersion = _sessionVersion++,
            Direction = _options.Direction,
            OpusPayloadType = _options.OpusPayloadType,
            RtcpFeedback = feedback,
            Candidates = candidates,
            EndOfCandidates = _ice?.GatheringState == IceGatheringState.Complete,
            DefaultAddress = defaultAddress,
            DefaultPort = defaultPort,
            AnswerSetup = _options.AnswerSetup,
            IceLite = _options.IceLite,
        };
    }

    private void Negotiate(NegotiatedAudio negotiated, TimeSpan now)
    {
        _negotiated = negotiated;
        ConfigureMedia(negotiated);
        RemoteTransport remote = negotiated.Remote;

        // RFC 8445 §6.1.1: against a lite peer (a=ice-lite) the full agent controls, even when it answered.
        _ice!.SetRemoteMode(remote.IceLite ? IceMode.Lite : IceMode.Full);
        _ice.SetRemoteCredentials(remote.IceUfrag, remote.IcePwd);
        foreach (string c in remote.Candidates)
        {
            if (IceCandidate.TryParse("candidate:" + c, out IceCandidate? candidate) && candidate!.Component == 1)
            {
                _ice.AddRemoteCandidate(candidate, now);
            }
        }

        if (remote.EndOfCandidates)
        {
            _ice.AddRemoteEndOfCandidates(now);
        }

        PumpIce(now);
        StartDtls(now);
        UpdateState(now);
    }
}
