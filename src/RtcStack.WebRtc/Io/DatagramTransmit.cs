using RtcStack.Stun;
using RtcStack.Stun.Turn;

namespace RtcStack.WebRtc.Io;

/// <summary>One datagram to send: from the socket bound to <see cref="Source"/> to <see cref="Destination"/>.</summary>
/// <param name="Source">The local socket address to send from.</param>
/// <param name="Destination">The destination.</param>
/// <param name="Length">The number of bytes of the caller's buffer to send.</param>
/// <param name="Transport">
/// <see cref="TurnTransport.Udp"/> for a UDP datagram; otherwise a whole message for the TCP or TLS connection to the
/// TURN server <see cref="Destination"/> that belongs to host address <see cref="Source"/> (RFC 8656 §3.1), which the
/// driver opens on first use (see <see cref="ITurnStreamEndpoint"/>).
/// </param>
public readonly record struct DatagramTransmit(TransportAddress Source, TransportAddress Destination, int Length, TurnTransport Transport = TurnTransport.Udp);
