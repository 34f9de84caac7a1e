using RtcStack.Stun;

namespace RtcStack.Ice;

/// <summary>One datagram the driver must send: from the socket bound to <see cref="Source"/> to <see cref="Destination"/>.</summary>
/// <param name="Source">The local socket address (a host candidate's base) to send from.</param>
/// <param name="Destination">Where to send it.</param>
/// <param name="Length">How many bytes of the caller's buffer hold the datagram.</param>
public readonly record struct IceTransmit(TransportAddress Source, TransportAddress Destination, int Length);
