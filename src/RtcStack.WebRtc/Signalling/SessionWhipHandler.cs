using System.Collections.Concurrent;
using System.Security.Cryptography;
using RtcStack.Ice;
using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// An <see cref="IWhipResourceHandler"/> that answers each WHIP/WHEP offer with a new <see cref="PeerSession"/>
/// on a <see cref="UdpSessionHost"/>: the answer carries every host candidate (and waits a little for
/// server-reflexive or relayed ones), PATCH trickles candidates or restarts ICE (RFC 9725 §4.3, RFC 8840),
/// DELETE closes the session with a BYE. The application reacts to each session in <see cref="Activity"/>.
/// </summary>
public sealed class SessionWhipHandler : IWhipResourceHandler
{
    private readonly UdpSessionHost _host;
    private readonly Func<WhipResourceKind, PeerSessionOptions> _options;
    private readonly ConcurrentDictionary<string, SessionResource> _resources = new(StringComparer.Ordinal);

    /// <summary>Creates a handler making sessions with options from <paramref name="options"/> on <paramref name="host"/>.</summary>
    public SessionWhipHandler(UdpSessionHost host, Func<WhipResourceKind, PeerSessionOptions> options)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>
    /// Gets or sets the callback run under a session's lock after every input, after its events were
    /// recorded: poll media, send media, read stats. Events are handed to <see cref="Event"/> first.
    /// </summary>
    public Action<SessionResource, TimeSpan>? Activity { get; set; }

    /// <summary>Gets or sets the callback for each session event (under the session's lock).</summary>
    public Action<SessionResource, PeerSessionEvent>? Event { get; set; }

    /// <summary>Gets or sets how long an answer waits for gathering to finish (STUN/TURN candidates).</summary>
    public TimeSpan GatheringWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets the live resources by id.</summary>
    public IReadOnlyDictionary<string, SessionResource> Resources => _resources;

    /// <summary>
    /// Creates a session that makes the offer (for signalling where the server offers, e.g. a WHEP-like
    /// "server offer" flow); the client's answer comes to <see cref="TryApplyAnswer"/>.
    /// </summary>
    public async ValueTask<(SessionResource Resource, string OfferSdp)> CreateOfferAsync(WhipResourceKind kind, CancellationToken cancellationToken)
    {
        SessionResource r = Register(kind);
        r.Handle.Invoke(now => r.Session.CreateOffer(now));
        await WaitForGatheringAsync(r, cancellationToken).ConfigureAwait(false);
        return (r, r.Handle.Invoke(_ => r.Session.GetLocalDescription()));
    }

    /// <summary>Applies the client's answer to a session from <see cref="CreateOfferAsync"/>.</summary>
    public bool TryApplyAnswer(string resourceId, string answerSdp, out string? error)
    {
        if (!_resources.TryGetValue(resourceId, out SessionResource? r))
        {
            error = "no such session";
            return false;
        }

        string? e = null;
        bool ok = r.Handle.Invoke(now => r.Session.TryApplyAnswer(answerSdp, now, out e));
        error = e;
        return ok;
    }

    /// <inheritdoc/>
    public async ValueTask<WhipCreateResult> CreateAsync(WhipResourceKind kind, string offerSdp, CancellationToken cancellationToken)
    {
        SessionResource r = Register(kind);
        string? error = null;
        bool ok = r.Handle.Invoke(now => r.Session.TryAcceptOffer(offerSdp, now, out _, out error));
        if (!ok)
        {
            Remove(r);
            return WhipCreateResult.Rejected(422, "cannot answer this offer: " + error);
        }

        await WaitForGatheringAsync(r, cancellationToken).ConfigureAwait(false);
        string answer = r.Handle.Invoke(_ => r.Session.GetLocalDescription());
        return WhipCreateResult.Created(r.Id, answer, r.Handle.Invoke(_ => r.Session.LocalIceUfrag));
    }

    /// <inheritdoc/>
    public ValueTask<WhipPatchResult> PatchAsync(string resourceId, TrickleIceFragment fragment, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        if (!_resources.TryGetValue(resourceId, out SessionResource? r))
        {
            return ValueTask.FromResult(WhipPatchResult.NotFound());
        }

        WhipPatchResult result = r.Handle.Invoke(now =>
        {
            PeerSession s = r.Session;
            // RFC 9725 §4.3.1 (RFC 6585 §3): a PATCH without If-Match is answered 428.
            if (ifMatch is null)
            {
                return WhipPatchResult.Rejected(428, "PATCH requests must carry If-Match with the session's ETag (or \"*\" for an ICE restart)");
            }

            // RFC 9725 §4.3.1: If-Match carries the ETag of the ICE session; "*" matches any.
            if (ifMatch != "*" && ifMatch != s.LocalIceUfrag)
            {
                return WhipPatchResult.Rejected(412, "the ICE session changed (If-Match does not match the ETag)");
            }

            IceCredentials? remote = s.IceAgent?.RemoteCredentials;
            bool restart = fragment.IceUfrag is not null && fragment.IcePwd is not null
                && (remote is null || remote.Ufrag != fragment.IceUfrag || remote.Password != fragment.IcePwd);
            if (restart && !(IsIceString(fragment.IceUfrag!, 4) && IsIceString(fragment.IcePwd!, 22)))
            {
                // RFC 9725 §4.3.3: a restart we cannot do is refused and the current ICE session is kept.
                return WhipPatchResult.Rejected(422, "ICE restart refused: a=ice-ufrag needs 4-256 and a=ice-pwd 22-256 ice-chars (RFC 8839 §5.4); the current ICE session is kept");
            }

            if (restart)
            {
                // RFC 9725 §4.3.2: an ICE restart; answer with our new credentials and candidates.
                s.RestartIce(now);
                s.SetRemoteIceCredentials(fragment.IceUfrag!, fragment.IcePwd!, now);
            }

            ApplyCandidates(s, fragment, now);
            if (!restart)
            {
                return WhipPatchResult.Trickled();
            }

            // §4.3.3: the response carries the same ice-options (and ice-pacing/ice-lite: we write neither) as our answer.
            var answer = new TrickleIceFragment { IceUfrag = s.LocalIceUfrag, IcePwd = s.LocalIcePassword, IceOptions = s.LocalIceOptions };
            var media = new TrickleIceMedia { Mid = s.Negotiated?.Mid ?? "0", MediaLine = "audio 9 UDP/TLS/RTP/SAVPF " + s.PayloadType, EndOfCandidates = s.IsGatheringComplete };
            foreach (string c in s.LocalCandidateValues())
            {
                media.Candidates.Add(c);
            }

            answer.Media.Add(media);
            return WhipPatchResult.Restarted(answer.ToString(), s.LocalIceUfrag);
        });
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string resourceId, CancellationToken cancellationToken)
    {
        if (!_resources.TryGetValue(resourceId, out SessionResource? r))
        {
            return ValueTask.FromResult(false);
        }

        r.Handle.Invoke(now => r.Session.Close(now));
        Remove(r);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public bool Exists(string resourceId) => _resources.ContainsKey(resourceId);

    /// <summary>Closes and removes every session.</summary>
    public void CloseAll()
    {
        foreach (SessionResource r in _resources.Values)
        {
            r.Handle.Invoke(now => r.Session.Close(now));
            Remove(r);
        }
    }

    private static void ApplyCandidates(PeerSession s, TrickleIceFragment fragment, TimeSpan now)
    {
        foreach (TrickleIceMedia m in fragment.Media)
        {
            foreach (string c in m.Candidates)
            {
                s.AddRemoteCandidate(c, now);
            }

            if (m.EndOfCandidates)
            {
                s.AddRemoteEndOfCandidates(now);
            }
        }
    }

    /// <summary>RFC 8839 §5.4: ice-ufrag is 4-256 and ice-pwd 22-256 ice-chars (ALPHA / DIGIT / "+" / "/").</summary>
    private static bool IsIceString(string value, int minLength)
    {
        if (value.Length < minLength || value.Length > 256)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        return true;
    }

    private static string NewId()
    {
        Span<byte> b = stackalloc byte[12];
        RandomNumberGenerator.Fill(b);
        return Convert.ToHexStringLower(b);
    }

    private SessionResource Register(WhipResourceKind kind)
    {
        PeerSessionOptions options = _options(kind);
        options.WallClockAtZero = _host.WallClockAtZero;
        options.SharedRetransmissionBudget ??= _host.RetransmissionBudget;
        var resource = new SessionResource(NewId(), kind, new PeerSession(options));
        resource.Handle = _host.Add(resource.Session, (h, now) =>
        {
            while (resource.Session.TryPollEvent(out PeerSessionEvent? e))
            {
                resource.OnEvent(e!);
                Event?.Invoke(resource, e!);
            }

            Activity?.Invoke(resource, now);
        });
        _resources[resource.Id] = resource;
        return resource;
    }

    private void Remove(SessionResource r)
    {
        _resources.TryRemove(r.Id, out _);
        _host.Remove(r.Handle);
        r.Session.Dispose();
    }

    private async Task WaitForGatheringAsync(SessionResource r, CancellationToken cancellationToken)
    {
        if (r.Handle.Invoke(_ => r.Session.IsGatheringComplete))
        {
            return;
        }

        try
        {
            await r.Gathered.WaitAsync(GatheringWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Answer with what we have; the rest would need server-side trickle, which WHIP does not carry.
        }
    }

}
