using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>One datagram to send: from the socket bound to <see cref="Source"/> to <see cref="Destination"/>.</summary>
/// <param name="Source">The local socket address to send from.</param>
/// <param name="Destination">The destination.</param>
/// <param name="Length">The number of bytes of the caller's buffer to send.</param>
public readonly record struct DatagramTransmit(TransportAddress Source, TransportAddress Destination, int Length);
