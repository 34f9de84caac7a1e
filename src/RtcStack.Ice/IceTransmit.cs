using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.Ice;

/// <summary>One datagram the driver must send: from the socket bound to <see cref="Source"/> to <see cref="Destination"/>.</summary>
/// <param name="Source">The local socket address (a host candidate's base) to send from.</param>
/// <param name="Destination">Where to send it.</param>
/// <param name="Length">How many bytes of the caller's buffer hold the datagram.</param>
/// <param name="Transport">
/// <see cref="TurnTransport.Udp"/> for a datagram; otherwise a message for the TCP or TLS connection to the TURN server
/// <see cref="Destination"/> that belongs to host address <see cref="Source"/> (RFC 8656 §3.1): the driver opens it on
/// first use, writes the bytes as they are (already framed), and feeds what arrives on it back with
/// <see cref="IceAgent.HandleDatagram(TransportAddress, TransportAddress, ReadOnlySpan{byte}, TimeSpan, TurnTransport, out ReadOnlySpan{byte}, out int)"/>.
/// </param>
public readonly record struct IceTransmit(TransportAddress Source, TransportAddress Destination, int Length, TurnTransport Transport = TurnTransport.Udp);
