namespace RtcStack.Ice;

/// <summary>The transport of a candidate (RFC 8839 §5.1; TCP per RFC 6544).</summary>
public enum IceTransportProtocol
{
    /// <summary>UDP.</summary>
    Udp,

    /// <summary>TCP (RFC 6544); parsed and written, never paired by this agent.</summary>
    Tcp,
}
