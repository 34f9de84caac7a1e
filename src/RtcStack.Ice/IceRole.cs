namespace RtcStack.Ice;

/// <summary>RFC 8445 §6.1.1: which agent nominates.</summary>
public enum IceRole
{
    /// <summary>The controlling agent nominates pairs (USE-CANDIDATE).</summary>
    Controlling,

    /// <summary>The controlled agent follows the controlling agent's nomination.</summary>
    Controlled,
}
