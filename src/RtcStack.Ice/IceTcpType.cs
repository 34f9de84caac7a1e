namespace RtcStack.Ice;

/// <summary>RFC 6544 §4.5: the tcptype of a TCP candidate.</summary>
public enum IceTcpType
{
    /// <summary>No tcptype (UDP candidates).</summary>
    None,

    /// <summary>"active": opens outgoing connections.</summary>
    Active,

    /// <summary>"passive": accepts incoming connections.</summary>
    Passive,

    /// <summary>"so": simultaneous open.</summary>
    SimultaneousOpen,
}
