using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RtcStack.Ice;
using RtcStack.Sdp;
using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// An <see cref="IWhipResourceHandler"/> that answers each WHIP/WHEP offer with a new session (any
/// <see cref="ISignalledSession"/>, such as <see cref="WebRtcSession"/> through <see cref="WebRtcWhipHandler"/>) on a
/// <see cref="UdpSessionHost"/>: the answer carries every host candidate (and waits a little for
/// server-reflexive or relayed ones), PATCH trickles candidates or restarts ICE (RFC 9725 §4.3, RFC 8840),
/// DELETE closes the session with a BYE. The application reacts to each session in <see cref="Activity"/>.
/// </summary>
/// <remarks>
/// Every session ends and gives back what it took: a session that fails (ICE, DTLS, consent expiry), that the peer
/// closes, or that does not connect within <see cref="ConnectTimeout"/> is closed (RTCP BYE, DTLS close_notify) and
/// removed from the host (its socket or shared-socket routes, its timers) and from <see cref="Resources"/>, and
/// <see cref="Removed"/> runs once for it. An offer that is refused, or any exception while one is answered, leaves
/// nothing behind either.
/// </remarks>
/// <typeparam name="TSession">The session type.</typeparam>
public class SessionWhipHandler<TSession> : IWhipResourceHandler
    where TSession : class, ISignalledSession
{
    private readonly UdpSessionHost _host;
    private readonly Func<WhipResourceKind, TSession> _newSession;
    private readonly ConcurrentDictionary<string, SessionResource<TSession>> _resources = new(StringComparer.Ordinal);
    private long _sequence;
    private long _created;
    private long _removed;
    private int _live;

    /// <summary>Creates a handler making a session with <paramref name="newSession"/> for each offer, on <paramref name="host"/>.</summary>
    public SessionWhipHandler(UdpSessionHost host, Func<WhipResourceKind, TSession> newSession)
    {
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _newSession = newSession ?? throw new ArgumentNullException(nameof(newSession));
    }

    /// <summary>
    /// Gets or sets the direction we answer each offered section with, by resource kind: by default RecvOnly for WHIP
    /// (the client publishes), SendOnly for WHEP (the client plays) and SendRecv for a <see cref="WhipResourceKind.Call"/>;
    /// SendRecv echoes. For WHEP the receiving half is always taken away (SendRecv answers SendOnly, RecvOnly answers
    /// Inactive): a WHEP endpoint only sends (draft-ietf-wish-whep-03 §4.2.5).
    /// </summary>
    public Func<WhipResourceKind, MediaDirection> AnswerDirection { get; set; } = kind => kind switch
    {
        WhipResourceKind.Whip => MediaDirection.RecvOnly,
        WhipResourceKind.Whep => MediaDirection.SendOnly,
        _ => MediaDirection.SendRecv,
    };

    /// <summary>
    /// Gets or sets the callback run under a session's lock after every input, after its events were
    /// recorded: poll media, send media, read stats. Events are handed to <see cref="Event"/> first.
    /// </summary>
    public Action<SessionResource<TSession>, TimeSpan>? Activity { get; set; }

    /// <summary>
    /// Gets or sets the callback for each session event (under the session's lock): a <see cref="SessionEvent"/> from a
    /// <see cref="WebRtcSession"/>.
    /// </summary>
    public Action<SessionResource<TSession>, object>? Event { get; set; }

    /// <summary>Gets or sets how long an answer waits for gathering to finish (STUN/TURN candidates).</summary>
    public TimeSpan GatheringWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets how long a session may take from the offer to the connected state (ICE and DTLS); one that has not
    /// connected by then is closed and removed (<see cref="SessionEndReason.ConnectTimeout"/>). Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the deadline off. Measured on the host's <see cref="UdpSessionHost.TimeProvider"/>.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the most sessions that may exist at once (0: no limit); one more offer gets 503 with Retry-After
    /// (RFC 9725 §4.5). With a socket per session, keep it below the process's descriptor limit: a process that runs
    /// out of descriptors fails in places that cannot recover (the runtime aborted with "Out of memory." when 20,000
    /// sessions took the last of 20,000 descriptors).
    /// </summary>
    public int MaxSessions { get; set; }

    /// <summary>Gets or sets the callback run once for every removed session, after it was closed and removed (not under its lock).</summary>
    public Action<SessionResource<TSession>>? Removed { get; set; }

    /// <summary>Gets or sets the logger (errors in callbacks, sessions that end abnormally; at Debug, where each answer's time went).</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Gets the live resources by id.</summary>
    public IReadOnlyDictionary<string, SessionResource<TSession>> Resources => _resources;

    /// <summary>Gets the number of sessions created so far (each offer makes one, refused or not).</summary>
    public long SessionsCreated => Interlocked.Read(ref _created);

    /// <summary>Gets the number of sessions removed so far; equal to <see cref="SessionsCreated"/> once every session has ended.</summary>
    public long SessionsRemoved => Interlocked.Read(ref _removed);

    /// <summary>
    /// Creates a session that makes the offer (signalling where the server offers: a two-way
    /// <see cref="WhipResourceKind.Call"/>, or a WHEP-like "server offer" flow); the client's answer comes to
    /// <see cref="TryApplyAnswer"/>. A WHEP offer whose media sections receive (sendrecv or recvonly, from the transceivers
    /// the session factory added) is refused with <see cref="InvalidOperationException"/>: a WHEP endpoint only sends.
    /// </summary>
    public async ValueTask<(SessionResource<TSession> Resource, string OfferSdp)> CreateOfferAsync(WhipResourceKind kind, CancellationToken cancellationToken)
    {
        SessionResource<TSession> r = Register(kind) ?? throw new InvalidOperationException($"the handler is at its limit of {MaxSessions} sessions");
        bool done = false;
        try
        {
            r.Handle.Invoke(now => r.Session.CreateOffer(now));
            await WaitForGatheringAsync(r, cancellationToken).ConfigureAwait(false);
            string offer = r.Handle.Invoke(_ => r.Session.GetLocalDescription());
            if (kind == WhipResourceKind.Whep && ReceivingSection(offer) is string mid)
            {
                throw new InvalidOperationException($"a WHEP resource only sends (draft-ietf-wish-whep-03 §4.2.5), but the offer's section {mid} receives: add send-only transceivers for WHEP");
            }

            done = true;
            return (r, offer);
        }
        finally
        {
            if (!done)
            {
                End(r, cancellationToken.IsCancellationRequested ? SessionEndReason.Aborted : SessionEndReason.Error);
            }
        }
    }

    /// <summary>Applies the client's answer to a session from <see cref="CreateOfferAsync"/>.</summary>
    public bool TryApplyAnswer(string resourceId, string answerSdp, out string? error)
    {
        if (!_resources.TryGetValue(resourceId, out SessionResource<TSession>? r))
        {
            error = "no such session";
            return false;
        }

        string? e = null;
        bool ok;
        try
        {
            ok = r.Handle.Invoke(now => r.Session.TryApplyAnswer(answerSdp, now, out e));
        }
        catch (ObjectDisposedException)
        {
            e = "the session has ended";
            ok = false;
        }

        error = e;
        return ok;
    }

    /// <inheritdoc/>
    public async ValueTask<WhipCreateResult> CreateAsync(WhipResourceKind kind, string offerSdp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offerSdp);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!_host.TryAdmit(out string? refusal))
        {
            // Past the host's limit it degrades by refusing new calls, not by letting every call lose packets. The
            // load is measured over one second, so a retry a couple of seconds later sees the new state.
            return WhipCreateResult.Unavailable($"the server is at its limit: {refusal}; try again later", TimeSpan.FromSeconds(2));
        }

        SessionResource<TSession> r;
        try
        {
            SessionResource<TSession>? made = Register(kind);
            if (made is null)
            {
                return WhipCreateResult.Unavailable($"the server is at its limit of {MaxSessions} sessions; try again later", RetryAfterEstimate());
            }

            r = made;
        }
        catch (UdpPortsExhaustedException e)
        {
            // RFC 9725 §4.5: 503 with Retry-After when the server cannot take the session now. A port comes back when
            // a session ends; the earliest sure one is the first connect deadline.
            return WhipCreateResult.Unavailable($"no media port is free ({e.Message}); try again later", RetryAfterEstimate());
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.AddressAlreadyInUse)
        {
            return WhipCreateResult.Unavailable($"no media socket can be opened now ({e.SocketErrorCode}); try again later", RetryAfterEstimate());
        }

        SessionEndReason? failed = SessionEndReason.Error;
        try
        {
            string? error = null;
            MediaDirection direction = AnswerDirection(kind);
            if (kind == WhipResourceKind.Whep)
            {
                direction = direction is MediaDirection.SendRecv or MediaDirection.SendOnly ? MediaDirection.SendOnly : MediaDirection.Inactive;
            }

            long registered = System.Diagnostics.Stopwatch.GetTimestamp();
            long applied = 0;
            bool ok = r.Handle.Invoke(now =>
            {
                bool answeredOk = r.Session.TryAnswer(offerSdp, direction, now, out error);
                applied = System.Diagnostics.Stopwatch.GetTimestamp();
                return answeredOk;
            });
            if (!ok)
            {
                failed = SessionEndReason.Refused;
                return WhipCreateResult.Rejected(422, "cannot answer this offer: " + error);
            }

            long answered = System.Diagnostics.Stopwatch.GetTimestamp();
            await WaitForGatheringAsync(r, cancellationToken).ConfigureAwait(false);
            if (r.IsEnding)
            {
                // Ended while it was being answered (a callback failed, or the session failed): its removal is under way.
                failed = null;
                return WhipCreateResult.Rejected(r.EndReason == SessionEndReason.Error ? 500 : 422, $"the session ended before the answer was ready ({r.EndReason})");
            }

            long gathered = System.Diagnostics.Stopwatch.GetTimestamp();
            (string answer, string etag) = r.Handle.Invoke(_ => (r.Session.GetLocalDescription(), r.Session.LocalIceUfrag));
            failed = null;
            if (Logger.IsEnabled(LogLevel.Debug))
            {
                // Where an answer's time goes (the connect-time benchmark reads these): the session made and its sockets
                // bound, the offer applied and answered, gathering waited for, the answer SDP written.
                long done = System.Diagnostics.Stopwatch.GetTimestamp();
                Logger.LogDebug(
                    "session {Label}: answered in {Total:0.000} ms (session and sockets {Register:0.000}, offer applied {Answer:0.000}, then callbacks and sends {Activity:0.000}, gathering {Gather:0.000}, answer written {Describe:0.000})",
                    r.Label,
                    System.Diagnostics.Stopwatch.GetElapsedTime(started, done).TotalMilliseconds,
                    System.Diagnostics.Stopwatch.GetElapsedTime(started, registered).TotalMilliseconds,
                    System.Diagnostics.Stopwatch.GetElapsedTime(registered, applied).TotalMilliseconds,
                    System.Diagnostics.Stopwatch.GetElapsedTime(applied, answered).TotalMilliseconds,
                    System.Diagnostics.Stopwatch.GetElapsedTime(answered, gathered).TotalMilliseconds,
                    System.Diagnostics.Stopwatch.GetElapsedTime(gathered, done).TotalMilliseconds);
            }

            return WhipCreateResult.Created(r.Id, answer, etag);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away while we gathered: nobody will use this session.
            failed = SessionEndReason.Aborted;
            return WhipCreateResult.Rejected(400, "the request was aborted before the answer was ready");
        }
        catch (ObjectDisposedException) when (r.IsEnding)
        {
            // It ended (failed or timed out) while the answer was being prepared; its removal is under way.
            failed = null;
            return WhipCreateResult.Rejected(422, $"the session ended before the answer was ready ({r.EndReason})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else is our bug, not the client's: a 500 that says what happened, and nothing left behind.
            Logger.LogError(e, "answering a {Kind} offer failed", kind);
            return WhipCreateResult.Rejected(500, $"internal error while answering the offer ({e.GetType().Name}: {e.Message})");
        }
        finally
        {
            if (failed is SessionEndReason reason)
            {
                End(r, reason);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<WhipPatchResult> PatchAsync(WhipResourceKind kind, string resourceId, TrickleIceFragment fragment, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        if (!TryGet(kind, resourceId, out SessionResource<TSession>? r))
        {
            return ValueTask.FromResult(WhipPatchResult.NotFound());
        }

        WhipPatchResult? result = null;
        r.Handle.Invoke(now => result = Patch(r, fragment, ifMatch, now));

        // Invoke does nothing once the session was removed: it ended between the lookup and here.
        return ValueTask.FromResult(result ?? WhipPatchResult.NotFound());
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(WhipResourceKind kind, string resourceId, CancellationToken cancellationToken)
    {
        if (!TryGet(kind, resourceId, out SessionResource<TSession>? r))
        {
            return ValueTask.FromResult(false);
        }

        End(r, SessionEndReason.Deleted);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public bool Exists(WhipResourceKind kind, string resourceId) => TryGet(kind, resourceId, out _);

    /// <summary>Closes (BYE, close_notify) and removes every session.</summary>
    public void CloseAll()
    {
        foreach (SessionResource<TSession> r in _resources.Values)
        {
            End(r, SessionEndReason.Shutdown);
        }
    }

    private static WhipPatchResult Patch(SessionResource<TSession> r, TrickleIceFragment fragment, string? ifMatch, TimeSpan now)
    {
        TSession s = r.Session;
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

        IceCredentials? remote = s.RemoteIceCredentials;
        bool restart = fragment.IceUfrag is not null && fragment.IcePwd is not null
            && (remote is null || remote.Ufrag != fragment.IceUfrag || remote.Password != fragment.IcePwd);
        if (restart && !(IceStrings.IsUfrag(fragment.IceUfrag!) && IceStrings.IsPassword(fragment.IcePwd!)))
        {
            // RFC 9725 §4.3.3: a restart we cannot do is refused and the current ICE session is kept.
            return WhipPatchResult.Rejected(422, "ICE restart refused: a=ice-ufrag needs 4-256 and a=ice-pwd 22-256 ice-chars (RFC 8839 §5.4); the current ICE session is kept");
        }

        if (restart)
        {
            // RFC 9725 §4.3.2: an ICE restart; answer with our new credentials and candidates.
            s.RestartIce(fragment.IceUfrag!, fragment.IcePwd!, now);
        }

        ApplyCandidates(s, fragment, now);
        if (!restart)
        {
            return WhipPatchResult.Trickled();
        }

        // §4.3.3: the response carries the same ice-options (and ice-pacing/ice-lite: we write neither) as our answer.
        var answer = new TrickleIceFragment { IceUfrag = s.LocalIceUfrag, IcePwd = s.LocalIcePassword, IceOptions = s.LocalIceOptions };
        (string mid, string mediaLine) = s.CandidateSection;
        var media = new TrickleIceMedia { Mid = mid, MediaLine = mediaLine, EndOfCandidates = s.IsGatheringComplete };
        foreach (string c in s.LocalCandidateValues())
        {
            media.Candidates.Add(c);
        }

        answer.Media.Add(media);
        return WhipPatchResult.Restarted(answer.ToString(), s.LocalIceUfrag);
    }

    private static void ApplyCandidates(TSession s, TrickleIceFragment fragment, TimeSpan now)
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

    /// <summary>RFC 9725 §5: session URLs are capabilities, so they carry 128 random bits from a CSPRNG (RFC 4086).</summary>
    private static string NewId()
    {
        Span<byte> b = stackalloc byte[16];
        RandomNumberGenerator.Fill(b);
        return Convert.ToHexStringLower(b);
    }

    // The mid (or index) of the first audio or video section of an SDP that receives, or null.
    private static string? ReceivingSection(string sdp)
    {
        if (!SessionDescription.TryParse(sdp, out SessionDescription? description, out _))
        {
            return "(unparsable offer)";
        }

        for (int i = 0; i < description.MediaDescriptions.Count; i++)
        {
            MediaDescription m = description.MediaDescriptions[i];
            if (m.Media is "audio" or "video" && m.MediaLine.Port != 0 && description.GetEffectiveDirection(m) is MediaDirection.SendRecv or MediaDirection.RecvOnly)
            {
                return m.Mid ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private bool TryGet(WhipResourceKind kind, string resourceId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SessionResource<TSession>? resource)
    {
        if (_resources.TryGetValue(resourceId, out resource) && resource.Kind == kind && !resource.IsEnding)
        {
            return true;
        }

        resource = null;
        return false;
    }

    // Null when MaxSessions sessions exist (counted here, so concurrent offers cannot pass the limit together).
    private SessionResource<TSession>? Register(WhipResourceKind kind)
    {
        if (Interlocked.Increment(ref _live) > MaxSessions && MaxSessions > 0)
        {
            Interlocked.Decrement(ref _live);
            return null;
        }

        try
        {
            return Make(kind);
        }
        catch
        {
            Interlocked.Decrement(ref _live);
            throw;
        }
    }

    private SessionResource<TSession> Make(WhipResourceKind kind)
    {
        TSession session = _newSession(kind);
        long n = Interlocked.Increment(ref _sequence);
        var resource = new SessionResource<TSession>(NewId(), (kind switch { WhipResourceKind.Whip => "whip-", WhipResourceKind.Whep => "whep-", _ => "call-" }) + n, kind, session, _host.Now);
        try
        {
            resource.Handle = _host.Add(session, (_, now) => OnActivity(resource, now), (_, e) => OnFault(resource, e));
        }
        catch
        {
            session.Dispose();
            throw;
        }

        Interlocked.Increment(ref _created);
        _resources[resource.Id] = resource;
        if (ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            resource.ConnectTimer = _host.TimeProvider.CreateTimer(static s => ((ConnectDeadline)s!).Fire(), new ConnectDeadline(this, resource), ConnectTimeout, Timeout.InfiniteTimeSpan);
        }

        return resource;
    }

    // Under the session's lock, after every input.
    private void OnActivity(SessionResource<TSession> r, TimeSpan now)
    {
        if (r.IsEnding)
        {
            return;
        }

        try
        {
            while (r.Session.TryPollSignalledEvent(out object? e))
            {
                r.Observe(r.Session);
                Event?.Invoke(r, e);
            }

            r.Observe(r.Session);

            Activity?.Invoke(r, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An application callback failed: end this session rather than the host's receive loop or timer.
            Logger.LogError(e, "session {Label}: a callback failed; ending the session", r.Label);
            EndLater(r, SessionEndReason.Error);
            return;
        }

        if (r.HasConnected)
        {
            r.ConnectTimer?.Dispose();
            r.ConnectTimer = null;
        }

        if (r.State == PeerConnectionState.Failed)
        {
            EndLater(r, SessionEndReason.Failed);
        }
        else if (r.State == PeerConnectionState.Closed)
        {
            EndLater(r, SessionEndReason.ClosedByPeer);
        }
    }

    // Under the session's lock: the host removed the session because a call into it threw.
    private void OnFault(SessionResource<TSession> r, Exception e)
    {
        Logger.LogError(e, "session {Label}: an input or timer failed; the host removed the session", r.Label);
        EndLater(r, SessionEndReason.Error);
    }

    // From inside the session's lock: the removal runs on the thread pool, outside the host's call into the session.
    private void EndLater(SessionResource<TSession> r, SessionEndReason reason)
    {
        if (r.TryBeginEnd(reason))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Handler.Finish(s.Resource), (Handler: this, Resource: r), preferLocal: false);
        }
    }

    private void End(SessionResource<TSession> r, SessionEndReason reason)
    {
        if (r.TryBeginEnd(reason))
        {
            Finish(r);
        }
    }

    // Once per session, by whoever won TryBeginEnd: close (BYE, close_notify), remove from the host, free.
    private void Finish(SessionResource<TSession> r)
    {
        r.ConnectTimer?.Dispose();
        r.ConnectTimer = null;
        try
        {
            r.Handle.Invoke(now => r.Session.Close(now));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A session broken by the error that ends it may fail to close; it is removed all the same.
            Logger.LogDebug(e, "session {Label}: close failed", r.Label);
        }

        _host.Remove(r.Handle);
        _resources.TryRemove(new KeyValuePair<string, SessionResource<TSession>>(r.Id, r));
        r.Session.Dispose();
        Interlocked.Decrement(ref _live);
        if (r.EndReason is not (SessionEndReason.Deleted or SessionEndReason.Shutdown or SessionEndReason.Refused))
        {
            Logger.LogInformation("session {Label} ended: {Reason}", r.Label, r.EndReason);
        }

        try
        {
            Removed?.Invoke(r);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Logger.LogError(e, "session {Label}: the Removed callback failed", r.Label);
        }

        // Last: once SessionsRemoved equals SessionsCreated, every removal (callback included) has finished.
        Interlocked.Increment(ref _removed);
    }

    private void OnConnectDeadline(SessionResource<TSession> r)
    {
        bool expired = false;
        r.Handle.Invoke(_ => expired = !r.HasConnected && r.TryBeginEnd(SessionEndReason.ConnectTimeout));
        if (expired)
        {
            Finish(r);
        }
    }

    /// <summary>The time until the first unconnected session reaches its connect deadline (at least 1 s; 30 s when none).</summary>
    private TimeSpan RetryAfterEstimate()
    {
        if (ConnectTimeout == Timeout.InfiniteTimeSpan)
        {
            return TimeSpan.FromSeconds(30);
        }

        TimeSpan now = _host.Now;
        TimeSpan best = ConnectTimeout;
        foreach (SessionResource<TSession> r in _resources.Values)
        {
            if (!r.HasConnected)
            {
                TimeSpan left = r.CreatedAt + ConnectTimeout - now;
                best = left < best ? left : best;
            }
        }

        return best < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : best;
    }

    private async Task WaitForGatheringAsync(SessionResource<TSession> r, CancellationToken cancellationToken)
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

    /// <summary>The state of a session's connect-deadline timer (a class, so the timer holds one small object).</summary>
    private sealed class ConnectDeadline(SessionWhipHandler<TSession> handler, SessionResource<TSession> resource)
    {
        public void Fire() => handler.OnConnectDeadline(resource);
    }
}

/// <summary>A <see cref="SessionWhipHandler{TSession}"/> answering with a <see cref="WebRtcSession"/> (session core v2: audio, video, many tracks).</summary>
public sealed class WebRtcWhipHandler : SessionWhipHandler<WebRtcSession>
{
    /// <summary>Creates a handler making sessions with options from <paramref name="options"/> on <paramref name="host"/>.</summary>
    public WebRtcWhipHandler(UdpSessionHost host, Func<WhipResourceKind, WebRtcSessionOptions> options)
        : base(host, NewSession(options))
    {
    }

    private static Func<WhipResourceKind, WebRtcSession> NewSession(Func<WhipResourceKind, WebRtcSessionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return kind => new WebRtcSession(options(kind));
    }
}
