namespace RtcStack.WebRtc.Signalling;

/// <summary>
/// Spreads WHIP/WHEP sessions over several <see cref="SessionWhipHandler{TSession}"/>s, one per <see cref="Io.UdpSessionHost"/>
/// (a server runs one host per <see cref="Io.UdpEventLoop"/>, one loop per core): a new offer goes to the handler with
/// the fewest sessions whose host admits it; PATCH, DELETE and GET go to the handler that holds the session.
/// Only when every host refuses is the offer answered 503.
/// </summary>
/// <typeparam name="TSession">The session type.</typeparam>
public class SessionWhipHandlerGroup<TSession> : IWhipResourceHandler
    where TSession : class, ISignalledSession
{
    private readonly SessionWhipHandler<TSession>[] _handlers;

    /// <summary>Creates a group of <paramref name="handlers"/> (at least one).</summary>
    public SessionWhipHandlerGroup(IEnumerable<SessionWhipHandler<TSession>> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        _handlers = [.. handlers];
        if (_handlers.Length == 0)
        {
            throw new ArgumentException("a group needs at least one handler", nameof(handlers));
        }
    }

    /// <summary>Gets the handlers, one per host.</summary>
    public IReadOnlyList<SessionWhipHandler<TSession>> Handlers => _handlers;

    /// <summary>Gets how many sessions the handlers hold together.</summary>
    public int ResourceCount
    {
        get
        {
            int n = 0;
            foreach (SessionWhipHandler<TSession> h in _handlers)
            {
                n += h.Resources.Count;
            }

            return n;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<WhipCreateResult> CreateAsync(WhipResourceKind kind, string offerSdp, CancellationToken cancellationToken)
    {
        WhipCreateResult? refused = null;
        foreach (SessionWhipHandler<TSession> h in LeastLoadedFirst())
        {
            WhipCreateResult r = await h.CreateAsync(kind, offerSdp, cancellationToken).ConfigureAwait(false);
            if (r.ErrorStatus != 503)
            {
                return r;
            }

            // This host is full or busy; another may not be. Keep the refusal with the shortest wait.
            if (refused is null || (r.RetryAfter ?? TimeSpan.MaxValue) < (refused.RetryAfter ?? TimeSpan.MaxValue))
            {
                refused = r;
            }
        }

        return refused!;
    }

    /// <inheritdoc/>
    public ValueTask<WhipPatchResult> PatchAsync(WhipResourceKind kind, string resourceId, TrickleIceFragment fragment, string? ifMatch, CancellationToken cancellationToken) =>
        Find(kind, resourceId) is SessionWhipHandler<TSession> h
            ? h.PatchAsync(kind, resourceId, fragment, ifMatch, cancellationToken)
            : ValueTask.FromResult(WhipPatchResult.NotFound());

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(WhipResourceKind kind, string resourceId, CancellationToken cancellationToken) =>
        Find(kind, resourceId) is SessionWhipHandler<TSession> h ? h.DeleteAsync(kind, resourceId, cancellationToken) : ValueTask.FromResult(false);

    /// <inheritdoc/>
    public bool Exists(WhipResourceKind kind, string resourceId) => Find(kind, resourceId) is not null;

    /// <summary>Closes every session of every handler (shutdown).</summary>
    public void CloseAll()
    {
        foreach (SessionWhipHandler<TSession> h in _handlers)
        {
            h.CloseAll();
        }
    }

    private SessionWhipHandler<TSession>? Find(WhipResourceKind kind, string resourceId)
    {
        foreach (SessionWhipHandler<TSession> h in _handlers)
        {
            if (h.Exists(kind, resourceId))
            {
                return h;
            }
        }

        return null;
    }

    private SessionWhipHandler<TSession>[] LeastLoadedFirst()
    {
        if (_handlers.Length == 1)
        {
            return _handlers;
        }

        var ordered = (SessionWhipHandler<TSession>[])_handlers.Clone();
        Array.Sort(ordered, static (a, b) => a.Resources.Count.CompareTo(b.Resources.Count));
        return ordered;
    }
}
