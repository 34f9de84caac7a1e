using System.Diagnostics.CodeAnalysis;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.Sdp.Jsep;
using RtcStack.WebRtc.Jsep;
using RtcStack.WebRtc.Signalling;

namespace RtcStack.WebRtc;

/// <content>
/// What a signalling front end such as WHIP/WHEP (RFC 9725) drives (<see cref="ISignalledSession"/>): one-shot answers
/// with a direction per offered section, the current description with every candidate, and ICE restart by PATCH.
/// </content>
public sealed partial class WebRtcSession
{
    /// <summary>Gets a value indicating whether local candidate gathering finished.</summary>
    public bool IsGatheringComplete => _transport.IceAgent?.GatheringState == IceGatheringState.Complete;

    /// <summary>Gets our current ICE password.</summary>
    public string LocalIcePassword => _transport.LocalCredentials.Password;

    /// <summary>Gets our a=ice-options tags as written in our current description, or null.</summary>
    public string? LocalIceOptions
    {
        get
        {
            SessionDescription? local = _jsep.CurrentLocalDescription ?? _jsep.PendingLocalDescription;
            if (local is null || local.MediaDescriptions.Count == 0)
            {
                return null;
            }

            IReadOnlyList<string> tags = local.GetEffectiveIceOptions(local.MediaDescriptions[0]);
            return tags.Count == 0 ? null : string.Join(' ', tags);
        }
    }

    /// <summary>Gets the peer's ICE credentials, once known.</summary>
    public IceCredentials? RemoteIceCredentials => _transport.IceAgent?.RemoteCredentials;

    /// <inheritdoc/>
    (string Mid, string MediaLine) ISignalledSession.CandidateSection
    {
        get
        {
            SessionDescription? local = _jsep.CurrentLocalDescription ?? _jsep.PendingLocalDescription;
            MediaDescription? first = local?.MediaDescriptions.FirstOrDefault(m => !m.IsRejected);
            if (first is null)
            {
                return ("0", "audio 9 UDP/TLS/RTP/SAVPF 0");
            }

            return (first.Mid ?? "0", first.MediaLine.ToString());
        }
    }

    /// <summary>
    /// Answers the peer's offer in one step: every transceiver the offer creates gets <paramref name="direction"/> (RecvOnly
    /// for a WHIP publisher, SendOnly for a WHEP viewer, SendRecv to echo), then the answer is created and applied.
    /// </summary>
    public bool TryAnswer(string offerSdp, MediaDirection direction, TimeSpan now, [NotNullWhen(true)] out string? answerSdp, [NotNullWhen(false)] out JsepError? error)
    {
        answerSdp = null;
        var before = new HashSet<Transceiver>(_jsep.Transceivers);
        if (!TrySetRemoteOffer(offerSdp, now, out error))
        {
            return false;
        }

        foreach (Transceiver t in _jsep.Transceivers)
        {
            if (!before.Contains(t) && t.Kind != MediaKind.Application)
            {
                t.Direction = direction;
            }
        }

        answerSdp = CreateAnswer(now);
        return true;
    }

    /// <inheritdoc/>
    bool ISignalledSession.TryAnswer(string offerSdp, MediaDirection direction, TimeSpan now, [NotNullWhen(false)] out string? error)
    {
        bool ok = TryAnswer(offerSdp, direction, now, out _, out JsepError? e);
        error = e?.ToString();
        return ok;
    }

    /// <inheritdoc/>
    bool ISignalledSession.TryApplyAnswer(string answerSdp, TimeSpan now, [NotNullWhen(false)] out string? error)
    {
        bool ok = TryApplyAnswer(answerSdp, now, out JsepError? e);
        error = e?.ToString();
        return ok;
    }

    /// <summary>
    /// Gets our current description (RFC 8829 §4.1.9 currentLocalDescription, or the pending one) with every local
    /// candidate gathered so far, a=end-of-candidates once gathering finished, and our current ICE credentials (new ones
    /// after <see cref="RestartIce(string, string, TimeSpan)"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No offer or answer has been created.</exception>
    public string GetLocalDescription()
    {
        SessionDescription local = _jsep.CurrentLocalDescription ?? _jsep.PendingLocalDescription
            ?? throw new InvalidOperationException("no offer or answer has been created");
        SessionDescription copy = SessionDescription.Parse(local.ToString());
        IceCredentials credentials = _transport.LocalCredentials;
        foreach (MediaDescription m in copy.MediaDescriptions)
        {
            if (!m.IsRejected && m.IceUfrag is not null)
            {
                m.IceUfrag = credentials.Ufrag;
                m.IcePwd = credentials.Password;
            }
        }

        return WithCandidates(copy);
    }

    /// <summary>Gets our local candidates as a=candidate values (without the "candidate:" prefix).</summary>
    public IReadOnlyList<string> LocalCandidateValues()
    {
        var list = new List<string>();
        if (_transport.IceAgent is IceAgent ice)
        {
            foreach (IceCandidate c in ice.LocalCandidates)
            {
                list.Add(c.ToString()["candidate:".Length..]);
            }
        }

        return list;
    }

    /// <summary>
    /// Restarts ICE on our side (RFC 8445 §9: new local credentials, candidates gathered again) and takes the peer's new
    /// credentials, as a WHIP PATCH restart does (RFC 9725 §4.3.2). DTLS and SRTP carry on; STUN for our previous ufrag is
    /// still accepted until a new pair is selected.
    /// </summary>
    public void RestartIce(string remoteUfrag, string remotePassword, TimeSpan now)
    {
        _now = now;
        IceCredentials fresh = _transport.RestartIce(now, new IceCredentials(remoteUfrag, remotePassword));

        // A later offer or answer of ours carries the new credentials, not the ones the peer no longer knows.
        _jsep.SetLocalIceCredentials(fresh.Ufrag, fresh.Password);
        PumpTransport(now);
    }

    /// <inheritdoc/>
    bool ISignalledSession.TryPollSignalledEvent([NotNullWhen(true)] out object? sessionEvent)
    {
        bool any = TryPollEvent(out SessionEvent? e);
        sessionEvent = e;
        return any;
    }
}
