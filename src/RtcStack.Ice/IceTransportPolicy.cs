namespace RtcStack.Ice;

/// <summary>Which local candidates may be used, like W3C RTCIceTransportPolicy.</summary>
public enum IceTransportPolicy
{
    /// <summary>Host, server-reflexive and relayed candidates.</summary>
    All,

    /// <summary>Only relayed (TURN) candidates are signalled and paired.</summary>
    Relay,
}
