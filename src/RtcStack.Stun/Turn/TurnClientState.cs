namespace RtcStack.Stun.Turn;

/// <summary>The life cycle of a TURN allocation as seen by the client (RFC 8656 §7-§9).</summary>
public enum TurnClientState
{
    /// <summary>Nothing sent yet.</summary>
    New,

    /// <summary>An Allocate request is outstanding (possibly after a 401 challenge).</summary>
    Allocating,

    /// <summary>The allocation exists; it is refreshed before it expires.</summary>
    Allocated,

    /// <summary>Allocation failed (wrong credentials, server error, timeout) or the allocation was lost.</summary>
    Failed,

    /// <summary>A Refresh with LIFETIME 0 is outstanding.</summary>
    Deallocating,

    /// <summary>Deallocated or abandoned.</summary>
    Closed,
}
