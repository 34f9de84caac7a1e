namespace RtcStack.Ice;

/// <summary>Candidate gathering state, shaped like W3C RTCIceGathererState.</summary>
public enum IceGatheringState
{
    /// <summary>Not started.</summary>
    New,

    /// <summary>STUN/TURN requests are outstanding.</summary>
    Gathering,

    /// <summary>All local candidates are known (end-of-candidates may be signalled, RFC 8838 §8.2).</summary>
    Complete,
}
