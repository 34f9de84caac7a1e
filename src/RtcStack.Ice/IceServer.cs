using RtcStack.Stun;

namespace RtcStack.Ice;

/// <summary>A STUN or TURN server the agent gathers from (resolved to an address by the caller).</summary>
/// <param name="Address">The server's UDP transport address.</param>
/// <param name="Username">The TURN username; null for a STUN server.</param>
/// <param name="Password">The TURN password; null for a STUN server.</param>
public sealed record IceServer(TransportAddress Address, string? Username = null, string? Password = null)
{
    /// <summary>Gets a value indicating whether this is a TURN server (has credentials).</summary>
    public bool IsTurn => Username is not null && Password is not null;
}
