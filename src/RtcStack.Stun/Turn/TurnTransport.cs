namespace RtcStack.Stun.Turn;

/// <summary>
/// RFC 8656 §3.1: the transport between a TURN client and its server (the relay towards peers is UDP either way).
/// Over TCP and TLS-over-TCP, STUN messages and ChannelData travel as a byte stream (ChannelData padded to a multiple
/// of four bytes, §12.5) and requests are not retransmitted (RFC 8489 §6.2.2).
/// </summary>
public enum TurnTransport
{
    /// <summary>UDP (<c>turn:host?transport=udp</c>, RFC 7065), the default.</summary>
    Udp,

    /// <summary>TCP (<c>turn:host?transport=tcp</c>), for networks that block UDP.</summary>
    Tcp,

    /// <summary>TLS over TCP (<c>turns:host</c>, port 5349 by default), which also passes proxies that only allow TLS.</summary>
    Tls,
}
