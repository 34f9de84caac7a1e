namespace RtcStack.Ice;

/// <summary>RFC 8445 §5.1.1: the four candidate types.</summary>
public enum IceCandidateType
{
    /// <summary>A local interface address ("host").</summary>
    Host,

    /// <summary>The address a STUN server saw ("srflx").</summary>
    ServerReflexive,

    /// <summary>An address learned from a connectivity check ("prflx").</summary>
    PeerReflexive,

    /// <summary>A TURN relayed address ("relay").</summary>
    Relayed,
}
