using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <summary>
/// A STUN or TURN server the agent gathers from, already resolved to an address by the caller (the agent does no
/// DNS: a name in a <c>stun:</c>/<c>turn:</c> URI, RFC 7064/7065, is resolved in the IO layer).
/// </summary>
/// <param name="Address">The server's transport address.</param>
/// <param name="Username">The TURN username; null for a STUN server.</param>
/// <param name="Password">The TURN password; null for a STUN server.</param>
public sealed record IceServer(TransportAddress Address, string? Username = null, string? Password = null)
{
    /// <summary>Gets a value indicating whether this is a TURN server (has credentials).</summary>
    public bool IsTurn => Username is not null && Password is not null;

    /// <summary>
    /// Gets the transport to a TURN server (RFC 8656 §3.1): UDP, or TCP/TLS for networks that block UDP. Datagrams for a
    /// TCP or TLS server leave the agent with <see cref="IceTransmit.Transport"/> set, for the driver's connection. STUN
    /// servers are asked over UDP only (their answer describes the UDP mapping).
    /// </summary>
    public TurnTransport Transport { get; init; } = TurnTransport.Udp;

    /// <summary>Gets the server's host name (from its URI) for TLS: SNI and the certificate check (RFC 6125); null when given as an address.</summary>
    public string? ServerName { get; init; }
}
