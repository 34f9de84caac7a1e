using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Signalling;

/// <summary>A WHIP/WHEP resource (RFC 9725 §4.2): one session run by a <see cref="UdpSessionHost"/>.</summary>
/// <typeparam name="TSession">The session type (for example <see cref="WebRtcSession"/>).</typeparam>
public sealed class SessionResource<TSession>
    where TSession : class, ISignalledSession
{
    private readonly TaskCompletionSource _gathered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ending;

    internal SessionResource(string id, string label, WhipResourceKind kind, TSession session, TimeSpan createdAt)
    {
        Id = id;
        Label = label;
        Kind = kind;
        Session = session;
        CreatedAt = createdAt;
    }

    /// <summary>
    /// Gets the resource id (the last segment of its Location). It is the capability to PATCH and DELETE the session
    /// (RFC 9725 §5): show <see cref="Label"/> instead wherever others can read it.
    /// </summary>
    public string Id { get; }

    /// <summary>Gets a name for logs and status pages that grants nothing (e.g. "whip-17"): the kind and a sequence number.</summary>
    public string Label { get; }

    /// <summary>Gets whether WHIP (client sends) or WHEP (client receives) created it.</summary>
    public WhipResourceKind Kind { get; }

    /// <summary>Gets the session. Touch it only inside <see cref="UdpSessionHandle.Invoke(Action{TimeSpan})"/> or the activity callback.</summary>
    public TSession Session { get; }

    /// <summary>Gets the host handle.</summary>
    public UdpSessionHandle Handle { get; internal set; } = null!;

    /// <summary>Gets or sets application state (a media pump, a recorder...).</summary>
    public object? Tag { get; set; }

    /// <summary>Gets the last state seen.</summary>
    public PeerConnectionState State { get; private set; }

    /// <summary>Gets the host time (<see cref="UdpSessionHost.Now"/>) the resource was created.</summary>
    public TimeSpan CreatedAt { get; }

    /// <summary>Gets whether the session has ever been connected.</summary>
    public bool HasConnected { get; private set; }

    /// <summary>Gets why the session ended, once it is ending or removed.</summary>
    public SessionEndReason? EndReason { get; private set; }

    /// <summary>Gets a task that completes when local gathering finished.</summary>
    public Task Gathered => _gathered.Task;

    /// <summary>Gets a task that completes with true when the session connected, false when it failed or closed first.</summary>
    public Task<bool> Connected => _connected.Task;

    internal ITimer? ConnectTimer { get; set; }

    internal bool IsEnding => Volatile.Read(ref _ending) != 0;

    /// <summary>Claims the end of the session for one caller; false when it is already ending.</summary>
    internal bool TryBeginEnd(SessionEndReason reason)
    {
        if (Interlocked.CompareExchange(ref _ending, 1, 0) != 0)
        {
            return false;
        }

        EndReason = reason;
        _gathered.TrySetResult();
        _connected.TrySetResult(false);
        return true;
    }

    /// <summary>Takes the session's state after an input (under its lock): gathering done, connected, failed or closed.</summary>
    internal void Observe(TSession session)
    {
        if (session.IsGatheringComplete)
        {
            _gathered.TrySetResult();
        }

        PeerConnectionState state = session.State;
        if (state == State)
        {
            return;
        }

        State = state;
        if (state == PeerConnectionState.Connected)
        {
            HasConnected = true;
            _connected.TrySetResult(true);
        }
        else if (state is PeerConnectionState.Failed or PeerConnectionState.Closed)
        {
            _connected.TrySetResult(false);
        }
    }
}
