using RtcStack.Stun;

namespace RtcStack.WebRtc.Io;

/// <summary>
/// A sans-IO state machine a host can run (<c>UdpDriver</c> or <c>UdpSessionHost</c> in RtcStack.WebRtc.Hosting) (docs/ARCHITECTURE.md): it takes datagrams and
/// time, and yields datagrams and its next deadline. An ICE agent, or a whole WebRTC session that
/// composes ICE, DTLS and SRTP, implements it. The driver calls it from one thread at a time.
/// </summary>
public interface IDatagramEndpoint
{
    /// <summary>A datagram arrived on the socket bound to <paramref name="local"/> from <paramref name="remote"/>.</summary>
    void HandleDatagram(TransportAddress local, TransportAddress remote, ReadOnlySpan<byte> datagram, TimeSpan now);

    /// <summary>The deadline from <see cref="PollTimeout"/> (or a later instant) has come.</summary>
    void HandleTimeout(TimeSpan now);

    /// <summary>Copies the next datagram to send into <paramref name="buffer"/>.</summary>
    bool TryPollTransmit(Span<byte> buffer, out DatagramTransmit transmit);

    /// <summary>Gets the next instant the endpoint wants <see cref="HandleTimeout"/>, or null.</summary>
    TimeSpan? PollTimeout();
}
