namespace RtcStack.Ice;

/// <summary>The agent's overall state, shaped like W3C RTCIceTransportState.</summary>
public enum IceConnectionState
{
    /// <summary>Gathering and/or waiting for remote candidates; no check sent yet.</summary>
    New,

    /// <summary>Checks are running and no pair is selected yet.</summary>
    Checking,

    /// <summary>Every component has a selected (nominated) pair; checks may still run.</summary>
    Connected,

    /// <summary>Connected, checks finished, local gathering done and the remote signalled end-of-candidates.</summary>
    Completed,

    /// <summary>All pairs failed, or consent was lost (RFC 7675 §5.1): the session must stop sending.</summary>
    Failed,

    /// <summary>Connected before, but no response has arrived on the selected pair for a while; may recover.</summary>
    Disconnected,

    /// <summary>Closed by the application.</summary>
    Closed,
}
