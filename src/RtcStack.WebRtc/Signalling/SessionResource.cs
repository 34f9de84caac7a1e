using RtcStack.WebRtc.Io;

namespace RtcStack.WebRtc.Signalling;

/// <summary>A WHIP/WHEP resource (RFC 9725 §4.2): one <see cref="PeerSession"/> run by a <see cref="UdpSessionHost"/>.</summary>
public sealed class SessionResource
{
    private readonly TaskCompletionSource _gathered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal SessionResource(string id, WhipResourceKind kind, PeerSession session)
    {
        Id = id;
        Kind = kind;
        Session = session;
    }

    /// <summary>Gets the resource id (the last segment of its Location).</summary>
    public string Id { get; }

    /// <summary>Gets whether WHIP (client sends) or WHEP (client receives) created it.</summary>
    public WhipResourceKind Kind { get; }

    /// <summary>Gets the session. Touch it only inside <see cref="UdpSessionHandle.Invoke(Action{TimeSpan})"/> or the activity callback.</summary>
    public PeerSession Session { get; }

    /// <summary>Gets the host handle.</summary>
    public UdpSessionHandle Handle { get; internal set; } = null!;

    /// <summary>Gets or sets application state (a media pump, a recorder...).</summary>
    public object? Tag { get; set; }

    /// <summary>Gets the last state seen.</summary>
    public PeerConnectionState State { get; private set; }

    /// <summary>Gets a task that completes when local gathering finished.</summary>
    public Task Gathered => _gathered.Task;

    /// <summary>Gets a task that completes with true when the session connected, false when it failed or closed first.</summary>
    public Task<bool> Connected => _connected.Task;

    internal void OnEvent(PeerSessionEvent e)
    {
        switch (e)
        {
            case GatheringCompleteEvent:
                _gathered.TrySetResult();
                break;
            case PeerConnectionStateChangedEvent s:
                State = s.State;
                if (s.State == PeerConnectionState.Connected)
                {
                    _connected.TrySetResult(true);
                }
                else if (s.State is PeerConnectionState.Failed or PeerConnectionState.Closed)
                {
                    _connected.TrySetResult(false);
                }

                break;
            default:
                break;
        }
    }
}
